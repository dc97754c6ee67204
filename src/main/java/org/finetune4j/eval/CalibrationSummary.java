package org.finetune4j.eval;

import java.util.List;

/**
 * How well calibrated a bundle's probabilities are, before and after its temperature: the scores on the validation
 * images the temperature was fitted on and on the test images (single centre crops, the crop {@code predict} uses,
 * where folding the temperature into the network is exact), and the reliability diagram's bins.
 * <pre>{@code
 * CalibrationSummary s = CalibrationSummary.of(evaluation, bundleTemperature, fit);
 * s.testBefore().ece(); s.testAfter().ece();
 * }</pre>
 *
 * @param temperature      the temperature folded into the bundle (1 when it has none)
 * @param fitted           whether the bundle records a fitted temperature (false for bundles made without one)
 * @param validationImages images the temperature was fitted on (0 when unknown)
 * @param validationBefore scores on them with T = 1, or null when unknown
 * @param validationAfter  scores on them with the fitted T, or null when unknown
 * @param testImages       images of the evaluation
 * @param testBefore       scores of the centre crops with T = 1 (what the network gave before calibration)
 * @param testAfter        scores of the centre crops as the bundle gives them now
 * @param binsBefore       reliability bins of {@code testBefore}
 * @param binsAfter        reliability bins of {@code testAfter}
 */
public record CalibrationSummary(double temperature, boolean fitted, int validationImages,
                                 Calibration.Scores validationBefore, Calibration.Scores validationAfter,
                                 int testImages, Calibration.Scores testBefore, Calibration.Scores testAfter,
                                 List<Calibration.Bin> binsBefore, List<Calibration.Bin> binsAfter) {

    public CalibrationSummary {
        binsBefore = List.copyOf(binsBefore);
        binsAfter = List.copyOf(binsAfter);
    }

    /**
     * The temperature fitted on validation images and its effect there.
     *
     * @param temperature the fitted T
     * @param images      validation images
     * @param before      scores with T = 1
     * @param after       scores with the fitted T
     */
    public record Fit(double temperature, int images, Calibration.Scores before, Calibration.Scores after) {

        /**
         * Fits the temperature on validation predictions.
         *
         * @param probabilities one row of class probabilities per validation image (single crops)
         * @param truth         their true classes
         */
        public static Fit of(double[][] probabilities, int[] truth) {
            double t = Calibration.fitTemperature(probabilities, truth);
            return new Fit(t, truth.length, Calibration.scores(probabilities, truth),
                    Calibration.scores(Calibration.scale(probabilities, t), truth));
        }
    }

    /**
     * @param test        an evaluation of the bundle (its centre-crop probabilities are the calibrated ones)
     * @param temperature the temperature folded into the bundle, or NaN when it records none
     * @param fit         the validation fit, or null when not known here
     */
    public static CalibrationSummary of(Evaluation test, double temperature, Fit fit) {
        boolean fitted = !Double.isNaN(temperature);
        double t = fitted ? temperature : 1;
        double[][] after = test.images().stream().map(Evaluation.ImageResult::centerProbabilities)
                .toArray(double[][]::new);
        int[] truth = test.images().stream().mapToInt(Evaluation.ImageResult::trueClass).toArray();
        // The network now gives softmax(z / T); multiplying its log-probabilities by T gives back softmax(z).
        double[][] before = t == 1 ? after : Calibration.scale(after, 1 / t);
        return new CalibrationSummary(t, fitted, fit == null ? 0 : fit.images(), fit == null ? null : fit.before(),
                fit == null ? null : fit.after(), truth.length, Calibration.scores(before, truth),
                Calibration.scores(after, truth), Calibration.reliability(before, truth),
                Calibration.reliability(after, truth));
    }
}
