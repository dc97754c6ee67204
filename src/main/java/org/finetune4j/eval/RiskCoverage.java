package org.finetune4j.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The reject option's trade-off: answer only images whose top probability reaches a threshold, and see what share
 * is answered (coverage) and how often those answers are right (Geifman &amp; El-Yaniv 2017, "Selective
 * Classification for Deep Neural Networks").
 * <pre>{@code
 * List<RiskCoverage.Point> curve = RiskCoverage.curve(testProbabilities, testTruth);
 * OptionalDouble t = RiskCoverage.thresholdFor(valProbabilities, valTruth, 0.95);   // chosen on validation
 * RiskCoverage.Point onTest = RiskCoverage.at(testProbabilities, testTruth, t.getAsDouble());
 * }</pre>
 */
public final class RiskCoverage {

    private RiskCoverage() {
    }

    /**
     * What a threshold does on a set of images.
     *
     * @param threshold the least top probability answered
     * @param answered  images whose top probability reaches it
     * @param images    all images
     * @param coverage  answered / images
     * @param accuracy  the fraction of answered images predicted right (NaN when none is answered)
     */
    public record Point(double threshold, int answered, int images, double coverage, double accuracy) {
    }

    /**
     * A threshold chosen on validation for an accuracy target, and what it gives on the test images.
     *
     * @param target     the accuracy aimed at on the answered validation images
     * @param threshold  the lowest threshold reaching it on validation (the most images answered), or NaN when no
     *                   threshold does
     * @param validation the threshold on the validation images (null when none reaches the target)
     * @param test       the threshold on the test images (null when none reaches the target)
     */
    public record Target(double target, double threshold, Point validation, Point test) {
    }

    /**
     * The reject option of an evaluation: risk–coverage curves of the protocol and of the centre crop on the test
     * images, and thresholds chosen on the validation images for accuracy targets, with their effect on the test
     * images, for the centre crop (what {@code predict --min-confidence} sees) and the protocol.
     *
     * @param protocol         the protocol's name
     * @param protocolCurve    the protocol's curve on the test images
     * @param centerCurve      the centre crop's curve on the test images
     * @param validationImages validation images the thresholds were chosen on (0: none recorded, no thresholds)
     * @param centerTargets    thresholds for the centre crop, one per target (empty without validation images)
     * @param protocolTargets  thresholds for the protocol, one per target (empty without validation images)
     */
    public record Summary(String protocol, List<Point> protocolCurve, List<Point> centerCurve, int validationImages,
                          List<Target> centerTargets, List<Target> protocolTargets) {
        public Summary {
            protocolCurve = List.copyOf(protocolCurve);
            centerCurve = List.copyOf(centerCurve);
            centerTargets = List.copyOf(centerTargets);
            protocolTargets = List.copyOf(protocolTargets);
        }

        /**
         * @param test       an evaluation on test images
         * @param validation an evaluation with the same protocol on validation images, or null
         * @param targets    accuracy targets, e.g. 0.95 and 0.99
         */
        public static Summary of(Evaluation test, Evaluation validation, List<Double> targets) {
            double[][] tp = test.images().stream().map(Evaluation.ImageResult::probabilities).toArray(double[][]::new);
            double[][] tc = test.images().stream().map(Evaluation.ImageResult::centerProbabilities)
                    .toArray(double[][]::new);
            int[] tt = test.images().stream().mapToInt(Evaluation.ImageResult::trueClass).toArray();
            List<Target> center = new ArrayList<>();
            List<Target> protocol = new ArrayList<>();
            if (validation != null && !validation.images().isEmpty()) {
                double[][] vp = validation.images().stream().map(Evaluation.ImageResult::probabilities)
                        .toArray(double[][]::new);
                double[][] vc = validation.images().stream().map(Evaluation.ImageResult::centerProbabilities)
                        .toArray(double[][]::new);
                int[] vt = validation.images().stream().mapToInt(Evaluation.ImageResult::trueClass).toArray();
                for (double t : targets) {
                    center.add(target(vc, vt, tc, tt, t));
                    protocol.add(target(vp, vt, tp, tt, t));
                }
            }
            return new Summary(test.protocol(), curve(tp, tt), curve(tc, tt),
                    validation == null ? 0 : validation.images().size(), center, protocol);
        }
    }

    /** The accuracy targets {@code evaluate} reports thresholds for. */
    public static final List<Double> DEFAULT_TARGETS = List.of(0.95, 0.99);

    /** @return one point per distinct top probability, from every image answered to the fewest */
    public static List<Point> curve(double[][] probabilities, int[] truth) {
        int n = truth.length;
        Integer[] order = byConfidence(probabilities);
        List<Point> out = new ArrayList<>();
        int right = 0;
        // Walk from the most confident image down: after image k the answered set is the k + 1 most confident.
        List<Point> reversed = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int i = order[k];
            right += Metrics.argmax(probabilities[i]) == truth[i] ? 1 : 0;
            double top = top(probabilities[i]);
            boolean lastOfTie = k == n - 1 || top(probabilities[order[k + 1]]) < top;
            if (lastOfTie) {
                reversed.add(new Point(top, k + 1, n, (k + 1) / (double) n, right / (double) (k + 1)));
            }
        }
        for (int k = reversed.size() - 1; k >= 0; k--) {
            out.add(reversed.get(k));
        }
        return out;
    }

    /** @return what answering only images with top probability at least {@code threshold} gives */
    public static Point at(double[][] probabilities, int[] truth, double threshold) {
        int answered = 0;
        int right = 0;
        for (int i = 0; i < truth.length; i++) {
            if (top(probabilities[i]) >= threshold) {
                answered++;
                right += Metrics.argmax(probabilities[i]) == truth[i] ? 1 : 0;
            }
        }
        return new Point(threshold, answered, truth.length, truth.length == 0 ? 0 : answered / (double) truth.length,
                answered == 0 ? Double.NaN : right / (double) answered);
    }

    /**
     * The lowest threshold whose answered images reach an accuracy target, chosen on validation, and its effect on
     * the test images.
     *
     * @param target accuracy in (0, 1]
     */
    public static Target target(double[][] valProbabilities, int[] valTruth, double[][] testProbabilities,
                                int[] testTruth, double target) {
        for (Point p : curve(valProbabilities, valTruth)) {   // most answered first
            if (p.accuracy() >= target) {
                return new Target(target, p.threshold(), p, at(testProbabilities, testTruth, p.threshold()));
            }
        }
        return new Target(target, Double.NaN, null, null);
    }

    private static Integer[] byConfidence(double[][] probabilities) {
        Integer[] order = new Integer[probabilities.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -top(probabilities[i])).thenComparing(i -> i));
        return order;
    }

    private static double top(double[] p) {
        return p[Metrics.argmax(p)];
    }
}
