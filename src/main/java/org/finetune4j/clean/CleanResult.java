package org.finetune4j.clean;

import java.util.List;

/**
 * What {@code clean} found, ranked; paths are relative to the data folder.
 *
 * @param images       every image looked at, in the order of the input
 * @param labelIssues  likely label errors, most likely first
 * @param duplicates   near-duplicate groups, leaks first, then by size and first file
 * @param outliers     flagged outliers, farthest first
 * @param summary      counts and the classifier's figures
 */
public record CleanResult(List<Image> images, List<LabelIssue> labelIssues, List<DuplicateGroup> duplicates,
                          List<Outlier> outliers, Summary summary) {

    /**
     * One image with its scores.
     *
     * @param path             relative path
     * @param split            {@code train}, {@code val} or {@code test}
     * @param given            the given label (its class folder)
     * @param predicted        the class with the highest out-of-fold probability
     * @param givenProbability the out-of-fold probability of the given label
     * @param labelErrorScore  {@code 1 - givenProbability}, higher is likelier mislabelled
     * @param margin           {@code p(given) - max_{k != given} p(k)}, in [-1, 1]
     * @param outlierScore     mean cosine distance to the nearest neighbours
     * @param hash             the perceptual hash, 32 hex digits
     * @param mapX             the first principal component of its features (the data map's x)
     * @param mapY             the second principal component (the data map's y)
     */
    public record Image(String path, String split, String given, String predicted, double givenProbability,
                        double labelErrorScore, double margin, double outlierScore, String hash, double mapX,
                        double mapY) {
    }

    /**
     * A likely label error.
     *
     * @param rank                 1 for the likeliest
     * @param path                 relative path
     * @param split                its part of the split
     * @param given                the given label
     * @param suggested            the label the classifier finds likeliest
     * @param givenProbability     out-of-fold probability of the given label
     * @param suggestedProbability out-of-fold probability of the suggested label
     * @param margin               the normalized margin {@code p(given) - max_{k != given} p(k)}: the rank order
     * @param score                the label-error score, {@code 1 - givenProbability}
     */
    public record LabelIssue(int rank, String path, String split, String given, String suggested,
                             double givenProbability, double suggestedProbability, double margin, double score) {
    }

    /**
     * Images that are the same picture (resized, re-encoded, shifted …).
     *
     * @param files         relative paths, sorted
     * @param splits        the parts of the split they fall in, sorted
     * @param classes       their labels, sorted
     * @param maxCosine     the highest feature similarity between two of them
     * @param minHashBits   the smallest perceptual-hash distance between two of them
     * @param leak          whether the group straddles the train/validation/test boundary
     */
    public record DuplicateGroup(List<String> files, List<String> splits, List<String> classes, double maxCosine,
                                 int minHashBits, boolean leak) {
        /** @return whether copies are filed under different classes */
        public boolean isLabelConflict() {
            return classes.size() > 1;
        }
    }

    /**
     * An image far from every other.
     *
     * @param rank     1 for the farthest
     * @param path     relative path
     * @param split    its part of the split
     * @param given    its label
     * @param score    mean cosine distance to its nearest neighbours
     * @param robustZ  how many robust standard deviations (1.4826 × median absolute deviation) above the median
     * @param nearest  the relative path of its nearest neighbour
     */
    public record Outlier(int rank, String path, String split, String given, double score, double robustZ,
                          String nearest) {
    }

    /**
     * @param images             images looked at
     * @param classes            class names in label order
     * @param chosenC            the regularization chosen by cross-validation
     * @param outOfFoldAccuracy  share of images whose likeliest out-of-fold class is their label
     * @param thresholds         confident learning's per-class thresholds, in label order
     * @param leaks              duplicate groups that straddle the split
     * @param config             the settings used
     */
    public record Summary(int images, List<String> classes, double chosenC, double outOfFoldAccuracy,
                          List<Double> thresholds, long leaks, CleanConfig config) {
    }
}
