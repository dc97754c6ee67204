package org.finetune4j.clean;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.finetune4j.core.ParallelMap;
import org.finetune4j.core.Seeds;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.CrossValidation;
import org.finetune4j.features.FeatureMatrix;
import org.finetune4j.features.FeatureSet;
import org.finetune4j.features.FeatureTransform;
import org.finetune4j.features.LinearClassifier;
import org.finetune4j.features.LinearModel;

/**
 * Out-of-fold predicted probabilities: every image's class probabilities from a linear classifier that never saw it.
 * The images are dealt into seeded stratified folds ({@link CrossValidation#folds}, the same folds cross-validation
 * uses for the same seed); the regularization is chosen by {@link CrossValidation} over the grid, then for each fold
 * the feature preprocessing and a multinomial logistic regression are fitted on the other folds and the fold's
 * images are scored.
 * <pre>{@code
 * OutOfFold.Result r = OutOfFold.compute(rows, classes, classifierConfig, seeds, 2);
 * double[] p = r.probabilities()[i];
 * }</pre>
 */
public final class OutOfFold {

    private OutOfFold() {
    }

    /**
     * @param probabilities {@code [n][classes]} out-of-fold probabilities
     * @param c             the chosen inverse regularization strength
     * @param accuracy      the share of images whose highest out-of-fold probability is their given label
     */
    public record Result(double[][] probabilities, double c, double accuracy) {
    }

    /**
     * @param rows    one centre view per image (groups are the row indices)
     * @param classes number of classes
     * @param cfg     the classifier (logreg), folds, grid and feature preprocessing
     * @param seeds   the run's seeds
     * @param threads parallel fits
     */
    public static Result compute(FeatureSet rows, int classes, ClassifierConfig cfg, Seeds seeds, int threads) {
        LinearClassifier clf = LinearClassifier.of(cfg, seeds.value("classifier"));
        double c = cfg.cGrid().size() == 1 ? cfg.cGrid().get(0)
                : CrossValidation.run(rows, classes, clf, cfg, seeds, threads).best().c();
        int[] fold = CrossValidation.folds(rows, cfg.folds(), seeds.stream("cv-folds"));
        int n = rows.size();
        List<Integer> folds = new ArrayList<>();
        for (int f = 0; f < cfg.folds(); f++) {
            folds.add(f);
        }
        double[][] probabilities = new double[n][];
        List<double[][]> perFold = ParallelMap.apply(folds, threads, "finetune4j-oof", f -> {
            int[] fit = IntStream.range(0, n).filter(i -> fold[rows.group()[i]] != f).toArray();
            int[] fitY = IntStream.of(fit).map(i -> rows.y()[i]).toArray();
            FeatureTransform t = FeatureTransform.fit(rows.x(), fit, cfg.scaling());
            LinearModel m;
            try (FeatureMatrix fitX = t.apply(rows.x(), fit)) {
                m = t.fold(clf.fit(fitX, fitY, classes, c, null));
            }
            double[][] out = new double[n][];
            float[] row = new float[rows.dimension()];
            for (int i = 0; i < n; i++) {
                if (fold[rows.group()[i]] == f) {
                    out[i] = m.probabilities(rows.x().row(i, row));
                }
            }
            return out;
        });
        int right = 0;
        for (int i = 0; i < n; i++) {
            for (double[][] p : perFold) {
                if (p[i] != null) {
                    probabilities[i] = p[i];
                }
            }
            int top = 0;
            for (int k = 1; k < classes; k++) {
                if (probabilities[i][k] > probabilities[i][top]) {
                    top = k;
                }
            }
            right += top == rows.y()[i] ? 1 : 0;
        }
        return new Result(probabilities, c, n == 0 ? Double.NaN : (double) right / n);
    }
}
