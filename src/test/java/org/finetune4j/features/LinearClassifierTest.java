package org.finetune4j.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.finetune4j.core.UsageException;
import org.junit.jupiter.api.Test;

class LinearClassifierTest {

    /** The L2 objective the optimiser minimises: mean cross-entropy + λ/2 ‖W‖², λ = 1/(c n). */
    private static double l2Objective(LinearModel m, double[][] x, int[] y, double c) {
        double sq = 0;
        for (double[] w : m.weights()) {
            for (double v : w) {
                sq += v * v;
            }
        }
        return m.crossEntropy(x, y) + 0.5 * sq / (c * x.length);
    }

    private static LinearModel perturbed(LinearModel m, int k, int j, double delta) {
        double[][] w = new double[m.classes()][];
        for (int c = 0; c < w.length; c++) {
            w[c] = m.weights()[c].clone();
        }
        w[k][j] += delta;
        return new LinearModel(w, m.bias().clone());
    }

    @Test
    void l2LogisticRegressionGivesTheSameModelWhateverTheThreads() throws Exception {
        int[] y = new int[2000];
        double[][] x = Synthetic.blobs(2000, 10, 200, 1.0, 1.0, 3, y);   // 4M multiply-adds: parallel passes
        LogisticRegression lr = new LogisticRegression(LinearClassifier.Penalty.L2, 30);
        LinearModel parallel = lr.fit(x, y, 10, 1.0);
        java.util.concurrent.ForkJoinPool one = new java.util.concurrent.ForkJoinPool(1);
        try {
            LinearModel single = one.submit(() -> lr.fit(x, y, 10, 1.0)).get();
            assertThat(single.bias()).isEqualTo(parallel.bias());
            for (int k = 0; k < 10; k++) {
                assertThat(single.weights()[k]).isEqualTo(parallel.weights()[k]);
            }
        } finally {
            one.shutdown();
        }
    }

    @Test
    void l2LogisticRegressionReachesTheMinimumOfItsObjective() {
        int[] y = new int[120];
        double[][] x = Synthetic.blobs(120, 3, 6, 1.5, 1.0, 1, y);
        double c = 0.5;
        LinearModel m = new LogisticRegression(LinearClassifier.Penalty.L2, 1000).fit(x, y, 3, c);
        double f = l2Objective(m, x, y, c);
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < 6; j++) {
                assertThat(l2Objective(perturbed(m, k, j, 1e-2), x, y, c)).isGreaterThan(f);
                assertThat(l2Objective(perturbed(m, k, j, -1e-2), x, y, c)).isGreaterThan(f);
            }
        }
        assertThat(m.accuracy(x, y)).isGreaterThan(0.7);
    }

    @Test
    void strongerRegularizationGivesSmallerWeights() {
        int[] y = new int[90];
        double[][] x = Synthetic.blobs(90, 3, 5, 2, 1, 2, y);
        LogisticRegression lr = new LogisticRegression(LinearClassifier.Penalty.L2, 1000);
        assertThat(norm(lr.fit(x, y, 3, 0.01))).isLessThan(norm(lr.fit(x, y, 3, 1.0)));
    }

    @Test
    void l1LogisticRegressionZeroesNoiseFeaturesAndKeepsInformativeOnes() {
        int[] y = new int[200];
        double[][] x = Synthetic.blobs(200, 2, 20, 2.5, 1, 3, y);
        LinearModel m = new LogisticRegression(LinearClassifier.Penalty.L1, 3000).fit(x, y, 2, 0.05);
        int zeros = 0;
        for (int j = 2; j < 20; j++) {
            zeros += m.weights()[0][j] == 0 && m.weights()[1][j] == 0 ? 1 : 0;
        }
        assertThat(zeros).as("noise features with exactly zero weight").isGreaterThanOrEqualTo(14);
        assertThat(Math.abs(m.weights()[0][0]) + Math.abs(m.weights()[1][0])).isGreaterThan(0.1);
        assertThat(m.accuracy(x, y)).isGreaterThan(0.85);
    }

    @Test
    void svmSeparatesSeparableDataWithMarginForBothLosses() {
        int[] y = new int[60];
        double[][] x = Synthetic.blobs(60, 3, 4, 6, 0.5, 4, y);
        for (LinearClassifier.Loss loss : LinearClassifier.Loss.values()) {
            LinearModel m = new LinearSvm(loss, 2000, 7).fit(x, y, 3, 10);
            assertThat(m.accuracy(x, y)).as(loss.name()).isEqualTo(1.0);
            for (int i = 0; i < x.length; i++) {
                assertThat(m.scores(x[i])[y[i]]).as(loss + " margin of row " + i).isGreaterThan(0.9);
            }
        }
    }

    @Test
    void sameSeedSameModel() {
        int[] y = new int[80];
        double[][] x = Synthetic.blobs(80, 4, 8, 1, 1, 5, y);
        LinearModel a = new LinearSvm(LinearClassifier.Loss.HINGE, 500, 3).fit(x, y, 4, 1);
        LinearModel b = new LinearSvm(LinearClassifier.Loss.HINGE, 500, 3).fit(x, y, 4, 1);
        assertThat(a.weights()).isDeepEqualTo(b.weights());
        assertThat(a.bias()).containsExactly(b.bias());
    }

    @Test
    void unknownNamesAreUsageErrors() {
        assertThatThrownBy(() -> LinearClassifier.Penalty.parse("l3")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--penalty l3");
        assertThatThrownBy(() -> LinearClassifier.Loss.parse("log")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--loss log");
        assertThatThrownBy(() -> ClassifierConfig.parseGrid("1:0.1:3")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--c-grid");
        assertThat(ClassifierConfig.parseGrid("1e-2:1e2:5")).hasSize(5).first().isEqualTo(0.01);
    }

    private static double norm(LinearModel m) {
        double s = 0;
        for (double[] w : m.weights()) {
            for (double v : w) {
                s += v * v;
            }
        }
        return Math.sqrt(s);
    }
}
