package org.finetune4j.cli;

import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.ScalingConfig;
import picocli.CommandLine.Option;

/** Options of the linear classifier of {@code train --mode features}. */
public final class ClassifierOptions {

    @Option(names = "--classifier", paramLabel = "C", description = "logreg (multinomial logistic regression) or "
            + "svm (linear SVM, one-vs-rest). Default: ${DEFAULT-VALUE}.")
    String classifier = ClassifierConfig.defaults().kind();

    @Option(names = "--penalty", paramLabel = "P", description = "logreg: l2 or l1. Default: ${DEFAULT-VALUE}.")
    String penalty = ClassifierConfig.defaults().penalty();

    @Option(names = "--loss", paramLabel = "L", description = "svm: hinge or squared-hinge. Default: "
            + "${DEFAULT-VALUE}.")
    String loss = ClassifierConfig.defaults().loss();

    @Option(names = "--folds", paramLabel = "K", description = "Folds of the stratified cross-validation on the "
            + "training split that picks C. Default: ${DEFAULT-VALUE}.")
    int folds = ClassifierConfig.defaults().folds();

    @Option(names = {"--c-grid", "--reg-grid"}, paramLabel = "GRID", description = "Values of C (inverse "
            + "regularization strength: larger = weaker) tried: FROM:TO:COUNT log-spaced, or a list a,b,c. "
            + "Default: ${DEFAULT-VALUE}.")
    String cGrid = ClassifierConfig.DEFAULT_GRID;

    @Option(names = "--max-iterations", paramLabel = "N", description = "Optimiser iterations (logreg) or passes "
            + "per class (svm). Default: ${DEFAULT-VALUE}.")
    int maxIterations = ClassifierConfig.defaults().maxIterations();

    @Option(names = "--standardize", description = "Standardize features (zero mean, unit variance; fitted on the "
            + "training split).")
    boolean standardize;

    @Option(names = "--pca", paramLabel = "K|F", description = "Project features on principal components (fitted "
            + "on the training split): a number of components (e.g. 64) or a variance fraction (e.g. 0.95).")
    String pca;

    @Option(names = "--whiten", description = "Divide each principal component by its standard deviation (PCA "
            + "whitening; all components without --pca).")
    boolean whiten;

    ClassifierConfig config() {
        return new ClassifierConfig(classifier, penalty, loss, folds, ClassifierConfig.parseGrid(cGrid),
                maxIterations, ScalingConfig.of(standardize, pca, whiten));
    }
}
