package org.finetune4j.stage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.finetune4j.eval.Calibration;
import org.finetune4j.eval.CalibrationSummary;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.eval.TemperatureScaling;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;

/**
 * Calibrates a freshly trained bundle: fits a temperature on its validation split (single centre crops, minimising
 * the negative log-likelihood), folds it into the output layer and saves the bundle again, recording the temperature
 * and the validation scores before and after in {@code bundle.json}'s metrics.
 * <pre>
 * Optional&lt;Calibrator.Calibrated&gt; c = Calibrator.calibrate(BundleStore.load(bundleDir), quiet);
 * </pre>
 */
final class Calibrator {

    /** Metric keys in {@code bundle.json}. */
    static final String TEMPERATURE = "temperature";
    private static final String PREFIX = "calibration-val-";

    private Calibrator() {
    }

    /**
     * @param loaded a bundle that records its validation split, as loaded; its network is calibrated in place and
     *               saved (the caller closes it)
     * @param quiet  no progress display
     * @return the fit and the validation split's centre-crop evaluation as the calibrated network gives it, or
     *         empty when the bundle records no validation split (nothing changed then)
     */
    static Optional<Calibrated> calibrate(BundleStore.Loaded loaded, boolean quiet) {
        Optional<EvaluateStage.Images> val = EvaluateStage.validationFromBundle(loaded.bundle());
        if (val.isEmpty()) {
            return Optional.empty();
        }
        Evaluation e = EvaluateStage.evaluate(loaded, val.get().images(), CropProtocolLoader.load("center"),
                MultiCropEvaluator.Averaging.PROBABILITIES, EvaluateStage.TRAINING_BATCH_SIZE, quiet,
                "calibrating on validation");
        double[][] p = e.images().stream().map(Evaluation.ImageResult::centerProbabilities)
                .toArray(double[][]::new);
        int[] truth = e.images().stream().mapToInt(Evaluation.ImageResult::trueClass).toArray();
        CalibrationSummary.Fit fit = CalibrationSummary.Fit.of(p, truth);
        TemperatureScaling.fold(loaded.graph(), fit.temperature());
        ModelBundle b = loaded.bundle();
        double earlier = temperature(b);
        Map<String, Double> metrics = new HashMap<>(b.metrics());
        metrics.put(TEMPERATURE, (Double.isNaN(earlier) ? 1 : earlier) * fit.temperature());
        put(metrics, "before", fit.before());
        put(metrics, "after", fit.after());
        metrics.put(PREFIX + "images", (double) fit.images());
        BundleStore.save(loaded.dir(), loaded.graph(), b.withMetrics(metrics));
        return Optional.of(new Calibrated(fit, Calibration.scale(e, fit.temperature())));
    }

    /**
     * A calibration's outcome.
     *
     * @param fit        the temperature and the validation scores before and after
     * @param validation the validation split's centre crops as the calibrated network predicts them (the pass the fit
     *                   was made on, {@link Calibration#scale scaled} by the temperature: no second pass)
     */
    record Calibrated(CalibrationSummary.Fit fit, Evaluation validation) {
    }

    /** @return the temperature folded into the bundle, NaN when it records none */
    static double temperature(ModelBundle b) {
        Double t = b.metrics().get(TEMPERATURE);
        return t == null ? Double.NaN : t;
    }

    /** @return the validation fit recorded in the bundle, or null */
    static CalibrationSummary.Fit recordedFit(ModelBundle b) {
        Map<String, Double> m = b.metrics();
        Calibration.Scores before = scores(m, "before");
        Calibration.Scores after = scores(m, "after");
        Double images = m.get(PREFIX + "images");
        if (before == null || after == null || images == null || !m.containsKey(TEMPERATURE)) {
            return null;
        }
        return new CalibrationSummary.Fit(m.get(TEMPERATURE), images.intValue(), before, after);
    }

    private static void put(Map<String, Double> m, String when, Calibration.Scores s) {
        m.put(PREFIX + "ece-" + when, s.ece());
        m.put(PREFIX + "nll-" + when, s.nll());
        m.put(PREFIX + "brier-" + when, s.brier());
    }

    private static Calibration.Scores scores(Map<String, Double> m, String when) {
        List<Double> v = List.of("ece-", "nll-", "brier-").stream().map(k -> m.get(PREFIX + k + when)).toList();
        return v.contains(null) ? null : new Calibration.Scores(v.get(0), v.get(1), v.get(2));
    }
}
