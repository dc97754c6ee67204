package org.finetune4j.eval;

import java.util.Arrays;

/**
 * Counts of (true class, predicted class) pairs and the per-class figures read from them.
 * <pre>{@code
 * ConfusionMatrix m = new ConfusionMatrix(3);
 * m.add(0, 0); m.add(0, 2); m.add(1, 1);
 * m.accuracy();      // 2/3
 * m.recall(0);       // 1/2: of the true class-0 images, the share predicted as 0
 * }</pre>
 * Undefined ratios (a class never predicted has no precision, a class with no images no recall) are 0, as in
 * scikit-learn's {@code zero_division=0}; the support and predicted counts tell the cases apart.
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    /** @param classes the number of classes, at least 1 */
    public ConfusionMatrix(int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be at least 1, got " + classes);
        }
        counts = new long[classes][classes];
    }

    /**
     * @param counts {@code counts[true][predicted]}, square, non-negative (copied)
     * @return a matrix with these counts
     */
    public static ConfusionMatrix of(long[][] counts) {
        ConfusionMatrix m = new ConfusionMatrix(counts.length);
        for (int r = 0; r < counts.length; r++) {
            if (counts[r].length != counts.length) {
                throw new IllegalArgumentException("counts must be square: row " + r + " has " + counts[r].length
                        + " columns, expected " + counts.length);
            }
            for (int c = 0; c < counts.length; c++) {
                if (counts[r][c] < 0) {
                    throw new IllegalArgumentException("counts must be non-negative, got " + counts[r][c]);
                }
                m.counts[r][c] = counts[r][c];
            }
        }
        return m;
    }

    /** Counts one image of class {@code truth} predicted as {@code predicted}. */
    public void add(int truth, int predicted) {
        counts[truth][predicted]++;
    }

    /** @return the number of classes */
    public int size() {
        return counts.length;
    }

    /** @return a copy of {@code counts[true][predicted]} */
    public long[][] counts() {
        long[][] out = new long[counts.length][];
        for (int r = 0; r < counts.length; r++) {
            out[r] = counts[r].clone();
        }
        return out;
    }

    /** @return the number of images counted */
    public long total() {
        return Arrays.stream(counts).flatMapToLong(Arrays::stream).sum();
    }

    /** @return the fraction of images on the diagonal, 0 when empty */
    public double accuracy() {
        long total = total();
        long right = 0;
        for (int i = 0; i < counts.length; i++) {
            right += counts[i][i];
        }
        return total == 0 ? 0 : right / (double) total;
    }

    /** @return the number of images whose true class is {@code c} (the row sum) */
    public long support(int c) {
        return Arrays.stream(counts[c]).sum();
    }

    /** @return the number of images predicted as {@code c} (the column sum) */
    public long predicted(int c) {
        long sum = 0;
        for (long[] row : counts) {
            sum += row[c];
        }
        return sum;
    }

    /** @return of the images predicted as {@code c}, the fraction that are {@code c}; 0 if none was predicted */
    public double precision(int c) {
        long p = predicted(c);
        return p == 0 ? 0 : counts[c][c] / (double) p;
    }

    /** @return of the images of class {@code c}, the fraction predicted as {@code c}; 0 if there are none */
    public double recall(int c) {
        long s = support(c);
        return s == 0 ? 0 : counts[c][c] / (double) s;
    }

    /** @return the harmonic mean of precision and recall; 0 when both are 0 */
    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }
}
