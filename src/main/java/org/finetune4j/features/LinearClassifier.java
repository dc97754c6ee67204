package org.finetune4j.features;

import java.util.Locale;
import org.finetune4j.core.UsageException;

/**
 * Fits a {@link LinearModel} to feature vectors at a regularization setting {@code c}: the inverse regularization
 * strength as in LIBLINEAR and scikit-learn ({@code C}): larger {@code c} means weaker regularization. Fitting is
 * deterministic: the same data and {@code c} give the same model.
 * <pre>{@code
 * LinearClassifier clf = LinearClassifier.of(ClassifierConfig.defaults(), seed);
 * LinearModel m = clf.fit(x, y, 10, 1.0);
 * }</pre>
 */
public interface LinearClassifier {

    /**
     * @param x       feature rows, all of the same length
     * @param y       class index of each row, in {@code [0, classes)}
     * @param classes number of classes, at least 2
     * @param c       inverse regularization strength, positive
     * @return the fitted model
     */
    LinearModel fit(double[][] x, int[] y, int classes, double c);

    /**
     * Fits starting from a nearby solution (a warm start along a regularization path: the optimum at the previous
     * {@code c} of a grid). The optimum does not depend on the start; only the time to reach it does. Classifiers
     * without a warm start ignore it.
     *
     * @param start a model of the same shape, or null
     */
    default LinearModel fit(double[][] x, int[] y, int classes, double c, LinearModel start) {
        return fit(x, y, classes, c);
    }

    /**
     * Fits on a float32 feature matrix, optionally from a warm start. Logistic regression runs on the matrix itself;
     * other classifiers read it into double rows first.
     *
     * @param x     feature rows (not closed here)
     * @param start a model of the same shape, or null
     */
    default LinearModel fit(FeatureMatrix x, int[] y, int classes, double c, LinearModel start) {
        return fit(x.toDoubleRows(), y, classes, c, start);
    }

    /** @return a short description, e.g. {@code logreg (L2)} */
    String describe();

    /** The weight penalty of logistic regression. */
    enum Penalty {
        /** Squared Euclidean norm of the weights (ridge). */
        L2,
        /** Sum of absolute weights (lasso): sparse weights. */
        L1;

        /** @throws UsageException naming {@code --penalty} for anything but l1 or l2 */
        public static Penalty parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "l2" -> L2;
                case "l1" -> L1;
                default -> throw new UsageException("--penalty " + s + ": unknown penalty. Expected l2 or l1.");
            };
        }
    }

    /** The loss of the linear SVM. */
    enum Loss {
        /** {@code max(0, 1 - y w·x)}: the classic SVM (L1-loss). */
        HINGE,
        /** {@code max(0, 1 - y w·x)^2}: differentiable (L2-loss), often converges faster. */
        SQUARED_HINGE;

        /** @throws UsageException naming {@code --loss} for anything but hinge or squared-hinge */
        public static Loss parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "hinge" -> HINGE;
                case "squared-hinge" -> SQUARED_HINGE;
                default -> throw new UsageException("--loss " + s + ": unknown loss. Expected hinge or "
                        + "squared-hinge.");
            };
        }
    }

    /** @return the classifier a configuration names, without class weights */
    static LinearClassifier of(ClassifierConfig cfg, long seed) {
        return of(cfg, seed, null);
    }

    /**
     * @param classWeights one positive loss weight per class ({@code --class-weights}), or null for none
     * @return the classifier a configuration names, its loss weighted per class
     */
    static LinearClassifier of(ClassifierConfig cfg, long seed, double[] classWeights) {
        return switch (cfg.kind()) {
            case "logreg" -> new LogisticRegression(Penalty.parse(cfg.penalty()), cfg.maxIterations(), classWeights);
            case "svm" -> new LinearSvm(Loss.parse(cfg.loss()), cfg.maxIterations(), seed, classWeights);
            default -> throw new UsageException("--classifier " + cfg.kind() + ": unknown classifier. Expected "
                    + "logreg or svm.");
        };
    }
}
