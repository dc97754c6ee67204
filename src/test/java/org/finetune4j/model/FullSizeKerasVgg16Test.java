package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.Seeds;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.KerasVggFiles;
import org.finetune4j.testing.Slow;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A full-size VGG16 weights file in the layout of Keras's published {@code vgg16_weights_tf_dim_ordering_tf_kernels.h5}
 * (random values, 138,357,544 parameters, about 553 MB), written here by {@link KerasVggFiles}, goes the way a
 * user's {@code --weights FILE --weights-md5 any} goes: through {@link BackboneLoader}, then {@code train --mode
 * features} and a one-epoch fine-tune at 224×224 on a tiny folder. The small fixture of {@link KerasVggWeightsTest}
 * proves the conversion; this proves it at full size, and that the CLI copes with the real network. Each step prints
 * its wall time to stderr (no speed is asserted).
 */
@Slow
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FullSizeKerasVgg16Test {

    private static final long SEED = 20240607;
    /** Kernel elements checked per layer besides the first and the last. */
    private static final int SPOTS = 32;

    private Path tmp;
    private Path file;
    private Path data;
    private KerasVggFiles.Plan plan;

    @BeforeAll
    void writeTheFileAndATinyFolder(@TempDir Path dir) throws Exception {
        tmp = dir;
        plan = KerasVggFiles.plan(VggArchitecture.vgg16(1000));
        assertThat(plan.parameters()).isEqualTo(138_357_544L);
        file = tmp.resolve("my_vgg16_weights_tf_dim_ordering_tf_kernels.h5");
        long started = System.nanoTime();
        KerasVggFiles.write(file, plan, SEED);
        step("write the file (" + Files.size(file) / 1_000_000 + " MB)", started);
        // the published file is 553,467,096 bytes: the same datasets plus h5py/Keras metadata
        assertThat(Files.size(file)).isBetween(553_000_000L, 554_000_000L);
        data = TestFolders.imageFolder(tmp.resolve("photos"), Map.of("cat", 4, "dog", 4));
    }

    private static void step(String what, long startedNanos) {
        System.err.printf(Locale.ROOT, "full-size vgg16: %s took %.1f s%n", what,
                (System.nanoTime() - startedNanos) / 1e9);
    }

    @Test
    @Order(1)
    void loaderPutsEveryLayerWhereItBelongs() {
        List<String> notes = new ArrayList<>();
        long started = System.nanoTime();
        BackboneLoader.Loaded loaded = new BackboneLoader(tmp.resolve("models"), notes::add).load(
                new BackboneChoice("vgg16", false, ArchitectureSettings.defaults(),
                        new WeightsSettings(file.toString(), null, null, WeightsSettings.ANY_MD5)),
                List.of("cat", "dog"), List.of(), null, Seeds.of(SEED));
        step("load through BackboneLoader (--weights-md5 any)", started);
        assertThat(notes).anySatisfy(n -> assertThat(n)
                .startsWith("warning: --weights " + file + ": checksum not checked (--weights-md5 any); its MD5 is"));
        ComputationGraph graph = loaded.graph();
        assertThat(graph.numParams()).isEqualTo(plan.parameters());

        for (KerasVggFiles.Layer layer : plan.weighted()) {
            INDArray w = graph.getLayer(layer.name()).getParam("W");
            INDArray b = graph.getLayer(layer.name()).getParam("b");
            long[] k = layer.kernel();
            long kernelCount = w.length();
            assertThat(kernelCount).as(layer.name()).isEqualTo(java.util.Arrays.stream(k).reduce(1, (x, y) -> x * y));
            SplittableRandom spots = new SplittableRandom(layer.index());
            List<Long> indices = new ArrayList<>(List.of(0L, kernelCount - 1));
            for (int i = 0; i < SPOTS; i++) {
                indices.add(spots.nextLong(kernelCount));
            }
            for (long flat : indices) {
                float expected = KerasVggFiles.value(SEED, layer, KerasVggFiles.KERNEL, flat);
                double actual;
                if (k.length == 4) {
                    // Keras (kh, kw, in, out) → DL4J (out, in, kh, kw)
                    long o = flat % k[3];
                    long in = flat / k[3] % k[2];
                    long kw = flat / (k[3] * k[2]) % k[1];
                    long kh = flat / (k[3] * k[2] * k[1]);
                    actual = w.getDouble(o, in, kh, kw);
                } else {
                    actual = w.getDouble(flat / k[1], flat % k[1]);   // dense (in, out) as it is
                }
                assertThat(actual).as("%s kernel, Keras flat index %d", layer.name(), flat).isEqualTo(expected);
            }
            long n = layer.bias()[0];
            for (long j : new long[] {0, n / 3, n - 1}) {
                assertThat(b.getDouble(j)).as("%s bias %d", layer.name(), j)
                        .isEqualTo(KerasVggFiles.value(SEED, layer, KerasVggFiles.BIAS, j));
            }
        }
        checkFc1RowsFollowTheNhwcFlatten(graph);
    }

    /**
     * fc1's 25,088 rows are Keras's flatten order (h, w, c) of block5_pool; the NHWC network's flatten has the same
     * order, so fc1's output must equal the sum over (h, w, c) of block5_pool × the file's row (h·7 + w)·512 + c —
     * and differ from the (c, h, w) order an NCHW network would need.
     */
    private void checkFc1RowsFollowTheNhwcFlatten(ComputationGraph graph) {
        float[] pixels = new float[224 * 224 * 3];
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (rng.nextDouble() * 200 - 100);   // on the scale of VGG-preprocessed pixels
        }
        INDArray x = Nd4j.create(pixels, new long[] {1, 224, 224, 3}, DataType.FLOAT);
        long started = System.nanoTime();
        Map<String, INDArray> acts = graph.feedForward(x, false);
        step("one forward pass at 224x224", started);
        INDArray pool = acts.get("block5_pool");
        assertThat(pool.shape()).containsExactly(1, 7, 7, 512);
        float[] a = pool.dup('c').data().asFloat();
        assertThat(pool.maxNumber().doubleValue()).as("block5_pool's largest activation").isPositive();
        KerasVggFiles.Layer fc1 = plan.layer("fc1");
        INDArray out = acts.get("fc1");
        int positive = 0;
        int orderMatters = 0;
        for (int o = 0; o < 64; o++) {
            double nhwc = KerasVggFiles.value(SEED, fc1, KerasVggFiles.BIAS, o);
            double nchw = nhwc;
            double magnitude = Math.abs(nhwc);
            for (int h = 0; h < 7; h++) {
                for (int w = 0; w < 7; w++) {
                    for (int c = 0; c < 512; c++) {
                        double v = a[(h * 7 + w) * 512 + c];
                        double weight = KerasVggFiles.value(SEED, fc1, KerasVggFiles.KERNEL,
                                ((h * 7L + w) * 512 + c) * 4096 + o);
                        nhwc += v * weight;
                        nchw += v * KerasVggFiles.value(SEED, fc1, KerasVggFiles.KERNEL,
                                ((long) c * 49 + h * 7 + w) * 4096 + o);
                        magnitude += Math.abs(v * weight);
                    }
                }
            }
            double tolerance = 1e-5 * magnitude;
            assertThat(out.getDouble(0, o)).as("fc1 output %d", o).isCloseTo(Math.max(0, nhwc),
                    org.assertj.core.data.Offset.offset(tolerance));
            if (nhwc > 0) {
                positive++;
            }
            if (Math.abs(Math.max(0, nchw) - Math.max(0, nhwc)) > 100 * tolerance) {
                orderMatters++;
            }
        }
        assertThat(positive).as("fc1 outputs that are not cut by the ReLU").isGreaterThan(8);
        assertThat(orderMatters).as("fc1 outputs that the (c, h, w) row order would change").isGreaterThan(8);
    }

    /**
     * Lets the previous step's networks go: their arrays are off-heap and freed only when the heap is collected, which
     * a 4 GB heap rarely needs, so without this the JVM holds every step's VGG16 at once (8.9 GB resident, measured).
     */
    @AfterEach
    void releaseTheNetworks() {
        System.gc();
    }

    private Cli.Result train(String name, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--name", name,
                "--model", "vgg16", "--weights", file.toString(), "--weights-md5", "any",
                "--models-dir", tmp.resolve("models").toString(), "--reports-dir", tmp.resolve("reports").toString(),
                "--protocol", "center"));
        args.addAll(List.of(extra));
        long started = System.nanoTime();
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        step(String.join(" ", extra), started);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("warning: --weights " + file + ": checksum not checked");
        assertThat(tmp.resolve("models").resolve(name).resolve("bundle.json")).exists();
        return r;
    }

    @Test
    @Order(2)
    void featuresModeRunsOnTheFullSizeFile() {
        Cli.Result r = train("features", "--mode", "features", "--cache", tmp.resolve("features").toString(),
                "--folds", "2");   // the tiny folder's training split has 4 images
        assertThat(r.out()).contains("test accuracy");
    }

    @Test
    @Order(3)
    void oneEpochFineTuneRunsOnTheFullSizeFile() {
        Cli.Result r = train("finetune", "--epochs", "1", "--batch-size", "4");
        assertThat(r.err()).contains("epoch 1/1");
        assertThat(r.out()).contains("test accuracy");
    }
}
