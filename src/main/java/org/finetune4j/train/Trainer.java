package org.finetune4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bytedeco.opencv.opencv_core.Mat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.augment.Augmenter;
import org.finetune4j.augment.ImageSize;
import org.finetune4j.augment.Recipe;
import org.finetune4j.augment.RecipeLoader;
import org.finetune4j.core.Backend;
import org.finetune4j.core.Fingerprint;
import org.finetune4j.core.Json;
import org.finetune4j.core.RunInfo;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.BadImageFilter;
import org.finetune4j.data.BadImageLog;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.data.Split;
import org.finetune4j.data.StratifiedSplitter;
import org.finetune4j.model.BackboneSpec;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.Dl4jZooWeights;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.KerasVggWeights;
import org.finetune4j.model.WeightsCache;
import org.finetune4j.model.WeightsSource;
import org.finetune4j.report.Progress;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.model.VggArchitecture;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training run end to end: data (scan, split, screen), backbone, new head and freeze point, augmentation, the
 * training stages, the test-split evaluation and the bundle — or, after Ctrl-C, a checkpoint that {@code --resume}
 * continues.
 * <pre>{@code
 * TrainResult r = new Trainer(Path.of("models"), System.err::println).run(config, false, () -> false, listener);
 * }</pre>
 */
public final class Trainer {

    private final Path modelsDir;
    private final Consumer<String> log;

    /**
     * @param modelsDir where bundles and checkpoints are written and bundle backbones are found
     * @param log       receives one-line notes for the user (stderr in the CLI)
     */
    public Trainer(Path modelsDir, Consumer<String> log) {
        this.modelsDir = modelsDir;
        this.log = log;
    }

    /** The backbone as training sees it. */
    private record Backbone(ComputationGraph graph, Preprocessing preprocessing, String name,
                            String defaultFreezeUntil) {
    }

    /**
     * @param resume   continue the interrupted run of the same name from its checkpoint
     * @param stop     polled after every batch (Ctrl-C)
     * @param listener receives every finished epoch
     */
    public TrainResult run(TrainConfig cfg, boolean resume, Supplier<Boolean> stop,
                           TrainingLoop.EpochListener listener) {
        long started = System.nanoTime();
        Backend.setUp();   // oneDNN layer helpers: decided per layer when a network is built, so before any
        Seeds seeds = Seeds.of(cfg.seed());
        seeds.applyToNd4j();
        Recipe recipe = RecipeLoader.load(cfg.data().augment());
        Checkpoints checkpoints = new Checkpoints(modelsDir.resolve(cfg.name() + ".checkpoint"));
        if (!resume && checkpoints.exists()) {
            throw new UsageException("--name " + cfg.name() + ": an interrupted run left a checkpoint at "
                    + checkpoints.dir() + ". Add --resume to continue it, or delete that folder to start over.");
        }

        Path dataRoot = Path.of(cfg.data().folder());
        ImageFolder folder = ImageFolder.scan(dataRoot);
        folder.warnings().forEach(w -> log.accept("warning: " + w));
        StratifiedSplitter.SplitResult splitResult = StratifiedSplitter.split(folder, cfg.data().split(), seeds);
        splitResult.warnings().forEach(w -> log.accept("warning: " + w));
        ImageDecoder decoder = ImageDecoder.defaults();
        BadImageFilter.Result screened = BadImageFilter.screen(splitResult.split(), decoder, cfg.data().onBadImage(),
                cfg.data().threads());
        BadImageLog badImages = new BadImageLog();
        badImages.addAll(screened.bad());
        Split split = screened.split();
        List<String> classes = folder.classes();

        JsonNode runConfig = runConfig(cfg, classes);
        ComputationGraph graph;
        Preprocessing preprocessing;
        String backboneName;
        CheckpointState state = CheckpointState.start();
        INDArray bestParams = null;
        if (resume) {
            Checkpoints.Saved saved = checkpoints.load();
            checkResumable(saved.runConfig(), runConfig, checkpoints.dir());
            runConfig = saved.runConfig();
            graph = saved.graph();
            state = saved.state();
            bestParams = saved.bestParams();
            preprocessing = Json.mapper().convertValue(saved.runConfig().get("preprocessing"), Preprocessing.class);
            backboneName = saved.runConfig().path("backbone").asText();
            log.accept("resuming " + cfg.name() + " at epoch " + (state.epochIndex() + 1) + ", batch "
                    + state.nextBatch() + " (stage " + state.stage() + ")");
        } else {
            Backbone backbone = backbone(cfg, classes, split.train(), decoder, seeds);
            preprocessing = backbone.preprocessing();
            backboneName = backbone.name();
            String freezeUntil = cfg.mode().equals("scratch") || "none".equals(cfg.freezeUntil()) ? null
                    : cfg.freezeUntil() != null ? cfg.freezeUntil() : backbone.defaultFreezeUntil();
            graph = FineTuner.build(backbone.graph(), preprocessing.input(), freezeUntil, cfg.head(),
                    classes.size(), cfg.optimizer(), seeds.value("init"));
            ((ObjectNode) runConfig).set("preprocessing", Json.mapper().valueToTree(preprocessing));
            ((ObjectNode) runConfig).put("backbone", backboneName);
            ((ObjectNode) runConfig).put("freeze-until", freezeUntil);
        }

        InputShape input = preprocessing.input();
        Augmenter augmenter = Augmenter.of(recipe, new ImageSize(input.height(), input.width()), seeds);
        int threads = cfg.data().threads();
        int batch = cfg.schedule().batchSize();
        // A recipe without steps (augment/none.yaml) trains on exactly the evaluation view: the same code path as
        // evaluation and `predict` (Preprocessing.fit), so train-time and predict-time tensors are identical.
        Augmentation augmentation = recipe.steps().isEmpty() ? null : augmenter::augment;
        try (ImageBatches train = new ImageBatches(split.train(), classes.size(), preprocessing, decoder,
                augmentation, batch, true, seeds, threads, badImages);
             ImageBatches val = new ImageBatches(split.val(), classes.size(), preprocessing, decoder, null, batch,
                     false, seeds, threads, badImages);
             ImageBatches test = new ImageBatches(split.test(), classes.size(), preprocessing, decoder, null, batch,
                     false, seeds, threads, badImages)) {
            TrainingLoop.Outcome outcome = null;
            if (state.stage() == 1) {
                TrainingLoop.Stage s1 = new TrainingLoop.Stage(1, cfg.schedule().epochs(), cfg.optimizer(),
                        cfg.schedule().earlyStopping());
                outcome = new TrainingLoop(s1, seeds).run(graph, train, val, state, bestParams, checkpoints,
                        runConfig, stop, listener);
                if (outcome.interrupted()) {
                    return interrupted(outcome, badImages, started, checkpoints, graph);
                }
                graph = outcome.graph();
                state = outcome.state();
                bestParams = outcome.bestParams();
                if (cfg.stage2() != null) {
                    graph = FineTuner.unfreezeAbove(graph, cfg.stage2().unfreeze(),
                            cfg.optimizer().toUpdater(cfg.stage2().learningRate()));
                    log.accept("stage 2: layers above " + cfg.stage2().unfreeze() + " unfrozen, learning rate "
                            + cfg.stage2().learningRate());
                    state = new CheckpointState(2, state.epochIndex(), 0, 0, 0, 0, 0, 0, state.history(),
                            state.bestScore(), 0, false);
                    bestParams = graph.params().dup();
                }
            }
            if (state.stage() == 2 && cfg.stage2() != null) {
                TrainingLoop.Stage s2 = new TrainingLoop.Stage(2, cfg.stage2().epochs(),
                        cfg.optimizer().withLearningRate(cfg.stage2().learningRate()),
                        cfg.schedule().earlyStopping());
                outcome = new TrainingLoop(s2, seeds).run(graph, train, val, state, bestParams, checkpoints,
                        runConfig, stop, listener);
                if (outcome.interrupted()) {
                    return interrupted(outcome, badImages, started, checkpoints, graph);
                }
                graph = outcome.graph();
                state = outcome.state();
            }
            double[] testStats = test.size() == 0 ? new double[] {Double.NaN, Double.NaN}
                    : TrainingLoop.evaluate(graph, test);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("test-accuracy", testStats[1]);
            metrics.put("test-loss", testStats[0]);
            EpochStats best = state.history().best();
            if (best != null) {
                metrics.put("best-val-accuracy", best.valAccuracy());
                metrics.put("best-val-loss", best.valLoss());
                metrics.put("best-epoch", (double) best.epoch());
            }
            metrics.values().removeIf(v -> v == null || v.isNaN());
            ModelBundle meta = new ModelBundle(ModelBundle.FORMAT_VERSION, cfg.name(), classes, preprocessing,
                    backboneName, runConfig.path("freeze-until").isNull() ? null
                    : runConfig.path("freeze-until").asText(null), null, cfg.mode(), runConfig,
                    fingerprint(folder), metrics, split.test().stream().map(LabeledImage::relativePath).toList(),
                    cfg.data().folder(), RunInfo.current(cfg.seed()), null);
            Path dir = modelsDir.resolve(cfg.name());
            ModelBundle written = BundleStore.save(dir, graph, meta);
            checkpoints.delete();
            return new TrainResult(dir, written, state.history(), testStats[0], testStats[1], badImages.list(),
                    (System.nanoTime() - started) / 1e9, false, checkpoints.dir(), FineTuner.frozenLayers(graph));
        }
    }

    private TrainResult interrupted(TrainingLoop.Outcome outcome, BadImageLog badImages, long started,
                                    Checkpoints checkpoints, ComputationGraph graph) {
        return new TrainResult(null, null, outcome.state().history(), Double.NaN, Double.NaN, badImages.list(),
                (System.nanoTime() - started) / 1e9, true, checkpoints.dir(), FineTuner.frozenLayers(graph));
    }

    private Backbone backbone(TrainConfig cfg, List<String> classes, List<LabeledImage> train, ImageDecoder decoder,
                              Seeds seeds) {
        Optional<BackboneSpec> builtIn = Backbones.find(cfg.model());
        boolean scratch = cfg.mode().equals("scratch");
        TrainConfig.ArchitectureSettings a = cfg.architecture();
        if (builtIn.isPresent()) {
            BackboneSpec spec = builtIn.get();
            if (spec.pretrained() && !scratch) {
                VggArchitecture arch = spec.architecture().apply(1000);
                Path weights = pretrainedWeights(spec.name(), cfg.weights());
                log.accept("loading " + spec.name() + " ImageNet weights from " + weights);
                ComputationGraph graph = isZooZip(cfg.weights()) ? Dl4jZooWeights.load(weights, arch)
                        : KerasVggWeights.load(weights, arch, seeds.value("init-backbone"));
                return new Backbone(graph, spec.preprocessing(), spec.name(), spec.defaultFreezeUntil());
            }
            if (!spec.pretrained() && !scratch) {
                throw new UsageException("--model " + spec.name() + " --mode finetune: " + spec.name() + " has no "
                        + "pretrained weights. Use --mode scratch, `finetune4j pretrain`, or a pretrained bundle such "
                        + "as mini-vgg-shapes.");
            }
            VggArchitecture arch = spec.name().equals("mini-vgg")
                    ? VggArchitecture.miniVgg(a.inputSize(), classes.size(), a.batchNorm())
                    : spec.architecture().apply(classes.size());
            arch = arch.with(Activations.parse("--activation", a.activation()),
                    Activations.parseInit("--init", a.init()));
            Preprocessing pre = spec.name().equals("mini-vgg")
                    ? datasetMeanStd(arch.input(), train, decoder, seeds) : spec.preprocessing();
            return new Backbone(arch.build(seeds.value("init-backbone")), pre, spec.name(), null);
        }
        Path dir = Backbones.findBundle(cfg.model(), modelsDir)
                .orElseThrow(() -> Backbones.unknown(cfg.model(), modelsDir));
        BundleStore.Loaded loaded = BundleStore.load(dir);
        String arch = loaded.bundle().backbone();
        String defaultFreeze = Backbones.find(arch).map(BackboneSpec::defaultFreezeUntil).orElse(null);
        if (scratch) {
            // the same architecture with fresh weights: the fair "from scratch" baseline for a fine-tuning run
            ComputationGraph fresh = new ComputationGraph(loaded.graph().getConfiguration().clone());
            seeds.applyToNd4j("scratch-init");
            fresh.init();
            return new Backbone(fresh, loaded.bundle().preprocessing(), dir.getFileName().toString(), null);
        }
        return new Backbone(loaded.graph(), loaded.bundle().preprocessing(), dir.getFileName().toString(),
                defaultFreeze);
    }

    /** DL4J's zoo zip is the source when the file or mirror URL names a {@code .zip}; otherwise Keras's HDF5. */
    private static boolean isZooZip(TrainConfig.WeightsSettings w) {
        return (w.file() != null && w.file().endsWith(".zip")) || (w.url() != null && w.url().endsWith(".zip"));
    }

    private Path pretrainedWeights(String name, TrainConfig.WeightsSettings w) {
        boolean vgg19 = name.equals("vgg19");
        WeightsSource src = isZooZip(w) ? (vgg19 ? WeightsSource.dl4jVgg19() : WeightsSource.dl4jVgg16())
                : vgg19 ? WeightsSource.kerasVgg19(true) : WeightsSource.kerasVgg16(true);
        if (w.url() != null) {
            src = src.withUrl(w.url());
        }
        if (w.file() != null) {
            return WeightsCache.verified(Path.of(w.file()), src);
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
    static Preprocessing datasetMeanStd(InputShape input, List<LabeledImage> train, ImageDecoder decoder,
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
                    INDArray ch = x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
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

    private static JsonNode runConfig(TrainConfig cfg, List<String> classes) {
        ObjectNode node = Json.mapper().valueToTree(cfg);
        node.set("labels", Json.mapper().valueToTree(classes));
        // through text and back, so that numbers compare as they will after a checkpoint is read (42 is an int)
        try {
            return Json.mapper().readTree(Json.mapper().writeValueAsString(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the run configuration cannot be written as JSON", e);
        }
    }

    private static void checkResumable(JsonNode saved, JsonNode now, Path where) {
        List<String> savedLabels = Json.mapper().convertValue(saved.get("labels"), List.class);
        List<String> labels = Json.mapper().convertValue(now.get("labels"), List.class);
        if (!labels.equals(savedLabels)) {
            throw new UsageException("--resume: the data's classes " + labels + " differ from the checkpoint's "
                    + savedLabels + " (" + where + "). Expected the same classes; resume with the data the run "
                    + "started with, or start a new run under another --name.");
        }
        List<String> differences = new ArrayList<>();
        now.fieldNames().forEachRemaining(k -> {
            if (!k.equals("labels") && !now.get(k).equals(saved.get(k))) {
                differences.add(k);
            }
        });
        if (!differences.isEmpty()) {
            throw new UsageException("--resume: options differ from the interrupted run's: " + differences
                    + ". Expected the same options (" + where + "/state.json has them); resume with them, or start "
                    + "a new run under another --name.");
        }
    }

    /** Fingerprint of the training data: count and SHA-256 over sorted relative paths, sizes and file hashes. */
    private static JsonNode fingerprint(ImageFolder folder) {
        StringBuilder listing = new StringBuilder();
        long bytes = 0;
        for (LabeledImage im : folder.images()) {
            long size;
            String sha;
            try {
                size = Files.size(im.file());
                sha = Fingerprint.sha256(im.file());
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                size = -1;
                sha = "unreadable";
            }
            bytes += Math.max(0, size);
            listing.append(im.relativePath()).append(' ').append(size).append(' ').append(sha).append('\n');
        }
        ObjectNode fp = Json.mapper().createObjectNode();
        fp.put("files", folder.images().size());
        fp.put("bytes", bytes);
        fp.put("classes", folder.classes().size());
        fp.put("sha256", Fingerprint.sha256(listing.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return fp;
    }
}
