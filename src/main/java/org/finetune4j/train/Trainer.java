package org.finetune4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.augment.Augmenter;
import org.finetune4j.augment.ImageSize;
import org.finetune4j.augment.Recipe;
import org.finetune4j.augment.RecipeLoader;
import org.finetune4j.core.RunInfo;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImageLog;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.data.Split;
import org.finetune4j.data.TrainingData;
import org.finetune4j.model.BackboneLoader;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.run.ClassWeights;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.EpochStats;
import org.finetune4j.run.Mode;
import org.finetune4j.run.PreparedRun;
import org.finetune4j.run.ResolvedRun;
import org.finetune4j.run.RunSetup;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.run.TrainResult;
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
    private final boolean progress;
    private final Duration checkpointInterval;
    private boolean testPass = true;

    /**
     * The least time between two epoch-end checkpoints. A checkpoint of VGG16 with Adam's state is about 2 GB: written
     * after every 10-second epoch of head training it cost half as much again as the training. A {@code kill -9}
     * loses the work since the last checkpoint: at most this interval and the epoch under way. Ctrl-C always
     * checkpoints.
     */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(60);

    /**
     * A trainer without progress bars.
     *
     * @param modelsDir where bundles and checkpoints are written and bundle backbones are found
     * @param log       receives one-line notes for the user (stderr in the CLI)
     */
    public Trainer(Path modelsDir, Consumer<String> log) {
        this(modelsDir, log, false);
    }

    /**
     * @param modelsDir where bundles and checkpoints are written and bundle backbones are found
     * @param log       receives one-line notes for the user (stderr in the CLI)
     * @param progress  show progress bars on stderr (computing the frozen layers' outputs)
     */
    public Trainer(Path modelsDir, Consumer<String> log, boolean progress) {
        this(modelsDir, log, progress, DEFAULT_CHECKPOINT_INTERVAL);
    }

    /**
     * @param checkpointInterval the least time between epoch-end checkpoints ({@link Duration#ZERO}: after every
     *                           epoch); an interrupted run (Ctrl-C) is always checkpointed
     */
    public Trainer(Path modelsDir, Consumer<String> log, boolean progress, Duration checkpointInterval) {
        if (checkpointInterval.isNegative()) {
            throw new UsageException("--checkpoint-interval " + checkpointInterval.toSeconds() + ": expected 0 or "
                    + "more seconds (0 checkpoints after every epoch).");
        }
        this.modelsDir = modelsDir;
        this.log = log;
        this.progress = progress;
        this.checkpointInterval = checkpointInterval;
    }

    /**
     * For a caller that evaluates the bundle on its test split anyway ({@code train}'s end-of-run evaluation): the
     * run ends without its own pass over the test split, and its result and bundle carry no test scores (NaN) until
     * the caller records them. A VGG16 pass costs about 0.2 s per test image on 2 cores.
     *
     * @return this trainer
     */
    public Trainer withoutTestPass() {
        this.testPass = false;
        return this;
    }

    /**
     * @param resume   continue the interrupted run of the same name from its checkpoint
     * @param stop     polled after every batch (Ctrl-C)
     * @param listener receives every finished epoch
     */
    public TrainResult run(TrainConfig cfg, boolean resume, Supplier<Boolean> stop,
                           TrainingLoop.EpochListener listener) {
        if (cfg.mode() == Mode.FEATURES) {
            throw new IllegalArgumentException("mode features is run by features.FeatureTrainer, not Trainer");
        }
        long started = System.nanoTime();
        Recipe recipe = RecipeLoader.load(cfg.data().augment());   // a bad recipe fails before any work
        Checkpoints checkpoints = new Checkpoints(modelsDir.resolve(cfg.name() + ".checkpoint"));
        if (!resume && checkpoints.exists()) {
            throw new UsageException("--name " + cfg.name() + ": an interrupted run left a checkpoint at "
                    + checkpoints.dir() + ". Add --resume to continue it, or delete that folder to start over.");
        }
        RunSetup setup = new RunSetup(modelsDir, log);
        PreparedRun run = setup.prepare(cfg);
        Seeds seeds = run.seeds();
        TrainingData data = run.data();
        ImageDecoder decoder = data.decoder();
        BadImageLog badImages = data.badImages();
        Split split = data.split();
        List<String> classes = data.classes();

        // the freeze point is resolved before the comparison with a checkpoint: a run started with the default one
        // resumes with the same command line (the checkpoint records the resolved layer)
        ResolvedRun resolved = run.resolved();
        ComputationGraph graph;
        CheckpointState state = CheckpointState.start();
        INDArray bestParams = null;
        INDArray savedUpdater = null;
        Supplier<ComputationGraph> backboneGraph;
        if (resume) {
            Checkpoints.Saved saved = checkpoints.load();
            ResolvedRun savedRun = ResolvedRun.fromJson(saved.runConfig());
            checkResumable(savedRun, resolved, checkpoints.dir());
            resolved = savedRun;
            graph = saved.graph();
            state = saved.state();
            bestParams = saved.bestParams();
            savedUpdater = saved.updater();
            log.accept("resuming " + cfg.name() + " at epoch " + (state.epochIndex() + 1) + ", batch "
                    + state.nextBatch() + " (stage " + state.stage() + ")");
            // the frozen layers' cached outputs are keyed by the backbone they come from: loaded only if needed
            backboneGraph = () -> setup.backbone(run).graph();
        } else {
            BackboneLoader.Loaded backbone = setup.backbone(run);
            graph = FineTuner.build(backbone.graph(), backbone.preprocessing().input(), run.freezeUntil(),
                    cfg.head(), classes.size(), cfg.optimizer(), seeds.value("init"));
            double[] weights = run.classWeights();
            ClassWeightedLoss.apply(graph, weights);   // a resumed graph carries them in its configuration
            if (weights != null) {
                log.accept("class weights (" + cfg.balance().classWeights() + "): "
                        + ClassWeights.describe(classes, weights));
            }
            resolved = resolved.withBackbone(backbone.name(), backbone.preprocessing());
            ComputationGraph loaded = backbone.graph();
            backboneGraph = () -> loaded;
        }
        Preprocessing preprocessing = resolved.preprocessing();
        String backboneName = resolved.backbone();
        JsonNode runConfig = resolved.toJson();

        InputShape input = preprocessing.input();
        log.accept("config: " + resolvedView(runConfig, input));
        Augmenter augmenter = Augmenter.of(recipe, new ImageSize(input.height(), input.width()), seeds);
        int threads = cfg.data().threads();
        int batch = cfg.schedule().batchSize();
        TrainingFeeds feeds = new TrainingFeeds(split.train(), split.val(), classes.size(), preprocessing, decoder,
                recipe, augmenter, cfg, seeds, badImages, log, progress);
        feeds.prepare(graph, cfg.stage2() == null || state.stage() > 1 ? List.of() : List.of(cfg.stage2().unfreeze()),
                backboneGraph);
        backboneGraph = null;   // the backbone's memory can go: the cut prefixes hold what training needs
        // ...now, not at a garbage collection that the small Java heap of training may not need for hours: the
        // backbone (0.55 GB for VGG16) is native memory that JavaCPP frees only once the collector has run
        System.gc();
        try (ImageBatches test = new ImageBatches(split.test(), classes.size(), preprocessing, decoder, null, batch,
                false, seeds, threads, badImages)) {
            // early stopping's auto metric as the run set-up resolved it from the training split's imbalance
            EarlyStopping stopping = run.config().schedule().earlyStopping();
            List<TrainingLoop.Stage> stages = new ArrayList<>(List.of(new TrainingLoop.Stage(1,
                    cfg.schedule().epochs(), cfg.optimizer(), stopping)));
            if (cfg.stage2() != null) {
                stages.add(new TrainingLoop.Stage(2, cfg.stage2().epochs(),
                        cfg.optimizer().withLearningRate(cfg.stage2().learningRate()), stopping));
            }
            for (TrainingLoop.Stage stage : stages) {
                if (stage.stage() < state.stage()) {
                    continue;   // finished before the checkpoint this run resumed from
                }
                boolean starting = stage.stage() > state.stage();
                if (starting) {
                    graph = FineTuner.unfreezeAbove(graph, cfg.stage2().unfreeze(),
                            cfg.optimizer().toUpdater(cfg.stage2().learningRate()));
                    log.accept("stage 2: layers above " + cfg.stage2().unfreeze() + " unfrozen, learning rate "
                            + cfg.stage2().learningRate());
                    state = state.startStage(stage.stage());
                }
                TrainingLoop.Outcome outcome;
                try (TrainingFeeds.Feed feed = feeds.open(graph)) {
                    if (starting) {
                        bestParams = feed.trainee().params().dup();
                    }
                    if (savedUpdater != null) {
                        // the optimizer state (Adam's moments) of the graph the interrupted run trained
                        feed.trainee().getUpdater().getStateViewArray().assign(savedUpdater);
                        savedUpdater = null;
                    }
                    ComputationGraph whole = graph;
                    TrainingLoop.Saver saver = new TrainingLoop.Saver() {
                        private long last = System.nanoTime();

                        @Override
                        public void save(ComputationGraph trained, INDArray best, CheckpointState st) {
                            feed.copyBack();
                            checkpoints.save(whole, best, trained.getUpdater().getStateViewArray(), st, runConfig);
                            last = System.nanoTime();
                        }

                        @Override
                        public boolean due() {
                            return System.nanoTime() - last >= checkpointInterval.toNanos();
                        }
                    };
                    outcome = new TrainingLoop(stage, seeds).run(feed.trainee(), feed.train(), feed.val(), state,
                            bestParams, saver, stop, listener);
                    feed.copyBack();
                }
                if (outcome.interrupted()) {
                    return interrupted(outcome, data, started, checkpoints, graph);
                }
                state = outcome.state();
                bestParams = outcome.bestParams();
            }
            double[] testStats = test.size() == 0 || !testPass ? new double[] {Double.NaN, Double.NaN, Double.NaN}
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
            run.imbalance().record(metrics, classes);
            ModelBundle meta = new ModelBundle(ModelBundle.FORMAT_VERSION, cfg.name(), classes, preprocessing,
                new ModelBundle.Origin(backboneName, resolved.config().freezeUntil(), null, cfg.mode().key(), runConfig),
                new ModelBundle.DataOrigin(cfg.data().folder(), data.fingerprint(), split.test().stream().map(LabeledImage::relativePath).toList(), split.val().stream().map(LabeledImage::relativePath).toList()), metrics, RunInfo.current(cfg.seed()), null);
            Path dir = modelsDir.resolve(cfg.name());
            ModelBundle written = BundleStore.save(dir, graph, meta);
            checkpoints.delete();
            List<String> frozen = FineTuner.frozenLayers(graph);
            graph.close();   // its native memory now, not at some later garbage collection: evaluation loads the bundle
            return new TrainResult(dir, written, state.history(), testStats[0], testStats[1], badImages.list(),
                    (System.nanoTime() - started) / 1e9, false, checkpoints.dir(), frozen, data.leaks());
        }
    }

    private TrainResult interrupted(TrainingLoop.Outcome outcome, TrainingData data, long started,
                                    Checkpoints checkpoints, ComputationGraph graph) {
        return new TrainResult(null, null, outcome.state().history(), Double.NaN, Double.NaN,
                data.badImages().list(), (System.nanoTime() - started) / 1e9, true, checkpoints.dir(),
                FineTuner.frozenLayers(graph), data.leaks());
    }

    /**
     * The configuration as it runs, for the {@code config:} line: the freeze point the backbone's default resolved
     * to, and the input size of the backbone (not the {@code --input-size} default a fine-tuned backbone ignores).
     */
    static String resolvedView(JsonNode runConfig, InputShape input) {
        ObjectNode shown = runConfig.deepCopy();
        shown.remove("labels");
        shown.remove("preprocessing");
        shown.remove("backbone-name");   // the same as backbone.model, as a bundle records it
        if (shown.path("backbone").get("architecture") instanceof ObjectNode architecture) {
            if (input.height() == input.width()) {
                architecture.put("input-size", input.height());
            } else {
                architecture.put("input-size", input.height() + "x" + input.width());
            }
        }
        return shown.toString();
    }

    private static void checkResumable(ResolvedRun saved, ResolvedRun now, Path where) {
        if (!now.labels().equals(saved.labels())) {
            throw new UsageException("--resume: the data's classes " + now.labels() + " differ from the checkpoint's "
                    + saved.labels() + " (" + where + "). Expected the same classes; resume with the data the run "
                    + "started with, or start a new run under another --name.");
        }
        List<String> differences = now.optionsDifferingFrom(saved);
        if (!differences.isEmpty()) {
            throw new UsageException("--resume: options differ from the interrupted run's: " + differences
                    + ". Expected the same options (" + where + "/state.json has them); resume with them, or start "
                    + "a new run under another --name.");
        }
    }
}
