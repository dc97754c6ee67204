package org.finetune4j.stage;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.finetune4j.core.RunInfo;
import org.finetune4j.eval.Calibration;
import org.finetune4j.eval.CalibrationSummary;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.report.LearningCurves;
import org.finetune4j.report.ReportContent;
import org.finetune4j.report.ReportWriter;
import org.finetune4j.run.TrainResult;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The end of {@code train}: evaluates the new bundle on its held-out test split with the chosen protocol and turns
 * the run's report folder into a full report (the training metrics stay in {@code metrics.json}).
 */
final class TrainingEvaluation {

    /**
     * The end-of-training evaluation.
     *
     * @param evaluation the test split's evaluation
     * @param trust      calibration and the reject option
     */
    record Outcome(Evaluation evaluation, EvaluateStage.Trust trust) {
    }

    /** The most confidently wrong images the report shows. */
    private static final int TOP_WRONG = 12;

    private TrainingEvaluation() {
    }

    /**
     * What the report shows of the training run, once the test split's evaluation is known (a fine-tuning run takes
     * its test scores from it rather than from a pass of its own).
     *
     * @param metrics what the run wrote to its {@code metrics.json} (a record)
     * @param facts   the training facts the report shows
     */
    record Written(Object metrics, List<Map.Entry<String, String>> facts) {
    }

    /**
     * @param dir     the run's report folder
     * @param written given the test split's evaluation, writes the run's {@code metrics.json} and returns what the
     *                report shows of it; called once, and not at all when the bundle has no test split
     * @param curves  learning curves, or null (a features run has no epochs)
     * @param plots   PNGs already in the report folder to show with them (file name → caption)
     * @return the evaluation with calibration and reject option, or null when the bundle has no test split
     */
    static Outcome write(Path dir, Function<Evaluation, Written> written, TrainResult r, LearningCurves curves,
                         List<Map.Entry<String, String>> plots, CropProtocol protocol,
                         MultiCropEvaluator.Averaging averaging, long seed, boolean quiet) {
        // protocol null: chosen on the validation split after calibration, and recorded in the bundle
        if (r.bundleDir() == null || r.bundle() == null || r.bundle().testSplit().isEmpty()) {
            return null;
        }
        // training's workspaces stay with this thread until destroyed; the passes below use the bundle's network
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        // one load of the bundle for calibration, evaluation and report (calibration saves the bundle it changes)
        BundleStore.Loaded loaded = BundleStore.load(r.bundleDir());
        try {
            Calibrator.Calibrated calibrated = Calibrator.calibrate(loaded, quiet).orElse(null);
            CalibrationSummary.Fit fit = calibrated == null ? null : calibrated.fit();
            loaded = reread(loaded);
            EvaluateStage.Images images = EvaluateStage.fromBundle(loaded.bundle());
            EvaluateStage.Resolved chosen = withCalibrationPass(EvaluateStage.resolve(loaded, protocol, averaging,
                    EvaluateStage.TRAINING_BATCH_SIZE, quiet, true), calibrated, loaded.bundle().preprocessing());
            loaded = reread(loaded);
            Evaluation e = EvaluateStage.evaluate(loaded, images.images(), chosen.protocol(), chosen.averaging(),
                    EvaluateStage.TRAINING_BATCH_SIZE, quiet);
            Written w = written.apply(e);
            loaded = reread(loaded);
            EvaluateStage.Trust trust = EvaluateStage.trust(loaded, e, chosen, EvaluateStage.TRAINING_BATCH_SIZE, quiet,
                    fit);
            ReportContent.Training training = new ReportContent.Training(w.metrics(), w.facts(), curves, plots);
            ReportWriter.write(dir, new ReportContent(dir.getFileName().toString(), loaded.bundle(),
                    images.description(), e, TOP_WRONG, training, RunInfo.current(seed), trust.calibration(),
                    trust.reject(), trust.choice(), ReportHeatMaps.of(loaded, e, TOP_WRONG)));
            return new Outcome(e, trust);
        } finally {
            loaded.graph().close();
        }
    }

    /**
     * The reject option needs the validation split under the chosen protocol; when that protocol is the centre crop
     * alone and choosing it made no pass, calibration's pass serves (scaled by its temperature), instead of a third
     * pass of the whole network over the validation images.
     */
    static EvaluateStage.Resolved withCalibrationPass(EvaluateStage.Resolved chosen, Calibrator.Calibrated calibrated,
                                                      Preprocessing pre) {
        if (chosen.validation() != null || calibrated == null
                || !chosen.protocol().crops(pre).equals(calibrated.validation().crops())) {
            return chosen;
        }
        Evaluation v = calibrated.validation();
        return new EvaluateStage.Resolved(chosen.protocol(), chosen.averaging(), chosen.choice(),
                new Evaluation(chosen.protocol().name(), chosen.protocol().source(), chosen.averaging().key(),
                        v.crops(), v.labels(), v.images(), v.protocolMetrics(), v.centerMetrics(),
                        v.protocolImagesPerSecond(), v.centerImagesPerSecond(), v.seconds(), v.badImages()));
    }

    /** The bundle's metadata as saved now (calibration, the protocol choice and test scores change it). */
    private static BundleStore.Loaded reread(BundleStore.Loaded loaded) {
        return new BundleStore.Loaded(loaded.dir(), BundleStore.readMeta(loaded.dir()), loaded.graph());
    }

    /**
     * The test scores a fine-tuning run records (in its bundle, its result and {@code metrics.json}), from the
     * end-of-run evaluation's centre crops rather than a pass of their own over the test split: the accuracy of the
     * centre crops, and their cross-entropy before calibration, as the training loop scores the validation split
     * (the evaluation ran the calibrated network, whose probabilities are softmax(z / T): {@link Calibration#scale} by
     * 1 / T gives back softmax(z)).
     *
     * @return the run's result with the scores, and its bundle's metadata as now saved
     */
    static TrainResult recordTestScores(TrainResult r, Evaluation e) {
        ModelBundle meta = BundleStore.readMeta(r.bundleDir());
        double t = Calibrator.temperature(meta);
        double[][] centre = e.images().stream().map(Evaluation.ImageResult::centerProbabilities)
                .toArray(double[][]::new);
        int[] truth = e.images().stream().mapToInt(Evaluation.ImageResult::trueClass).toArray();
        double[][] uncalibrated = Double.isNaN(t) ? centre : Calibration.scale(centre, 1 / t);
        int n = truth.length;
        double testLoss = n == 0 ? Double.NaN : Calibration.scores(uncalibrated, truth).nll();
        double testAccuracy = n == 0 ? Double.NaN : e.centerMetrics().top1();
        Map<String, Double> metrics = new java.util.LinkedHashMap<>(meta.metrics());
        metrics.put("test-accuracy", testAccuracy);
        metrics.put("test-loss", testLoss);
        metrics.values().removeIf(v -> v == null || v.isNaN());
        ModelBundle scored = meta.withMetrics(metrics);
        BundleStore.saveMeta(r.bundleDir(), scored);
        return new TrainResult(r.bundleDir(), scored, r.history(), testLoss, testAccuracy, r.badImages(), r.seconds(),
                r.interrupted(), r.checkpoint(), r.frozen(), r.leaks());
    }
}
