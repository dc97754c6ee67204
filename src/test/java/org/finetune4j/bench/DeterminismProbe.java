package org.finetune4j.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.finetune4j.cli.Finetune4j;
import org.finetune4j.core.Backend;
import org.finetune4j.features.LinearClassifier;
import org.finetune4j.features.LinearModel;
import org.finetune4j.features.LogisticRegression;
import org.finetune4j.model.BundleStore;
import org.finetune4j.testing.TestFolders;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Measures what the same seed reproduces: runs fine-tuning, features mode and a logistic-regression fit, and dumps
 * the resulting parameters, so that runs under different thread counts and instruction sets can be compared bit by
 * bit and, where they differ, by how much. The README's "Reproducibility" section states its findings.
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * CP="target/test-classes:target/classes:$(cat target/cp.txt)"
 * OMP_NUM_THREADS=1 java -cp "$CP" org.finetune4j.bench.DeterminismProbe run target/det/avx512-t1
 * DNNL_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell java -cp "$CP" org.finetune4j.bench.DeterminismProbe run target/det/avx2-t2
 * java -cp "$CP" org.finetune4j.bench.DeterminismProbe compare target/det/avx512-t1 target/det/avx2-t2
 * </pre>
 * Run {@code run} from the repository root: the probe's images are generated under {@code target/determinism-data}
 * from their relative paths, so every run sees the same bytes.
 */
public final class DeterminismProbe {

    private static final List<String> ARTIFACTS = List.of("finetune", "features", "logreg");

    private DeterminismProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("run")) {
            run(Path.of(args[1]));
        } else if (args.length == 3 && args[0].equals("compare")) {
            compare(Path.of(args[1]), Path.of(args[2]));
        } else {
            System.err.println("usage: DeterminismProbe run OUT | compare A B");
            System.exit(2);
        }
    }

    private static void run(Path out) throws Exception {
        Backend.setUp();
        Files.createDirectories(out);
        Path data = Path.of("target/determinism-data/photos");
        if (!Files.isDirectory(data)) {
            TestFolders.imageFolder(data, Map.of("a", 24, "b", 24, "c", 24));
        }
        Path models = out.resolve("models");
        if (!Files.isDirectory(models.resolve("mini-vgg-shapes"))) {
            TestFolders.copyTree(Path.of("models/mini-vgg-shapes"), models.resolve("mini-vgg-shapes"));
        }
        String[] common = {"--data", data.toString(), "--models-dir", models.toString(), "--reports-dir",
            out.resolve("reports").toString(), "--quiet", "--seed", "7"};
        cli(common, "train", "--name", "finetune", "--epochs", "3", "--patience", "0");
        cli(common, "train", "--name", "features", "--mode", "features", "--cache", out.resolve("cache").toString());
        System.out.println("native threads " + NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads()
                + ", " + Backend.describe().summary());
        write(out.resolve("finetune.bin"), floats(models.resolve("finetune")));
        write(out.resolve("features.bin"), floats(models.resolve("features")));

        int n = 4000;
        int classes = 10;
        int dims = 512;
        double[][] x = new double[n][dims];
        int[] y = new int[n];
        SplittableRandom rng = new SplittableRandom(3);
        double[][] means = new double[classes][dims];
        for (double[] m : means) {
            for (int j = 0; j < dims; j++) {
                m[j] = rng.nextDouble(-1, 1);
            }
        }
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int j = 0; j < dims; j++) {
                x[i][j] = means[y[i]][j] + rng.nextDouble(-1, 1) * 2;
            }
        }
        LinearModel m = new LogisticRegression(LinearClassifier.Penalty.L2, 30).fit(x, y, classes, 1.0);
        double[] flat = new double[classes * (dims + 1)];
        for (int k = 0; k < classes; k++) {
            System.arraycopy(m.weights()[k], 0, flat, k * dims, dims);
            flat[classes * dims + k] = m.bias()[k];
        }
        write(out.resolve("logreg.bin"), flat);
        for (String a : ARTIFACTS) {
            System.out.println(a + " sha256 " + sha256(Files.readAllBytes(out.resolve(a + ".bin"))));
        }
    }

    private static void cli(String[] common, String... args) {
        String[] all = new String[args.length + common.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(common, 0, all, args.length, common.length);
        int code = Finetune4j.run(all, new java.io.PrintWriter(System.out, true),
                new java.io.PrintWriter(System.err, true));
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", all) + ": exit " + code);
        }
    }

    private static double[] floats(Path bundle) {
        float[] f = BundleStore.load(bundle).graph().params().toFloatVector();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static void write(Path file, double[] v) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); DataOutputStream out = new DataOutputStream(os)) {
            out.writeInt(v.length);
            for (double e : v) {
                out.writeDouble(e);
            }
        }
    }

    private static double[] read(Path file) throws IOException {
        try (InputStream is = Files.newInputStream(file); DataInputStream in = new DataInputStream(is)) {
            double[] v = new double[in.readInt()];
            for (int i = 0; i < v.length; i++) {
                v[i] = in.readDouble();
            }
            return v;
        }
    }

    private static void compare(Path a, Path b) throws IOException {
        for (String name : ARTIFACTS) {
            double[] x = read(a.resolve(name + ".bin"));
            double[] y = read(b.resolve(name + ".bin"));
            double maxAbs = 0;
            double scale = 0;
            int differing = 0;
            for (int i = 0; i < x.length; i++) {
                double d = Math.abs(x[i] - y[i]);
                if (d != 0) {
                    differing++;
                }
                maxAbs = Math.max(maxAbs, d);
                scale = Math.max(scale, Math.abs(x[i]));
            }
            System.out.printf(Locale.ROOT, "%-9s %s  %d of %d values differ, max |diff| %.3g, relative to max |value| "
                    + "%.3g%n", name, differing == 0 ? "bit-identical" : "DIFFERENT    ", differing, x.length, maxAbs,
                    maxAbs / scale);
        }
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
