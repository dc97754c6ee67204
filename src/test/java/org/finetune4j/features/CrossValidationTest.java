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

    /**
     * Cross-validation on the float32 matrix gives what fitting each fold by hand on {@code double[][]} rows gives:
     * the folds' rows (augmented views fitted, only centre views scored), the preprocessing fitted on the fold's
     * training rows, the warm start along the grid. The two paths round the same values to float the same way, so
     * the held-out accuracies are equal and the losses equal to 1e-12.
     */
    @Test
    void equalsFittingEveryFoldByHandOnDoubleRows() {
        int images = 60;
        int[] y0 = new int[images];
        double[][] centre = Synthetic.blobs(images, 3, 12, 1.5, 1, 5, y0);
        // every image twice: its centre view and one augmented view (a perturbed copy) right after all centres
        java.util.SplittableRandom rng = new java.util.SplittableRandom(6);
        int n = 2 * images;
        float[][] x = new float[n][];
        int[] y = new int[n];
        int[] group = new int[n];
        boolean[] augmented = new boolean[n];
        List<String> paths = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            int g = i % images;
            x[i] = new float[12];
            for (int j = 0; j < 12; j++) {
                x[i][j] = (float) (centre[g][j] + (i >= images ? 0.3 * Synthetic.gaussian(rng) : 0));
            }
            y[i] = y0[g];
            group[i] = g;
            augmented[i] = i >= images;
            paths.add("img" + g);
        }
        FeatureSet set = new FeatureSet(paths, x, y, group, augmented);
        ClassifierConfig cfg = new ClassifierConfig("logreg", "l2", "hinge", 4,
                ClassifierConfig.parseGrid("1e-2:1e2:5"), 500, ScalingConfig.defaults());
        LinearClassifier clf = LinearClassifier.of(cfg, 1);
        CrossValidation.Result r = CrossValidation.run(set, 3, clf, cfg, Seeds.of(9), 2);

        int[] fold = CrossValidation.folds(set, 4, Seeds.of(9).stream("cv-folds"));
        double[] lossSum = new double[cfg.cGrid().size()];
        for (int f = 0; f < 4; f++) {
            List<double[]> fitX = new java.util.ArrayList<>();
            List<Integer> fitY = new java.util.ArrayList<>();
            List<double[]> testX = new java.util.ArrayList<>();
            List<Integer> testY = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                double[] row = new double[12];
                for (int j = 0; j < 12; j++) {
                    row[j] = x[i][j];
                }
                if (fold[group[i]] != f) {
                    fitX.add(row);
                    fitY.add(y[i]);
                } else if (!augmented[i]) {
                    testX.add(row);
                    testY.add(y[i]);
                }
            }
            FeatureTransform t = FeatureTransform.fit(fitX.toArray(new double[0][]), cfg.scaling());
            double[][] fx = t.apply(fitX.toArray(new double[0][]));
            double[][] tx = t.apply(testX.toArray(new double[0][]));
            int[] fy = fitY.stream().mapToInt(Integer::intValue).toArray();
            int[] ty = testY.stream().mapToInt(Integer::intValue).toArray();
            LinearModel previous = null;
            for (int g = 0; g < cfg.cGrid().size(); g++) {
                previous = clf.fit(fx, fy, 3, cfg.cGrid().get(g), previous);
                CrossValidation.Point p = r.points().get(g);
                assertThat(p.foldAccuracies()[f]).as("fold %d, C %s", f, p.c()).isEqualTo(previous.accuracy(tx, ty));
                lossSum[g] += previous.crossEntropy(tx, ty);
            }
        }
        for (int g = 0; g < lossSum.length; g++) {
            assertThat(r.points().get(g).meanLoss()).isCloseTo(lossSum[g] / 4, org.assertj.core.api.Assertions
                    .within(1e-12));
        }
        assertThat(r.best().meanAccuracy()).isGreaterThan(0.6);
    }
}
