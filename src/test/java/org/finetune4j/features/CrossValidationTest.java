package org.finetune4j.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.finetune4j.core.Seeds;
import org.junit.jupiter.api.Test;

class CrossValidationTest {

    /**
     * A known answer: 3 imbalanced classes (50/30/20 %), each marked by one informative feature (mean +2) among 100
     * features of unit noise, 90 rows, L1-penalised logistic regression. With too much regularization (small C)
     * every weight is exactly zero and only the bias is left, so it predicts the majority class (accuracy 0.5);
     * with too little (large C) it also uses noise features and over-fits; in between it keeps the informative
     * features. Measured on this data: 0.50 0.50 0.50 0.91 0.89 0.88 0.87 0.86 0.86 (C = 1e-4 … 1e4).
     */
    @Test
    void picksAStrengthStrictlyInsideTheGridWhenBothEndsAreWrong() {
        int n = 90;
        int d = 100;
        java.util.SplittableRandom rng = new java.util.SplittableRandom(12);
        double[][] x = new double[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int m = i % 10;
            y[i] = m < 5 ? 0 : m < 8 ? 1 : 2;
            for (int j = 0; j < d; j++) {
                x[i][j] = Synthetic.gaussian(rng) + (j == y[i] ? 2.0 : 0);
            }
        }
        ClassifierConfig cfg = new ClassifierConfig("logreg", "l1", "hinge", 5,
                ClassifierConfig.parseGrid("1e-4:1e4:9"), 1000, ScalingConfig.defaults());
        CrossValidation.Result r = CrossValidation.run(Synthetic.set(x, y), 3,
                LinearClassifier.of(cfg, 1), cfg, Seeds.of(3), 2);
        List<CrossValidation.Point> p = r.points();
        assertThat(p.get(0).meanAccuracy()).as("all weights zero: the majority class").isEqualTo(0.5);
        assertThat(r.bestIndex()).isStrictlyBetween(0, p.size() - 1);
        assertThat(r.best().meanAccuracy()).isGreaterThan(p.get(0).meanAccuracy() + 0.2)
                .isGreaterThan(p.get(p.size() - 1).meanAccuracy() + 0.02);
    }

    @Test
    void foldsAreStratifiedAndKeepAnImagesViewsTogether() {
        int[] y = new int[40];
        double[][] x = Synthetic.blobs(40, 2, 3, 1, 1, 1, y);
        FeatureSet s = Synthetic.set(x, y);
        int[] fold = CrossValidation.folds(s, 4, Seeds.of(1).stream("f"));
        int[][] perFoldClass = new int[4][2];
        for (int i = 0; i < 40; i++) {
            perFoldClass[fold[i]][y[i]]++;
        }
        for (int[] f : perFoldClass) {
            assertThat(f[0]).isBetween(4, 6);
            assertThat(f[1]).isBetween(4, 6);
        }
        assertThat(CrossValidation.folds(s, 4, Seeds.of(1).stream("f"))).containsExactly(fold);
    }
}
