package org.finetune4j.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.Progress;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Resolves {@code --model} into a backbone ready for a new head: a built-in architecture (with ImageNet weights for
 * {@code vgg16}/{@code vgg19}, downloaded once and verified), or a bundle under {@code models/}; for mode
 * {@code scratch}, the same architecture freshly initialised. Used by training, feature extraction and the checks.
 * <pre>{@code
 * BackboneLoader.Loaded b = new BackboneLoader(Path.of("models"), System.err::println)
 *         .load(config.backbone(), classes, split.train(), decoder, seeds);
 * }</pre>
 */
public final class BackboneLoader {

    private final Path modelsDir;
    private final Consumer<String> log;
    private final java.util.Map<BackboneChoice, Path> fetched = new java.util.HashMap<>();

    /**
     * @param modelsDir where bundle backbones are found
     * @param log       receives one-line notes for the user (downloads, weights files)
     */
    public BackboneLoader(Path modelsDir, Consumer<String> log) {
        this.modelsDir = modelsDir;
        this.log = log;
    }

    /**
     * A backbone as training sees it.
     *
     * @param graph              the network, with its original classifier still on top
     * @param preprocessing      what its inputs go through
     * @param name               the backbone's name as recorded in bundles ({@code vgg16}, {@code mini-vgg-shapes}…)
     */
    public record Loaded(ComputationGraph graph, Preprocessing preprocessing, String name) {
    }

    /**
     * @param cfg     the backbone, whether fresh, how a fresh network is built, where weights come from
     * @param classes the target classes
     * @param train   the training split (a fresh mini VGG takes its mean/std from it)
     * @return the backbone with its preprocessing; for {@code scratch}, freshly initialised
     */
    public Loaded load(BackboneChoice cfg, List<String> classes, List<LabeledImage> train, ImageDecoder decoder,
                       Seeds seeds) {
        Optional<BackboneSpec> builtIn = Backbones.find(cfg.model());
        boolean scratch = cfg.fresh();
        ArchitectureSettings a = cfg.architecture();
        if (builtIn.isPresent()) {
            BackboneSpec spec = builtIn.get();
            if (spec.pretrained() && !scratch) {
                VggArchitecture arch = spec.architecture().build(1000, a);
                boolean zoo = isZooZip(cfg.weights());
                Path weights = weights(cfg).orElseThrow();
                log.accept("loading " + spec.name() + (cfg.weights().md5() == null ? " ImageNet" : "")
                        + " weights from " + weights);
                ComputationGraph graph = zoo ? Dl4jZooWeights.load(weights, arch)
                        : KerasVggWeights.load(weights, arch, seeds.value("init-backbone"));
                return new Loaded(graph, spec.preprocessing(), spec.name());
            }
            if (!spec.pretrained() && !scratch) {
                throw new UsageException("--model " + spec.name() + " --mode finetune: " + spec.name() + " has no "
                        + "pretrained weights. Use --mode scratch, `finetune4j pretrain`, or a pretrained bundle such "
                        + "as mini-vgg-shapes.");
            }
            VggArchitecture arch = spec.architecture().build(classes.size(), a)
                    .with(Activations.parse("--activation", a.activation()), Activations.parseInit("--init", a.init()));
            Preprocessing pre = spec.preprocessingFromData()
                    ? datasetMeanStd(arch.input(), train, decoder, seeds) : spec.preprocessing();
            return new Loaded(arch.build(seeds.value("init-backbone")), pre, spec.name());
        }
        Path dir = Backbones.findBundle(cfg.model(), modelsDir)
                .orElseThrow(() -> Backbones.unknown(cfg.model(), modelsDir));
        BundleStore.Loaded loaded = BundleStore.load(dir);
        if (scratch) {
            // the same architecture with fresh weights: the fair "from scratch" baseline for a fine-tuning run
            ComputationGraph fresh = new ComputationGraph(loaded.graph().getConfiguration().clone());
            seeds.applyToNd4j("scratch-init");
            fresh.init();
            return new Loaded(fresh, loaded.bundle().preprocessing(), dir.getFileName().toString());
        }
        return new Loaded(loaded.graph(), loaded.bundle().preprocessing(), dir.getFileName().toString());
    }

    /**
     * The backbone's default freeze point without loading any weights: the registry's for a built-in backbone, and
     * for a bundle the registry's default of the architecture it was trained from (read from its {@code bundle.json}).
     *
     * @param cfg the backbone
     * @return the default freeze point, or null when the backbone has none (or is built fresh)
     */
    public String defaultFreezeUntil(BackboneChoice cfg) {
        if (cfg.fresh()) {
            return null;
        }
        Optional<BackboneSpec> builtIn = Backbones.find(cfg.model());
        if (builtIn.isPresent()) {
            return builtIn.get().pretrained() ? builtIn.get().defaultFreezeUntil() : null;
        }
        Path dir = Backbones.findBundle(cfg.model(), modelsDir)
                .orElseThrow(() -> Backbones.unknown(cfg.model(), modelsDir));
        return Backbones.find(BundleStore.readMeta(dir).backbone()).map(BackboneSpec::defaultFreezeUntil)
                .orElse(null);
    }

    /**
     * The pretrained weights file of a backbone, downloaded once into the cache (or the user's {@code --weights} file,
     * verified), so that a run can fetch it before any other work; remembered for {@link #load}.
     *
     * @return the file, or empty when the backbone is built fresh or has no pretrained weights
     */
    public Optional<Path> weights(BackboneChoice cfg) {
        Optional<BackboneSpec> spec = Backbones.find(cfg.model());
        if (cfg.fresh() || spec.isEmpty() || !spec.get().pretrained()) {
            return Optional.empty();
        }
        return Optional.of(fetched.computeIfAbsent(cfg, c -> pretrainedWeights(isZooZip(c.weights())
                ? spec.get().weights().zoo() : spec.get().weights().keras(), c.weights())));
    }

    /** DL4J's zoo zip is the source when the file or mirror URL names a {@code .zip}; otherwise Keras's HDF5. */
    private static boolean isZooZip(WeightsSettings w) {
        return (w.file() != null && w.file().endsWith(".zip")) || (w.url() != null && w.url().endsWith(".zip"));
    }

    private Path pretrainedWeights(WeightsSource source, WeightsSettings w) {
        WeightsSource src = source;
        if (w.url() != null) {
            src = src.withUrl(w.url());
        }
        if (w.file() != null) {
            return WeightsCache.verified(Path.of(w.file()), src, w.md5(), log);
        }
        WeightsCache cache = w.cacheDir() != null ? WeightsCache.of(Path.of(w.cacheDir())) : WeightsCache.defaults();
        if (Files.isRegularFile(cache.pathOf(src))) {
            return cache.fetch(src, (done, total) -> { });
        }
        log.accept("downloading " + src.url() + " to " + cache.pathOf(src) + " (once)");
        try (Progress p = Progress.start("downloading " + src.fileName(), 0, " B", true)) {
            return cache.fetch(src, (done, total) -> p.stepTo(done));
        }
    }

    /**
     * Per-channel mean and standard deviation of up to 512 training images (evaluation geometry), on the 0–255
     * scale: the normalisation of a network trained from scratch.
     */
    public static Preprocessing datasetMeanStd(InputShape input, List<LabeledImage> train, ImageDecoder decoder,
                                        Seeds seeds) {
        Preprocessing geometry = Preprocessing.meanStd(input, new double[] {0, 0, 0}, new double[] {1, 1, 1});
        List<LabeledImage> sample = new ArrayList<>(train);
        Seeds.shuffle(sample, seeds.stream("mean-std-sample"));
        sample = sample.subList(0, Math.min(512, sample.size()));
        double[] sum = new double[3];
        double[] sq = new double[3];
        long n = 0;
        for (LabeledImage im : sample) {
            try (Mat m = decoder.decode(im.file(), im.relativePath()); Mat f = geometry.fit(m)) {
                INDArray x = geometry.toInput(f);
                for (int c = 0; c < 3; c++) {
                    INDArray ch = x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),   // NHWC
                            org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(c));
                    sum[c] += ch.sumNumber().doubleValue();
                    sq[c] += ch.mul(ch).sumNumber().doubleValue();
                }
                n += (long) input.height() * input.width();
            } catch (BadImageException e) {
                // screened files should decode; one that does not is simply left out of the statistics
            }
        }
        if (n == 0) {
            return Preprocessing.vgg(input);
        }
        double[] mean = new double[3];
        double[] std = new double[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = sum[c] / n;
            std[c] = Math.max(1.0, Math.sqrt(Math.max(0, sq[c] / n - mean[c] * mean[c])));
        }
        return Preprocessing.meanStd(input, mean, std);
    }
}
