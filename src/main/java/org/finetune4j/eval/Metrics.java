package org.finetune4j.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * How well a set of predictions matches the truth: top-1 and top-5 accuracy, per-class precision, recall and F1,
 * their unweighted mean (macro F1) and the confusion matrix, with 95% intervals: Wilson score intervals for top-1 and
 * per-class recall (proportions of images), a seeded percentile bootstrap over images for macro F1
 * ({@link Statistics}).
 * <pre>{@code
 * Metrics m = Metrics.of(labels, truth, probabilities);     // probabilities[image][class]
 * m.top1(); m.perClass().get(0).f1(); m.confusion();
 * }</pre>
 *
 * @param images          number of images
 * @param top1            fraction of images whose most probable class is the true one
 * @param top1Interval    95% Wilson interval of top-1
 * @param top5      fraction whose true class is among the 5 most probable; null with 5 classes or fewer (it would
 *                  be 1 by construction)
 * @param macroF1   mean F1 over the classes that have images or predictions
 * @param macroF1Interval 95% bootstrap interval of macro F1 (images resampled; {@link Statistics#BOOTSTRAP_SEED})
 * @param balancedAccuracy mean recall over the classes that have images
 * @param balancedAccuracyInterval 95% bootstrap interval of the balanced accuracy (images resampled;
 *                  {@link Statistics#BOOTSTRAP_SEED}; a class absent from a resample does not count in its mean)
 * @param perClass  one entry per class, in label order
 * @param confusion {@code confusion[true][predicted]} counts
 */
public record Metrics(int images, double top1, Interval top1Interval, Double top5, double macroF1,
                      Interval macroF1Interval, double balancedAccuracy, Interval balancedAccuracyInterval,
                      List<ClassMetrics> perClass,
                      long[][] confusion) {

    /**
     * The figures for one class.
     *
     * @param label     the class name
     * @param precision of the images predicted as this class, the fraction that are (0 if none was predicted)
     * @param recall    of the images of this class, the fraction found (0 if there are none)
     * @param recallInterval 95% Wilson interval of the recall, over the class's {@code support} images
     * @param f1        harmonic mean of precision and recall
     * @param support   images of this class
     * @param predicted images predicted as this class
     */
    public record ClassMetrics(String label, double precision, double recall, Interval recallInterval, double f1,
                               long support, long predicted) {
    }

    public Metrics {
        perClass = List.copyOf(perClass);
    }

    /**
     * @param labels        class names in output order
     * @param truth         true class index per image
     * @param probabilities per image, one probability per class
     * @return the metrics; ties between classes go to the lower class index, as an argmax does
     */
    public static Metrics of(List<String> labels, int[] truth, double[][] probabilities) {
        if (truth.length != probabilities.length) {
            throw new IllegalArgumentException(truth.length + " true classes for " + probabilities.length
                    + " predictions");
        }
        int n = labels.size();
        ConfusionMatrix cm = new ConfusionMatrix(n);
        int inTop5 = 0;
        for (int i = 0; i < truth.length; i++) {
            double[] p = probabilities[i];
            if (p.length != n) {
                throw new IllegalArgumentException("image " + i + " has " + p.length + " probabilities for " + n
                        + " classes");
            }
            cm.add(truth[i], argmax(p));
            if (rank(p, truth[i]) < 5) {
                inTop5++;
            }
        }
        return of(labels, cm, n > 5 && truth.length > 0 ? inTop5 / (double) truth.length : null);
    }

    /**
     * @param labels class names in the matrix's order
     * @param cm     the counts
     * @param top5   top-5 accuracy if known, else null
     * @return the metrics of a confusion matrix
     */
    public static Metrics of(List<String> labels, ConfusionMatrix cm, Double top5) {
        if (labels.size() != cm.size()) {
            throw new IllegalArgumentException(labels.size() + " labels for a " + cm.size() + "-class matrix");
        }
        List<ClassMetrics> per = new ArrayList<>();
        long[][] counts = cm.counts();
        double recallSum = 0;
        int withImages = 0;
        for (int c = 0; c < cm.size(); c++) {
            per.add(new ClassMetrics(labels.get(c), cm.precision(c), cm.recall(c),
                    Statistics.wilson(counts[c][c], cm.support(c)), cm.f1(c), cm.support(c), cm.predicted(c)));
            if (cm.support(c) > 0) {
                recallSum += cm.recall(c);
                withImages++;
            }
        }
        long correct = 0;
        for (int c = 0; c < cm.size(); c++) {
            correct += counts[c][c];
        }
        // The images as (true, predicted) pairs, so the bootstrap can resample them.
        int total = (int) cm.total();
        int[] truth = new int[total];
        int[] predicted = new int[total];
        int k = 0;
        for (int t = 0; t < cm.size(); t++) {
            for (int p = 0; p < cm.size(); p++) {
                for (long j = 0; j < counts[t][p]; j++) {
                    truth[k] = t;
                    predicted[k++] = p;
                }
            }
        }
        int classes = cm.size();
        Interval f1Interval = Statistics.bootstrap(total, idx -> macroF1(classes, truth, predicted, idx),
                Statistics.bootstrapSeeds(), "macro-f1");
        Interval balancedInterval = Statistics.bootstrap(total, idx -> balancedAccuracy(classes, truth, predicted,
                idx), Statistics.bootstrapSeeds(), "balanced-accuracy");
        return new Metrics(total, cm.accuracy(), Statistics.wilson(correct, total), top5,
                macroF1(classes, truth, predicted, null), f1Interval, withImages == 0 ? 0 : recallSum / withImages,
                balancedInterval, per, counts);
    }

    /**
     * Macro F1 of the images {@code idx} (all when null): the mean F1 over the classes that have images or
     * predictions among them.
     */
    static double macroF1(int classes, int[] truth, int[] predicted, int[] idx) {
        long[] tp = new long[classes];
        long[] support = new long[classes];
        long[] pred = new long[classes];
        int n = idx == null ? truth.length : idx.length;
        for (int k = 0; k < n; k++) {
            int i = idx == null ? k : idx[k];
            support[truth[i]]++;
            pred[predicted[i]]++;
            if (truth[i] == predicted[i]) {
                tp[truth[i]]++;
            }
        }
        double sum = 0;
        int counted = 0;
        for (int c = 0; c < classes; c++) {
            if (support[c] == 0 && pred[c] == 0) {
                continue;
            }
            counted++;
            if (tp[c] > 0) {
                double precision = tp[c] / (double) pred[c];
                double recall = tp[c] / (double) support[c];
                sum += 2 * precision * recall / (precision + recall);
            }
        }
        return counted == 0 ? 0 : sum / counted;
    }

    /**
     * Balanced accuracy of the images {@code idx} (all when null): the mean recall over the classes that have
     * images among them.
     */
    static double balancedAccuracy(int classes, int[] truth, int[] predicted, int[] idx) {
        long[] tp = new long[classes];
        long[] support = new long[classes];
        int n = idx == null ? truth.length : idx.length;
        for (int k = 0; k < n; k++) {
            int i = idx == null ? k : idx[k];
            support[truth[i]]++;
            if (truth[i] == predicted[i]) {
                tp[truth[i]]++;
            }
        }
        double sum = 0;
        int counted = 0;
        for (int c = 0; c < classes; c++) {
            if (support[c] > 0) {
                sum += tp[c] / (double) support[c];
                counted++;
            }
        }
        return counted == 0 ? 0 : sum / counted;
    }

    /** @return the index of the largest value, the lowest index among ties */
    public static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    /** @return how many classes rank above class {@code c} (higher probability, or equal and a lower index) */
    public static int rank(double[] p, int c) {
        int above = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > p[c] || (p[i] == p[c] && i < c)) {
                above++;
            }
        }
        return above;
    }
}
