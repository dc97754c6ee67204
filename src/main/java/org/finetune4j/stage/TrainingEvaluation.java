package org.finetune4j.stage;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.finetune4j.core.RunInfo;
import org.finetune4j.eval.CalibrationSummary;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.model.BundleStore;
import org.finetune4j.report.LearningCurves;
import org.finetune4j.report.ReportContent;
import org.finetune4j.report.ReportWriter;
import org.finetune4j.run.TrainResult;

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
     * @param dir     the run's report folder, with the training's {@code metrics.json} in it
     * @param metrics what training wrote to that {@code metrics.json} (a record)
     * @param facts   the training facts the report shows
     * @param curves  learning curves, or null (a features run has no epochs)
     * @param plots   PNGs already in the report folder to show with them (file name → caption)
     * @return the evaluation with calibration and reject option, or null when the bundle has no test split
     */
    static Outcome write(Path dir, Object metrics, TrainResult r, List<Map.Entry<String, String>> facts,
                            LearningCurves curves, List<Map.Entry<String, String>> plots, CropProtocol protocol,
                            MultiCropEvaluator.Averaging averaging, long seed, boolean quiet) {
        // protocol null: chosen on the validation split after calibration, and recorded in the bundle
        if (r.bundleDir() == null || r.bundle() == null || r.bundle().testSplit().isEmpty()) {
            return null;
        }
        CalibrationSummary.Fit fit = Calibrator.calibrate(r.bundleDir(), quiet).orElse(null);
        BundleStore.Loaded loaded = BundleStore.load(r.bundleDir());
        try {
            EvaluateStage.Images images = EvaluateStage.fromBundle(loaded.bundle());
            EvaluateStage.Resolved chosen = EvaluateStage.resolve(loaded, protocol, averaging,
                    EvaluateStage.TRAINING_BATCH_SIZE, quiet, true);
            loaded = new BundleStore.Loaded(loaded.dir(), BundleStore.readMeta(loaded.dir()), loaded.graph());
            Evaluation e = EvaluateStage.evaluate(loaded, images.images(), chosen.protocol(), chosen.averaging(),
                    EvaluateStage.TRAINING_BATCH_SIZE, quiet);
            EvaluateStage.Trust trust = EvaluateStage.trust(loaded, e, chosen, EvaluateStage.TRAINING_BATCH_SIZE, quiet,
                    fit);
            ReportContent.Training training = new ReportContent.Training(metrics, facts, curves, plots);
            ReportWriter.write(dir, new ReportContent(dir.getFileName().toString(), loaded.bundle(),
                    images.description(), e, TOP_WRONG, training, RunInfo.current(seed), trust.calibration(),
                    trust.reject(), trust.choice(), ReportHeatMaps.of(loaded, e, TOP_WRONG)));
            return new Outcome(e, trust);
        } finally {
            loaded.graph().close();
        }
    }
}
