package org.finetune4j.stage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.features.CrossValidation;
import org.finetune4j.features.FeatureTrainConfig;
import org.finetune4j.features.FeatureTrainResult;
import org.finetune4j.features.FeatureTrainer;
import org.finetune4j.report.Plots;
import org.finetune4j.report.VerticalMarker;
import org.finetune4j.run.ResolvedRun;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.run.TrainResult;
import org.finetune4j.train.Trainer;
import org.finetune4j.train.TrainingLoop;

/**
 * The {@code train} stage: trains (fine-tuning, scratch, or features mode), evaluates the new bundle on its held-out
 * test split with the chosen protocol, and writes the run's report.
 * <pre>
 * TrainStage stage = new TrainStage(settings);          // the protocol is checked before any work
 * TrainStage.Result r = stage.fineTune(cfg, stop, listener, log, true);
 * r.report();                                           // eval/reports/&lt;run&gt;/
 * </pre>
 */
public final class TrainStage {

    /**
     * Where a run reads and writes, and how its test split is evaluated at the end.
     *
     * @param modelsDir  where bundles and checkpoints are written and bundle backbones are looked up
     * @param reportsDir where the run's report folder is written
     * @param protocol   a protocol name or YAML file (eval/README.md), or null to choose the best on the validation
     *                   split (recorded in the bundle)
     * @param average    how crop predictions are combined: {@code probs} or {@code log-probs}; null: {@code probs}
     *                   with a named protocol, chosen with it otherwise
     * @param resume     continue the interrupted run of the same name
     */
    public record Settings(Path modelsDir, Path reportsDir, String protocol, String average, boolean resume,
                           Duration checkpointInterval) {
        /** With the default checkpoint interval. */
        public Settings(Path modelsDir, Path reportsDir, String protocol, String average, boolean resume) {
            this(modelsDir, reportsDir, protocol, average, resume, Trainer.DEFAULT_CHECKPOINT_INTERVAL);
        }
    }

    /**
     * A fine-tuning run's outcome.
     *
     * @param training   what training returned; {@code training().interrupted()} when it was stopped
     * @param report     the report folder, or null when training was interrupted
     * @param evaluation the end-of-training evaluation, or null when interrupted or the bundle has no test split
     * @param trust      calibration and the reject option, or null with {@code evaluation}
     * @param config     the configuration as it ran: early stopping's {@code auto} metric resolved from the training
     *                   split's imbalance (the given one when interrupted)
     */
    public record Result(TrainResult training, Path report, Evaluation evaluation, EvaluateStage.Trust trust,
                         TrainConfig config) {
    }

    /**
     * A features-mode run's outcome.
     *
     * @param training   what the feature trainer returned
     * @param report     the report folder
     * @param evaluation the end-of-training evaluation, or null when the bundle has no test split
     * @param trust      calibration and the reject option, or null with {@code evaluation}
     */
    public record FeaturesResult(FeatureTrainResult training, Path report, Evaluation evaluation,
                                 EvaluateStage.Trust trust) {
    }

    private final Settings settings;
    private final CropProtocol protocol;
    private final MultiCropEvaluator.Averaging averaging;

    /**
     * Checks the evaluation settings before any work.
     *
     * @throws UsageException for an unknown protocol or averaging
     */
    public TrainStage(Settings settings) {
        this.settings = settings;
        this.protocol = settings.protocol() == null ? null : CropProtocolLoader.load(settings.protocol());
        this.averaging = settings.average() == null ? null : MultiCropEvaluator.Averaging.of(settings.average());
    }

    /**
     * Fine-tunes (or trains from scratch) with {@link Trainer}, then evaluates and reports.
     *
     * @param stop     polled after every batch; true stops training with a checkpoint
     * @param listener receives every finished epoch
     * @param log      one-line notes
     * @param progress whether to show progress displays
     */
    public Result fineTune(TrainConfig cfg, Supplier<Boolean> stop, TrainingLoop.EpochListener listener,
                           Consumer<String> log, boolean progress) {
        // the test scores come from the evaluation below, not from a pass of the trainer's own over the test split
        TrainResult trained = new Trainer(settings.modelsDir(), log, progress, settings.checkpointInterval())
                .withoutTestPass().run(cfg, settings.resume(), stop, listener);
        if (trained.interrupted()) {
            return new Result(trained, null, null, null, cfg);
        }
        TrainConfig ran = asRun(cfg, trained);
        String run = EvaluateStage.runName(ran.name());
        Path dir = settings.reportsDir().resolve(run);
        LearningCurvesPlot.write(dir.resolve("learning-curves.png"), ran.name(), trained.history(),
                ran.schedule().earlyStopping());
        TrainResult[] scored = {trained};
        Function<Evaluation, TrainingEvaluation.Written> written = e -> {
            if (e != null) {
                scored[0] = TrainingEvaluation.recordTestScores(trained, e);
            }
            TrainingMetrics metrics = TrainingMetrics.of(run, ran, scored[0]);
            AtomicFiles.writeString(dir.resolve("metrics.json"), Json.write(metrics));
            return new TrainingEvaluation.Written(metrics, TrainingFacts.of(ran, scored[0]));
        };
        TrainingEvaluation.Outcome e = TrainingEvaluation.write(dir, written, trained,
                LearningCurvesPlot.curves(trained.history(), ran.schedule().earlyStopping()), List.of(), protocol,
                averaging, ran.seed(), !progress);
        if (e == null) {
            written.apply(null);   // no test split: metrics.json without test scores
            return new Result(trained, dir, null, null, ran);
        }
        return new Result(scored[0], dir, e.evaluation(), e.trust(), ran);
    }

    /** @return the configuration with the early-stopping criterion the bundle records (auto resolved) */
    static TrainConfig asRun(TrainConfig cfg, TrainResult r) {
        if (r.bundle() == null || r.bundle().origin() == null || r.bundle().origin().config() == null) {
            return cfg;
        }
        return cfg.withEarlyStopping(ResolvedRun.fromJson(r.bundle().origin().config()).config().schedule()
                .earlyStopping());
    }

    /**
     * Trains a linear classifier on cached features with {@link FeatureTrainer}, then evaluates and reports.
     *
     * @param log      one-line notes
     * @param progress whether to show progress displays
     */
    public FeaturesResult features(FeatureTrainConfig cfg, Consumer<String> log, boolean progress) {
        FeatureTrainResult r = new FeatureTrainer(settings.modelsDir(), log, progress).run(cfg);
        String run = EvaluateStage.runName(cfg.run().name());
        Path dir = settings.reportsDir().resolve(run);
        FeatureTrainingMetrics metrics = FeatureTrainingMetrics.of(run, cfg, r);
        AtomicFiles.writeString(dir.resolve("metrics.json"), Json.write(metrics));
        writeCvPlot(dir.resolve("cv-accuracy.png"), cfg.run().name() + ": " + r.classifier(), r.cv());
        TrainingEvaluation.Written written = new TrainingEvaluation.Written(metrics, TrainingFacts.of(cfg, r));
        TrainingEvaluation.Outcome e = TrainingEvaluation.write(dir, ignored -> written, r.train(), null,
                List.of(Map.entry("cv-accuracy.png", "cross-validation accuracy against C")), protocol, averaging,
                cfg.run().seed(), !progress);
        return e == null ? new FeaturesResult(r, dir, null, null)
                : new FeaturesResult(r, dir, e.evaluation(), e.trust());
    }

    /** Validation accuracy (mean over folds, and mean ± one standard deviation) against C, log x, chosen C marked. */
    private static void writeCvPlot(Path png, String title, CrossValidation.Result cv) {
        int n = cv.points().size();
        double[] c = new double[n];
        double[] mean = new double[n];
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int i = 0; i < n; i++) {
            CrossValidation.Point p = cv.points().get(i);
            c[i] = p.c();
            mean[i] = p.meanAccuracy();
            lo[i] = p.meanAccuracy() - p.stdAccuracy();
            hi[i] = p.meanAccuracy() + p.stdAccuracy();
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("mean over " + cv.folds() + " folds", new double[][] {c, mean});
        series.put("mean - 1 sd", new double[][] {c, lo});
        series.put("mean + 1 sd", new double[][] {c, hi});
        Plots.lines(png, title, "C (inverse regularization strength, log scale)", "cross-validation accuracy", true,
                series, new VerticalMarker(cv.best().c(), String.format(Locale.ROOT, "chosen C = %.3g",
                        cv.best().c())));
    }
}
