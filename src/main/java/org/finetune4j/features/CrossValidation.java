package org.finetune4j.features;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.finetune4j.core.ParallelMap;
import org.finetune4j.core.Seeds;

/**
 * Chooses the regularization of a linear classifier by stratified k-fold cross-validation on the training split:
 * images (not rows, so an image's augmented views stay in its fold) are dealt into folds class by class in a seeded
 * order; for every value of the grid and every fold, the feature preprocessing and the classifier are fitted on the
 * other folds and scored on the fold's centre views. The value with the best mean accuracy wins; ties go to the
 * smaller {@code c} (stronger regularization).
 * <pre>{@code
 * CrossValidation.Result cv = CrossValidation.run(train, classes, clf, cfg, Seeds.of(42), 2);
 * double c = cv.best().c();
 * }</pre>
 */
public final class CrossValidation {

    private CrossValidation() {
    }

    /**
     * One grid value.
     *
     * @param c               the inverse regularization strength
     * @param meanAccuracy    mean held-out accuracy over the folds
     * @param stdAccuracy     standard deviation over the folds
     * @param foldAccuracies  per fold
     * @param meanLoss        mean held-out cross-entropy of the softmax of the classifier's scores over the folds
     *                        (for the SVM the scores are not calibrated probabilities: compare it only between
     *                        settings of the same classifier)
     */
    public record Point(double c, double meanAccuracy, double stdAccuracy, double[] foldAccuracies,
                        double meanLoss) {
    }

    /**
     * @param points    one per grid value, ascending {@code c}
     * @param bestIndex the chosen value
     * @param folds     the number of folds
     */
    public record Result(List<Point> points, int bestIndex, int folds) {
        /** @return the chosen point */
        public Point best() {
            return points.get(bestIndex);
        }
    }

    /**
     * @param train   training rows (with groups and augmented flags)
     * @param classes number of classes
     * @param clf     the classifier
     * @param cfg     grid, folds and feature preprocessing
     * @param seeds   the run's seeds (fold assignment)
     * @param threads parallel fits
     */
    public static Result run(FeatureSet train, int classes, LinearClassifier clf, ClassifierConfig cfg, Seeds seeds,
                             int threads) {
        int[] fold = folds(train, cfg.folds(), seeds.stream("cv-folds"));
        List<Integer> foldIds = new ArrayList<>();
        for (int f = 0; f < cfg.folds(); f++) {
            foldIds.add(f);
        }
        // per fold: [0] accuracy and [1] cross-entropy for each grid value. A fold's transformed rows exist only
        // while it is being fitted, so at most `threads` folds' copies are held at once.
        List<double[][]> perFold = ParallelMap.apply(foldIds, threads, "finetune4j-cv", f -> {
            double[][] out = new double[2][cfg.cGrid().size()];
            java.util.Arrays.fill(out[0], Double.NaN);
            java.util.Arrays.fill(out[1], Double.NaN);
            Split split = split(train, fold, f);
            if (split.test().length == 0 || split.fit().length == 0) {
                return out;
            }
            FeatureTransform t = FeatureTransform.fit(train.x(), split.fit(), cfg.scaling());
            double[][] testX = new double[split.test().length][];
            int[] testY = new int[testX.length];
            for (int i = 0; i < testX.length; i++) {
                testX[i] = t.apply(train.x().row(split.test()[i]));
                testY[i] = train.y()[split.test()[i]];
            }
            int[] fitY = new int[split.fit().length];
            for (int i = 0; i < fitY.length; i++) {
                fitY[i] = train.y()[split.fit()[i]];
            }
            // each fold walks the grid from strong to weak regularization, starting every fit from the previous
            // optimum (a warm start: same optima, several times fewer iterations)
            try (FeatureMatrix fitX = t.apply(train.x(), split.fit())) {
                LinearModel previous = null;
                for (int g = 0; g < cfg.cGrid().size(); g++) {
                    previous = clf.fit(fitX, fitY, classes, cfg.cGrid().get(g), previous);
                    out[0][g] = previous.accuracy(testX, testY);
                    out[1][g] = previous.crossEntropy(testX, testY);
                }
            }
            return out;
        });
        List<Point> points = new ArrayList<>();
        int best = 0;
        for (int g = 0; g < cfg.cGrid().size(); g++) {
            double[] fa = new double[cfg.folds()];
            double sum = 0;
            double lossSum = 0;
            int n = 0;
            for (int f = 0; f < cfg.folds(); f++) {
                fa[f] = perFold.get(f)[0][g];
                if (!Double.isNaN(fa[f])) {
                    sum += fa[f];
                    lossSum += perFold.get(f)[1][g];
                    n++;
                }
            }
            double mean = n == 0 ? Double.NaN : sum / n;
            double sq = 0;
            for (double a : fa) {
                if (!Double.isNaN(a)) {
                    sq += (a - mean) * (a - mean);
                }
            }
            points.add(new Point(cfg.cGrid().get(g), mean, n > 1 ? Math.sqrt(sq / (n - 1)) : 0, fa,
                    n == 0 ? Double.NaN : lossSum / n));
            if (mean > points.get(best).meanAccuracy() + 1e-12) {
                best = g;
            }
        }
        return new Result(points, best, cfg.folds());
    }

    /**
     * The rows of one fold's fit and of its held-out test.
     *
     * @param fit  rows of the other folds, every view
     * @param test the fold's centre views
     */
    record Split(int[] fit, int[] test) {
    }

    /** @return the rows outside fold {@code f} (to fit on) and its centre views (to score) */
    static Split split(FeatureSet rows, int[] fold, int f) {
        int[] fit = java.util.stream.IntStream.range(0, rows.size()).filter(i -> fold[rows.group()[i]] != f)
                .toArray();
        int[] test = java.util.stream.IntStream.range(0, rows.size())
                .filter(i -> fold[rows.group()[i]] == f && !rows.augmented()[i]).toArray();
        return new Split(fit, test);
    }

    /**
     * Deals each class's images into folds: shuffled with the generator, then fold = position mod k, with the
     * starting fold rotating from class to class so that fold sizes stay within one image of each other.
     *
     * @param train the rows (their groups are dealt, so an image's views share a fold)
     * @param k     the number of folds
     * @param rng   the generator of the order, e.g. {@code seeds.stream("cv-folds")} as {@link #run} uses
     * @return the fold of each group (image index)
     */
    public static int[] folds(FeatureSet train, int k, SplittableRandom rng) {
        int groups = 0;
        for (int g : train.group()) {
            groups = Math.max(groups, g + 1);
        }
        int[] label = new int[groups];
        boolean[] present = new boolean[groups];
        for (int i = 0; i < train.size(); i++) {
            label[train.group()[i]] = train.y()[i];
            present[train.group()[i]] = true;
        }
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int g = 0; g < groups; g++) {
            if (present[g]) {
                byClass.computeIfAbsent(label[g], c -> new ArrayList<>()).add(g);
            }
        }
        int[] fold = new int[groups];
        int start = 0;
        for (List<Integer> members : byClass.values()) {
            Seeds.shuffle(members, rng);
            for (int i = 0; i < members.size(); i++) {
                fold[members.get(i)] = (start + i) % k;
            }
            start = (start + members.size()) % k;
        }
        return fold;
    }
}
