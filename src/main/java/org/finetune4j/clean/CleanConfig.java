package org.finetune4j.clean;

import java.util.List;
import org.finetune4j.core.UsageException;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.ScalingConfig;

/**
 * Settings of {@code clean}.
 *
 * @param folds            folds of the out-of-fold probabilities, at least 2 ({@code --folds}); default 5
 * @param cGrid            inverse regularization strengths cross-validated for the logistic regression
 *                         ({@code --c-grid}); default {@value #DEFAULT_GRID}
 * @param components       principal components of the similarity space, at least 2 ({@code --components});
 *                         default 64
 * @param duplicates       what makes two images near-duplicates
 * @param neighbours       nearest neighbours the outlier score averages over, at least 1 ({@code --neighbours});
 *                         default 5
 * @param outlierZ         an image whose outlier score lies this many robust standard deviations above the median is
 *                         flagged, above 0 ({@code --outlier-z}); default 3.5
 * @param pageRows         rows per section on the HTML page, at least 1 ({@code --page-rows}; the CSV and JSON list
 *                         everything); default 60
 */
public record CleanConfig(int folds, List<Double> cGrid, int components, DuplicateRule duplicates, int neighbours,
                          double outlierZ, int pageRows) {

    /** The default grid of C: 10^-3 … 10^3 in decades. */
    public static final String DEFAULT_GRID = "1e-3:1e3:7";

    public CleanConfig {
        if (folds < 2) {
            throw new UsageException("--folds " + folds + ": too few. Expected at least 2; received " + folds
                    + ". Use 5 (the default) or more.");
        }
        cGrid = new ClassifierConfig("logreg", "l2", "squared-hinge", folds, cGrid, 1000, ScalingConfig.defaults())
                .cGrid();
        if (components < 2) {
            throw new UsageException("--components " + components + ": too few. Expected at least 2; received "
                    + components + ".");
        }
        if (neighbours < 1) {
            throw new UsageException("--neighbours " + neighbours + ": too few. Expected at least 1; received "
                    + neighbours + ".");
        }
        if (!(outlierZ > 0)) {
            throw new UsageException("--outlier-z " + outlierZ + ": expected a positive number of robust standard "
                    + "deviations; received " + outlierZ + ". Use 3.5 (the default).");
        }
        if (pageRows < 1) {
            throw new UsageException("--page-rows " + pageRows + ": expected at least 1; received " + pageRows + ".");
        }
    }

    /** @return 5 folds, C over 1e-3 … 1e3, 64 components, the default duplicate rule, 5 neighbours, z 3.5, 60 rows */
    public static CleanConfig defaults() {
        return new CleanConfig(5, ClassifierConfig.parseGrid(DEFAULT_GRID), 64, DuplicateRule.defaults(), 5, 3.5, 60);
    }

    /** @return the classifier the out-of-fold probabilities come from: L2 logistic regression, standardized features */
    public ClassifierConfig classifier() {
        return new ClassifierConfig("logreg", "l2", "squared-hinge", folds, cGrid, 1000,
                new ScalingConfig(true, 0, 0, false));
    }
}
