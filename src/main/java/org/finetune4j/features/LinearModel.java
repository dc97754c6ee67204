package org.finetune4j.features;

import java.util.function.IntFunction;

/**
 * A trained linear classifier: one score per class, {@code score_k(x) = weights[k] · x + bias[k]}; the predicted class
 * is the highest score. For logistic regression the softmax of the scores are class probabilities; for the SVM the
 * scores are margins (their softmax, as the bundle outputs it, is not a calibrated probability).
 * <pre>{@code
 * LinearModel m = new LogisticRegression(LinearClassifier.Penalty.L2).fit(x, y, classes, 1.0);
 * int k = m.predict(x[0]);
 * }</pre>
 *
 * @param weights {@code [classes][features]}
 * @param bias    {@code [classes]}
 */
public record LinearModel(double[][] weights, double[] bias) {

    public LinearModel {
        if (weights.length != bias.length || weights.length < 2) {
            throw new IllegalArgumentException("one weight row and one bias per class (at least 2) are needed");
        }
    }

    /** @return number of classes */
    public int classes() {
        return bias.length;
    }

    /** @return number of input features */
    public int features() {
        return weights[0].length;
    }

    /** @return the class scores of one feature vector */
    public double[] scores(double[] x) {
        double[] s = new double[bias.length];
        for (int k = 0; k < s.length; k++) {
            s[k] = dot(bias[k], weights[k], x);
        }
        return s;
    }

    /** @return {@code start + w · x}, summed in order from {@code start} */
    private static double dot(double start, double[] w, double[] x) {
        double v = start;
        for (int j = 0; j < w.length; j++) {
            v += w[j] * x[j];
        }
        return v;
    }

    /** @return {@code start + w · x} for a float vector, summed in double in the same order */
    private static double dot(double start, double[] w, float[] x) {
        double v = start;
        for (int j = 0; j < w.length; j++) {
            v += w[j] * x[j];
        }
        return v;
    }

    /** @return the index of the highest score (the first on ties) */
    public int predict(double[] x) {
        return argmax(scores(x));
    }

    /** @return softmax of the scores */
    public double[] probabilities(double[] x) {
        return softmax(scores(x));
    }

    /** @return the class scores of one float feature vector (computed in double, as for the same values widened) */
    public double[] scores(float[] x) {
        double[] s = new double[bias.length];
        for (int k = 0; k < s.length; k++) {
            s[k] = dot(bias[k], weights[k], x);
        }
        return s;
    }

    /** @return softmax of the scores of one float feature vector */
    public double[] probabilities(float[] x) {
        return softmax(scores(x));
    }

    /** @return the fraction of rows predicted as their label; NaN for no rows */
    public double accuracy(double[][] x, int[] y) {
        return accuracy(x.length, i -> scores(x[i]), y);
    }

    /** @return the fraction of rows predicted as their label; NaN for no rows */
    public double accuracy(FeatureMatrix x, int[] y) {
        float[] row = new float[x.columns()];
        return accuracy(x.rows(), i -> scores(x.row(i, row)), y);
    }

    /** @return mean cross-entropy of the softmax of the scores; NaN for no rows */
    public double crossEntropy(double[][] x, int[] y) {
        return crossEntropy(x.length, i -> scores(x[i]), y);
    }

    /** @return mean cross-entropy of the softmax of the scores; NaN for no rows */
    public double crossEntropy(FeatureMatrix x, int[] y) {
        float[] row = new float[x.columns()];
        return crossEntropy(x.rows(), i -> scores(x.row(i, row)), y);
    }

    private static double accuracy(int n, IntFunction<double[]> scores, int[] y) {
        if (n == 0) {
            return Double.NaN;
        }
        int ok = 0;
        for (int i = 0; i < n; i++) {
            if (argmax(scores.apply(i)) == y[i]) {
                ok++;
            }
        }
        return (double) ok / n;
    }

    private static double crossEntropy(int n, IntFunction<double[]> scores, int[] y) {
        if (n == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum -= Math.log(Math.max(softmax(scores.apply(i))[y[i]], 1e-300));
        }
        return sum / n;
    }

    static int argmax(double[] s) {
        int best = 0;
        for (int k = 1; k < s.length; k++) {
            if (s[k] > s[best]) {
                best = k;
            }
        }
        return best;
    }

    static double[] softmax(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[s.length];
        for (int k = 0; k < s.length; k++) {
            p[k] = Math.exp(s[k] - max);
            sum += p[k];
        }
        for (int k = 0; k < s.length; k++) {
            p[k] /= sum;
        }
        return p;
    }
}
