package org.finetune4j.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Class weights in the objectives of features mode's logistic regression and linear SVM. */
class ClassWeightedClassifierTest {

    /** 200 rows of class 0 around x = -1 and 20 of class 1 around x = +1, unit noise. */
    private static final int MAJORITY = 200;
    private static final int MINORITY = 20;

    private static double[][] lopsided(int[] y) {
        SplittableRandom rng = new SplittableRandom(3);
        double[][] x = new double[MAJORITY + MINORITY][1];
        for (int i = 0; i < x.length; i++) {
            y[i] = i < MAJORITY ? 0 : 1;
            x[i][0] = (y[i] == 0 ? -1 : 1) + Synthetic.gaussian(rng);
        }
        return x;
    }

    /** @return where the two classes' scores are equal (the model's decision boundary on the line) */
    private static double boundary(LinearModel m) {
        return -(m.bias()[1] - m.bias()[0]) / (m.weights()[1][0] - m.weights()[0][0]);
    }

    private static double recall(LinearModel m, double[][] x, int[] y, int c) {
        int hits = 0;
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (y[i] == c) {
                n++;
                hits += argmax(m.scores(x[i])) == c ? 1 : 0;
            }
        }
        return hits / (double) n;
    }

    private static int argmax(double[] s) {
        return s[1] > s[0] ? 1 : 0;
    }

    @Test
    void withoutFeaturesTheWeightedBiasIsAtTheWeightedLogPriors() {
        // the weighted maximum-likelihood bias: p_k proportional to w_k n_k
        int[] y = {0, 0, 0, 1, 0, 0, 0, 1};
        for (LinearClassifier.Penalty penalty : LinearClassifier.Penalty.values()) {
            LinearModel even = new LogisticRegression(penalty, 1000, new double[] {1, 3}).fit(new double[8][0], y, 2,
                    1.0);
            assertThat(even.bias()[0] - even.bias()[1]).as(penalty.name()).isCloseTo(0, within(1e-4));
            LinearModel tilted = new LogisticRegression(penalty, 1000, new double[] {1, 6}).fit(new double[8][0], y,
                    2, 1.0);
            assertThat(tilted.bias()[0] - tilted.bias()[1]).as(penalty.name()).isCloseTo(-Math.log(2),
                    within(1e-4));
        }
    }

    @Test
    void aClassWeightOfTwoEqualsEveryRowOfThatClassTwice() {
        int[] y = new int[120];
        double[][] x = Synthetic.blobs(120, 3, 5, 1.0, 1.0, 9, y);
        int extra = 0;
        for (int label : y) {
            extra += label == 2 ? 1 : 0;
        }
        double[][] xd = new double[x.length + extra][];
        int[] yd = new int[xd.length];
        int k = 0;
        for (int i = 0; i < x.length; i++) {
            xd[k] = x[i];
            yd[k++] = y[i];
            if (y[i] == 2) {
                xd[k] = x[i];
                yd[k++] = y[i];
            }
        }
        double[] w = {1, 1, 2};
        // logistic regression: (1/n) Σ s_i CE_i + R / (c n) has the minimiser of the duplicated data's objective
        // (1/n') Σ CE_i + R / (c n') at c' = c: multiply it by n'/n
        LinearModel weighted = new LogisticRegression(LinearClassifier.Penalty.L2, 2000, w).fit(x, y, 3, 0.5);
        LinearModel duplicated = new LogisticRegression(LinearClassifier.Penalty.L2, 2000).fit(xd, yd, 3, 0.5);
        assertClose(weighted, duplicated, 1e-3);
        // the SVM's c Σ s_i loss_i is its duplicated data's c Σ loss_i exactly
        LinearModel svmWeighted = new LinearSvm(LinearClassifier.Loss.SQUARED_HINGE, 5000, 4, w).fit(x, y, 3, 0.5);
        LinearModel svmDuplicated = new LinearSvm(LinearClassifier.Loss.SQUARED_HINGE, 5000, 4).fit(xd, yd, 3, 0.5);
        assertClose(svmWeighted, svmDuplicated, 2e-2);
    }

    private static void assertClose(LinearModel a, LinearModel b, double relative) {
        double scale = 0;
        for (double[] row : b.weights()) {
            for (double v : row) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (int c = 0; c < a.classes(); c++) {
            for (int j = 0; j < a.features(); j++) {
                assertThat(a.weights()[c][j]).as("w[%d][%d]", c, j).isCloseTo(b.weights()[c][j],
                        within(relative * scale));
            }
            assertThat(a.bias()[c]).as("b[%d]", c).isCloseTo(b.bias()[c], within(relative * Math.max(1, scale)));
        }
    }

    @Test
    void balancedWeightsMoveTheBoundaryTowardsTheMajorityAndRaiseMinorityRecall() {
        int[] y = new int[MAJORITY + MINORITY];
        double[][] x = lopsided(y);
        double[] balanced = org.finetune4j.run.ClassWeights.balanced(new long[] {MAJORITY, MINORITY});
        LinearModel plain = new LogisticRegression(LinearClassifier.Penalty.L2, 1000).fit(x, y, 2, 100);
        LinearModel weighted = new LogisticRegression(LinearClassifier.Penalty.L2, 1000, balanced).fit(x, y, 2, 100);
        // two unit-variance classes at -1 and +1: the prior-weighted boundary lies at ln(10)/2 ≈ 1.15, the
        // balanced one (equal priors) at the midpoint 0; the samples move both a little
        assertThat(boundary(plain)).isCloseTo(Math.log(10) / 2, within(0.4));
        assertThat(boundary(weighted)).isCloseTo(0, within(0.4));
        assertThat(recall(weighted, x, y, 1)).isGreaterThan(recall(plain, x, y, 1) + 0.2);
        for (LinearClassifier.Loss loss : LinearClassifier.Loss.values()) {
            LinearModel svmPlain = new LinearSvm(loss, 2000, 5).fit(x, y, 2, 1);
            LinearModel svmWeighted = new LinearSvm(loss, 2000, 5, balanced).fit(x, y, 2, 1);
            assertThat(boundary(svmWeighted)).as(loss.name()).isLessThan(boundary(svmPlain) - 0.3);
            assertThat(recall(svmWeighted, x, y, 1)).as(loss.name()).isGreaterThan(recall(svmPlain, x, y, 1));
        }
    }

    @Test
    void weightsOfOneChangeNothing() {
        int[] y = new int[80];
        double[][] x = Synthetic.blobs(80, 4, 8, 1, 1, 5, y);
        double[] ones = {1, 1, 1, 1};
        LinearModel a = new LinearSvm(LinearClassifier.Loss.HINGE, 500, 3).fit(x, y, 4, 0.3);
        LinearModel b = new LinearSvm(LinearClassifier.Loss.HINGE, 500, 3, ones).fit(x, y, 4, 0.3);
        assertThat(b.weights()).isEqualTo(a.weights());
        assertThat(b.bias()).isEqualTo(a.bias());
        LinearModel c = new LogisticRegression(LinearClassifier.Penalty.L2, 500).fit(x, y, 4, 0.3);
        LinearModel d = new LogisticRegression(LinearClassifier.Penalty.L2, 500, ones).fit(x, y, 4, 0.3);
        assertClose(d, c, 1e-9);
    }
}
