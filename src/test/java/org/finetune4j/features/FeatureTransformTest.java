package org.finetune4j.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureTransformTest {

    private static double[][] data(int n, int d, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) {
            double t = Synthetic.gaussian(rng);
            for (int j = 0; j < d; j++) {
                // correlated columns with different scales and offsets
                x[i][j] = (j + 1) * (t + 0.3 * Synthetic.gaussian(rng)) + 5 * j;
            }
        }
        return x;
    }

    private static double[][] covariance(double[][] z) {
        int n = z.length;
        int d = z[0].length;
        double[] mean = new double[d];
        for (double[] r : z) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / n;
            }
        }
        double[][] c = new double[d][d];
        for (double[] r : z) {
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    c[a][b] += (r[a] - mean[a]) * (r[b] - mean[b]) / (n - 1);
                }
            }
        }
        return c;
    }

    @Test
    void standardizationGivesZeroMeanAndUnitVariance() {
        double[][] z = FeatureTransform.fit(data(50, 4, 1), new ScalingConfig(true, 0, 0, false))
                .apply(data(50, 4, 1));
        double[][] c = covariance(z);
        for (int j = 0; j < 4; j++) {
            double m = 0;
            for (double[] r : z) {
                m += r[j] / z.length;
            }
            assertThat(m).isCloseTo(0, within(1e-9));
            assertThat(c[j][j]).isCloseTo(1, within(1e-9));
        }
    }

    @Test
    void whitenedPcaHasIdentityCovarianceInBothRegimes() {
        for (int n : new int[] {40, 6}) {   // more rows than features, and fewer (Gram-matrix path)
            double[][] x = data(n, 10, 2);
            FeatureTransform t = FeatureTransform.fit(x, new ScalingConfig(true, 3, 0, true));
            assertThat(t.outputs()).isEqualTo(3);
            double[][] c = covariance(t.apply(x));
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    assertThat(c[a][b]).as("n=" + n + " cov[" + a + "][" + b + "]").isCloseTo(a == b ? 1 : 0,
                            within(1e-3));
                }
            }
        }
    }

    @Test
    void varianceFractionKeepsTheFewestComponentsThatExplainIt() {
        double[][] x = data(60, 8, 3);
        Pca full = FeatureTransform.fit(x, new ScalingConfig(false, 0, 0, true)).pca();
        FeatureTransform t = FeatureTransform.fit(x, new ScalingConfig(false, 0, 0.95, false));
        int k = t.outputs();
        assertThat(t.pca().explainedFraction()).isGreaterThanOrEqualTo(0.95);
        double fewer = 0;
        for (int c = 0; c < k - 1; c++) {
            fewer += full.variances()[c];
        }
        assertThat(fewer / full.totalVariance()).isLessThan(0.95);
    }

    @Test
    void foldingIntoTheModelGivesTheSameScores() {
        double[][] x = data(30, 6, 4);
        FeatureTransform t = FeatureTransform.fit(x, new ScalingConfig(true, 4, 0, true));
        LinearModel m = new LinearModel(new double[][] {{1, -2, 0.5, 3}, {0, 1, 1, -1}}, new double[] {0.2, -0.1});
        LinearModel folded = t.fold(m);
        for (double[] r : x) {
            assertThat(folded.scores(r)).containsExactly(m.scores(t.apply(r)), within(1e-9));
        }
        FeatureTransform diag = FeatureTransform.fit(x, new ScalingConfig(true, 0, 0, false));
        LinearModel m6 = new LinearModel(new double[][] {{1, 2, 3, 4, 5, 6}, {6, 5, 4, 3, 2, 1}}, new double[] {1, 2});
        assertThat(diag.fold(m6).scores(x[0])).containsExactly(m6.scores(diag.apply(x[0])), within(1e-9));
    }

    /**
     * On a float32 matrix, with or without a row subset, the fit and the transformed rows are those of the same
     * values as {@code double[][]} (the rows rounded to float at the end).
     */
    @Test
    void onAFeatureMatrixItEqualsTheDoubleRowPath() {
        int[] y = new int[50];
        double[][] x = Synthetic.blobs(50, 3, 8, 2, 1, 4, y);
        for (double[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) row[j];
            }
        }
        int[] subset = {49, 3, 3, 10, 20, 30, 40, 0, 7, 8, 9, 11};
        double[][] picked = new double[subset.length][];
        for (int i = 0; i < subset.length; i++) {
            picked[i] = x[subset[i]];
        }
        try (FeatureMatrix m = FeatureMatrix.of(x)) {
            for (ScalingConfig cfg : List.of(ScalingConfig.of(true, null, false), ScalingConfig.of(true, "4", true),
                    ScalingConfig.of(false, null, false))) {
                FeatureTransform expected = FeatureTransform.fit(picked, cfg);
                FeatureTransform actual = FeatureTransform.fit(m, subset, cfg);
                assertThat(actual.offset()).containsExactly(expected.offset());
                try (FeatureMatrix z = actual.apply(m, subset)) {
                    double[][] want = expected.apply(picked);
                    for (int i = 0; i < subset.length; i++) {
                        for (int j = 0; j < want[i].length; j++) {
                            assertThat(z.row(i)[j]).as("%s row %d", cfg.describe(), i).isEqualTo((float) want[i][j]);
                        }
                    }
                }
                assertThat(actual.isIdentity()).isEqualTo(!cfg.standardize() && !cfg.hasPca());
            }
            assertThat(FeatureTransform.fit(m, ScalingConfig.of(true, null, false)).offset())
                    .containsExactly(FeatureTransform.fit(x, ScalingConfig.of(true, null, false)).offset());
        }
    }
}
