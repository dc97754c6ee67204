package org.finetune4j.features;

import java.util.SplittableRandom;

/**
 * A linear support vector machine, one-vs-rest: one binary SVM per class (that class +1, all others -1), predicting
 * the class with the highest decision value. Each binary problem is the L2-regularised primal
 * {@code min ½‖w‖² + c Σ_i loss(y_i w·[x_i, 1])} with hinge or squared-hinge loss, solved in the dual by coordinate
 * descent exactly as LIBLINEAR does (Hsieh, Chang, Lin, Keerthi &amp; Sundararajan 2008, "A Dual Coordinate Descent
 * Method for Large-scale Linear SVM", Algorithm 1, without shrinking): the bias is a constant feature 1 and so is
 * regularised like LIBLINEAR's {@code -B 1}. With class weights ({@code --class-weights}) every row's loss is
 * multiplied by the weight of its own class, {@code c Σ_i s_i loss(...)}: in the dual, row {@code i}'s box becomes
 * {@code [0, c s_i]} (hinge) and its diagonal term {@code 1 / (2 c s_i)} (squared hinge), LIBLINEAR's per-instance
 * weights. Stops when the projected-gradient spread falls below 1e-3 or after
 * {@code maxIterations} passes.
 *
 * <p>The coordinate order of each pass is a permutation drawn from a generator seeded with the given seed and the
 * class, so a fit is deterministic. Decision values are margins, not probabilities.
 * <pre>{@code
 * LinearModel m = new LinearSvm(LinearClassifier.Loss.SQUARED_HINGE, 1000, seed).fit(x, y, 10, 0.1);
 * }</pre>
 */
public final class LinearSvm implements LinearClassifier {

    private static final double TOLERANCE = 1e-3;

    private final Loss loss;
    private final int maxIterations;
    private final long seed;
    private final double[] classWeights;

    /**
     * @param loss          hinge or squared hinge
     * @param maxIterations passes over the data per class, at least 1
     * @param seed          seeds the coordinate order
     */
    public LinearSvm(Loss loss, int maxIterations, long seed) {
        this(loss, maxIterations, seed, null);
    }

    /**
     * @param loss          hinge or squared hinge
     * @param maxIterations passes over the data per class, at least 1
     * @param seed          seeds the coordinate order
     * @param classWeights  the loss weight of each class, all positive, or null for none: a row of class {@code k}
     *                      counts {@code classWeights[k]} times in every binary problem's loss
     */
    public LinearSvm(Loss loss, int maxIterations, long seed, double[] classWeights) {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be at least 1");
        }
        this.loss = loss;
        this.maxIterations = maxIterations;
        this.seed = seed;
        this.classWeights = classWeights == null ? null : LogisticRegression.checkedWeights(classWeights);
    }

    @Override
    public String describe() {
        return "linear SVM (" + (loss == Loss.HINGE ? "hinge" : "squared hinge") + ", one-vs-rest"
                + (classWeights == null ? "" : ", class-weighted") + ")";
    }

    @Override
    public LinearModel fit(double[][] x, int[] y, int classes, double c) {
        int n = x.length;
        int d = x[0].length;
        double[] sqNorm = new double[n];
        for (int i = 0; i < n; i++) {
            sqNorm[i] = LogisticRegression.dot(x[i], x[i]) + 1;   // + the bias feature
        }
        if (classWeights != null && classWeights.length != classes) {
            throw new IllegalArgumentException(classWeights.length + " class weights for " + classes + " classes");
        }
        double[] upper = new double[n];
        double[] diag = new double[n];
        for (int i = 0; i < n; i++) {
            double ci = c * (classWeights == null ? 1 : classWeights[y[i]]);
            upper[i] = loss == Loss.HINGE ? ci : Double.POSITIVE_INFINITY;
            diag[i] = loss == Loss.HINGE ? 0 : 1 / (2 * ci);
        }
        double[][] w = new double[classes][];
        double[] b = new double[classes];
        for (int k = 0; k < classes; k++) {
            double[] wk = new double[d];
            double[] bk = new double[1];
            binary(x, y, k, wk, bk, sqNorm, upper, diag, new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (k + 1))));
            w[k] = wk;
            b[k] = bk[0];
        }
        return new LinearModel(w, b);
    }

    private void binary(double[][] x, int[] labels, int positive, double[] w, double[] bias, double[] sqNorm,
                        double[] upper, double[] diag, SplittableRandom rng) {
        int n = x.length;
        int d = w.length;
        double[] alpha = new double[n];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int pass = 0; pass < maxIterations; pass++) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double pgMax = Double.NEGATIVE_INFINITY;
            double pgMin = Double.POSITIVE_INFINITY;
            for (int i : order) {
                double yi = labels[i] == positive ? 1 : -1;
                double[] xi = x[i];
                double margin = bias[0];
                for (int j = 0; j < d; j++) {
                    margin += w[j] * xi[j];
                }
                double g = yi * margin - 1 + diag[i] * alpha[i];
                double pg;
                if (alpha[i] == 0) {
                    pg = Math.min(g, 0);
                } else if (alpha[i] == upper[i]) {
                    pg = Math.max(g, 0);
                } else {
                    pg = g;
                }
                pgMax = Math.max(pgMax, pg);
                pgMin = Math.min(pgMin, pg);
                if (pg != 0) {
                    double old = alpha[i];
                    alpha[i] = Math.min(Math.max(old - g / (sqNorm[i] + diag[i]), 0), upper[i]);
                    double delta = (alpha[i] - old) * yi;
                    for (int j = 0; j < d; j++) {
                        w[j] += delta * xi[j];
                    }
                    bias[0] += delta;
                }
            }
            if (pgMax - pgMin <= TOLERANCE) {
                break;
            }
        }
    }
}
