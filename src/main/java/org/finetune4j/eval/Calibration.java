package org.finetune4j.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * How far predicted probabilities are from the frequencies they claim, and temperature scaling (Guo et al. 2017,
 * "On Calibration of Modern Neural Networks"), which fixes much of it with one scalar fitted on validation data.
 * <pre>{@code
 * double t = Calibration.fitTemperature(valProbabilities, valTruth);     // > 1: the model was over-confident
 * double[][] calibrated = Calibration.scale(testProbabilities, t);     // softmax(log p / t) = softmax(z / t)
 * Calibration.Scores s = Calibration.scores(calibrated, testTruth);     // ECE, NLL, Brier
 * }</pre>
 * Probabilities stand in for logits throughout: {@code log softmax(z)} differs from {@code z} by a per-image constant,
 * which a softmax removes, so {@code softmax(log p / T) = softmax(z / T)} exactly.
 */
public final class Calibration {

    /** Equal-width confidence bins of the expected calibration error (Guo et al. 2017 use 15). */
    public static final int ECE_BINS = 15;

    /** Probabilities are clamped to this before a logarithm, so one 0 does not make the loss infinite. */
    static final double MIN_PROBABILITY = 1e-12;

    /** The temperatures searched: wide enough for any network seen in practice. */
    static final double MIN_TEMPERATURE = 0.05;
    static final double MAX_TEMPERATURE = 20;

    private Calibration() {
    }

    /**
     * Calibration scores of a set of predictions.
     *
     * @param ece   expected calibration error over {@link #ECE_BINS} equal-width bins of the top probability: the
     *              image-weighted mean of |accuracy − mean confidence| per bin, in [0, 1]
     * @param nll   mean negative log-likelihood of the true class (natural log), ≥ 0
     * @param brier mean over images of Σ_c (p_c − y_c)², in [0, 2] (the multi-class Brier score, Brier 1950)
     */
    public record Scores(double ece, double nll, double brier) {
    }

    /**
     * One bin of a reliability diagram.
     *
     * @param low        lower edge of the top-probability bin (exclusive but for the first bin)
     * @param high       upper edge (inclusive)
     * @param images     images whose top probability falls in it
     * @param confidence their mean top probability (NaN when empty)
     * @param accuracy   the fraction of them predicted right (NaN when empty)
     */
    public record Bin(double low, double high, int images, double confidence, double accuracy) {
    }

    /**
     * @param probabilities per image, one probability per class
     * @param truth         true class per image
     */
    public static Scores scores(double[][] probabilities, int[] truth) {
        check(probabilities, truth);
        int n = truth.length;
        if (n == 0) {
            return new Scores(0, 0, 0);
        }
        double ece = 0;
        for (Bin b : reliability(probabilities, truth)) {
            if (b.images() > 0) {
                ece += b.images() / (double) n * Math.abs(b.accuracy() - b.confidence());
            }
        }
        double nll = 0;
        double brier = 0;
        for (int i = 0; i < n; i++) {
            double[] p = probabilities[i];
            nll -= Math.log(Math.max(p[truth[i]], MIN_PROBABILITY));
            for (int c = 0; c < p.length; c++) {
                double y = c == truth[i] ? 1 : 0;
                brier += (p[c] - y) * (p[c] - y);
            }
        }
        return new Scores(ece, nll / n, brier / n);
    }

    /** @return the {@link #ECE_BINS} bins of a reliability diagram, lowest confidence first */
    public static List<Bin> reliability(double[][] probabilities, int[] truth) {
        check(probabilities, truth);
        int[] count = new int[ECE_BINS];
        double[] conf = new double[ECE_BINS];
        int[] right = new int[ECE_BINS];
        for (int i = 0; i < truth.length; i++) {
            int pred = Metrics.argmax(probabilities[i]);
            double top = probabilities[i][pred];
            int b = Math.min(ECE_BINS - 1, Math.max(0, (int) Math.ceil(top * ECE_BINS) - 1));
            count[b]++;
            conf[b] += top;
            right[b] += pred == truth[i] ? 1 : 0;
        }
        List<Bin> out = new ArrayList<>();
        for (int b = 0; b < ECE_BINS; b++) {
            out.add(new Bin(b / (double) ECE_BINS, (b + 1) / (double) ECE_BINS, count[b],
                    count[b] == 0 ? Double.NaN : conf[b] / count[b],
                    count[b] == 0 ? Double.NaN : right[b] / (double) count[b]));
        }
        return out;
    }

    /**
     * @param probabilities per image, one probability per class
     * @param temperature   T &gt; 0
     * @return {@code softmax(log p / T)} per image: the probabilities of the logits divided by T
     */
    public static double[][] scale(double[][] probabilities, double temperature) {
        double[][] out = new double[probabilities.length][];
        for (int i = 0; i < probabilities.length; i++) {
            out[i] = scaleOne(probabilities[i], temperature);
        }
        return out;
    }

    /**
     * A single-crop evaluation as the network with temperature T folded in would give it: each image's probabilities
     * {@link #scale scaled} and the metrics recomputed (the predictions do not change). Equal to evaluating the folded
     * network up to rounding in the last bits, without another pass over the images.
     *
     * @param e           an evaluation with one crop per image (for several, the average of scaled probabilities is
     *                    not the scaled average)
     * @param temperature T &gt; 0
     * @throws IllegalArgumentException for an evaluation with several crops per image
     */
    public static Evaluation scale(Evaluation e, double temperature) {
        if (e.cropsPerImage() != 1) {
            throw new IllegalArgumentException("scaling needs one crop per image; protocol " + e.protocol() + " has "
                    + e.cropsPerImage());
        }
        List<Evaluation.ImageResult> images = e.images().stream().map(r -> new Evaluation.ImageResult(
                r.relativePath(), r.file(), r.trueClass(), scaleOne(r.probabilities(), temperature),
                scaleOne(r.centerProbabilities(), temperature))).toList();
        int[] truth = images.stream().mapToInt(Evaluation.ImageResult::trueClass).toArray();
        Metrics protocol = Metrics.of(e.labels(), truth, images.stream().map(Evaluation.ImageResult::probabilities)
                .toArray(double[][]::new));
        Metrics center = Metrics.of(e.labels(), truth, images.stream()
                .map(Evaluation.ImageResult::centerProbabilities).toArray(double[][]::new));
        return new Evaluation(e.protocol(), e.protocolSource(), e.averaging(), e.crops(), e.labels(), images, protocol,
                center, e.protocolImagesPerSecond(), e.centerImagesPerSecond(), e.seconds(), e.badImages());
    }

    static double[] scaleOne(double[] p, double temperature) {
        double[] out = new double[p.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < p.length; c++) {
            out[c] = Math.log(Math.max(p[c], MIN_PROBABILITY)) / temperature;
            max = Math.max(max, out[c]);
        }
        double sum = 0;
        for (int c = 0; c < p.length; c++) {
            out[c] = Math.exp(out[c] - max);
            sum += out[c];
        }
        for (int c = 0; c < p.length; c++) {
            out[c] /= sum;
        }
        return out;
    }

    /**
     * Fits the temperature that minimises the negative log-likelihood of the true classes: a golden-section search
     * over log T in [ln {@value #MIN_TEMPERATURE}, ln {@value #MAX_TEMPERATURE}]. The NLL is convex in 1/T (the
     * logits scale linearly), hence unimodal in log T, so the search finds the minimum.
     *
     * @param probabilities validation predictions, one row of class probabilities per image
     * @param truth         their true classes
     * @return T (1 when there are no images)
     */
    public static double fitTemperature(double[][] probabilities, int[] truth) {
        check(probabilities, truth);
        if (truth.length == 0) {
            return 1;
        }
        double[][] logs = new double[probabilities.length][];
        for (int i = 0; i < logs.length; i++) {
            logs[i] = new double[probabilities[i].length];
            for (int c = 0; c < logs[i].length; c++) {
                logs[i][c] = Math.log(Math.max(probabilities[i][c], MIN_PROBABILITY));
            }
        }
        double a = Math.log(MIN_TEMPERATURE);
        double b = Math.log(MAX_TEMPERATURE);
        double g = (Math.sqrt(5) - 1) / 2;
        double x1 = b - g * (b - a);
        double x2 = a + g * (b - a);
        double f1 = nll(logs, truth, Math.exp(x1));
        double f2 = nll(logs, truth, Math.exp(x2));
        while (b - a > 1e-7) {
            if (f1 <= f2) {
                b = x2;
                x2 = x1;
                f2 = f1;
                x1 = b - g * (b - a);
                f1 = nll(logs, truth, Math.exp(x1));
            } else {
                a = x1;
                x1 = x2;
                f1 = f2;
                x2 = a + g * (b - a);
                f2 = nll(logs, truth, Math.exp(x2));
            }
        }
        return Math.exp((a + b) / 2);
    }

    /** Mean NLL of {@code softmax(logits / T)}. */
    private static double nll(double[][] logits, int[] truth, double t) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double z : logits[i]) {
                max = Math.max(max, z / t);
            }
            double s = 0;
            for (double z : logits[i]) {
                s += Math.exp(z / t - max);
            }
            sum += max + Math.log(s) - logits[i][truth[i]] / t;
        }
        return sum / logits.length;
    }

    private static void check(double[][] probabilities, int[] truth) {
        if (probabilities.length != truth.length) {
            throw new IllegalArgumentException(truth.length + " true classes for " + probabilities.length
                    + " predictions");
        }
    }
}
