package org.finetune4j.report;

import java.util.List;
import java.util.Map;
import org.finetune4j.eval.CalibrationSummary;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.ProtocolChoice;
import org.finetune4j.eval.RiskCoverage;
import org.finetune4j.model.ModelBundle;

/**
 * Everything a report shows, as plain values: the bundle evaluated, the data, the evaluation and, when the run
 * trained the bundle, what training recorded. The input of {@link ReportWriter}.
 *
 * @param run        the run's name (the report folder's name)
 * @param bundle     the evaluated bundle's metadata
 * @param data       the data as the user named it (a folder, or "the test split of FOLDER")
 * @param evaluation the evaluation of the protocol and the centre crop
 * @param topWrong   how many of the most confidently wrong images to show
 * @param training   what training recorded, or null when the run only evaluated
 * @param runInfo    versions, platform, seed and time (written to {@code metrics.json} as {@code run-info})
 * @param calibration calibration scores before and after the bundle's temperature, or null
 * @param reject      the reject option: risk–coverage curves and thresholds, or null
 * @param choice      how the protocol was chosen, or null
 * @param heatMaps    Grad-CAM pictures (the picture and its heat map side by side, as {@code data:} URIs) by
 *                    relative path, for the most confidently wrong images and a few right ones; empty for none
 */
public record ReportContent(String run, ModelBundle bundle, String data, Evaluation evaluation, int topWrong,
                            Training training, Object runInfo, CalibrationSummary calibration,
                            RiskCoverage.Summary reject, ProtocolChoice choice, Map<String, String> heatMaps) {

    public ReportContent {
        heatMaps = heatMaps == null ? Map.of() : Map.copyOf(heatMaps);
    }

    /** A report with calibration, reject-option and protocol-choice sections, without heat maps. */
    public ReportContent(String run, ModelBundle bundle, String data, Evaluation evaluation, int topWrong,
                         Training training, Object runInfo, CalibrationSummary calibration,
                         RiskCoverage.Summary reject, ProtocolChoice choice) {
        this(run, bundle, data, evaluation, topWrong, training, runInfo, calibration, reject, choice, Map.of());
    }

    /** A report with heat maps, without calibration, reject-option and protocol-choice sections. */
    public ReportContent(String run, ModelBundle bundle, String data, Evaluation evaluation, int topWrong,
                         Training training, Object runInfo, Map<String, String> heatMaps) {
        this(run, bundle, data, evaluation, topWrong, training, runInfo, null, null, null, heatMaps);
    }

    /** @return a report without calibration, reject-option, protocol-choice and heat-map sections */
    public ReportContent(String run, ModelBundle bundle, String data, Evaluation evaluation, int topWrong,
                         Training training, Object runInfo) {
        this(run, bundle, data, evaluation, topWrong, training, runInfo, null, null, null, Map.of());
    }

    /**
     * What a training run recorded, for the report's training section.
     *
     * @param metrics  the training run's own metrics (a record: test accuracy, history, config, ...); its JSON
     *                 properties are written in {@code metrics.json} beside the evaluation's
     * @param facts    short "name: value" facts shown in the report (best epoch, diagnosis, duration, ...), in order
     * @param curves   learning curves, or null when no epoch ran
     * @param plots    further PNGs the run already wrote into the report folder (file name → caption), e.g. the
     *                 cross-validation plot of a features run; shown after the learning curves
     */
    public record Training(Object metrics, List<Map.Entry<String, String>> facts, LearningCurves curves,
                           List<Map.Entry<String, String>> plots) {
        public Training {
            facts = List.copyOf(facts);
            plots = plots == null ? List.of() : List.copyOf(plots);
        }

        /** @return training facts with learning curves and no further plots */
        public Training(Object metrics, List<Map.Entry<String, String>> facts, LearningCurves curves) {
            this(metrics, facts, curves, List.of());
        }
    }
}
