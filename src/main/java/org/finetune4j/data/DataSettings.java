package org.finetune4j.data;

/**
 * Which images a run reads and how: the folder, the split, the augmentation recipe, the bad-image policy, the
 * decoding threads, and what to do with empty classes and duplicates.
 *
 * @param folder       the data folder as the user named it ({@code --data})
 * @param split        split fractions
 * @param augment      the augmentation recipe: a shipped name or a file ({@code --augment})
 * @param onBadImage   the bad-image policy
 * @param threads      decoding threads
 * @param dropEmptyClasses       leave out a class with no usable training image instead of stopping
 *                               ({@code --drop-empty-classes}); default false
 * @param keepDuplicatesTogether put all copies of a byte-identical image into the same part of the split
 *                               ({@code --keep-duplicates-together}); default false
 * @param dedupe                 also treat near-duplicates (perceptual hashes at most
 *                               {@value PerceptualHash#NEAR_BITS} bits apart: resized, re-encoded, slightly shifted
 *                               copies) as copies, and keep every group in one part ({@code --dedupe}); default false
 */
public record DataSettings(String folder, SplitConfig split, String augment, BadImagePolicy onBadImage,
                           int threads, boolean dropEmptyClasses, boolean keepDuplicatesTogether, boolean dedupe) {

    /** The augmentation recipe {@code train} uses when none is named. */
    public static final String DEFAULT_AUGMENT = "flip-crop";

    /** Image decoding threads when none are given: measured best on 2 cores (README, performance). */
    public static final int DEFAULT_THREADS = 2;

    /**
     * @return the synthetic target set {@code data/shapes-target}, the default split, {@value #DEFAULT_AUGMENT},
     *         bad images skipped, {@value #DEFAULT_THREADS} decoding threads
     */
    public static DataSettings defaults() {
        return new DataSettings(java.nio.file.Path.of("data", ShapesSet.TARGET.folderName()).toString(),
                SplitConfig.defaults(), DEFAULT_AUGMENT,
                BadImagePolicy.SKIP, DEFAULT_THREADS);
    }

    /** Settings that stop on a class without usable images and leave duplicates where the split puts them. */
    public DataSettings(String folder, SplitConfig split, String augment, BadImagePolicy onBadImage,
                        int threads) {
        this(folder, split, augment, onBadImage, threads, false, false, false);
    }

    /** Settings without {@code --dedupe}. */
    public DataSettings(String folder, SplitConfig split, String augment, BadImagePolicy onBadImage,
                        int threads, boolean dropEmptyClasses, boolean keepDuplicatesTogether) {
        this(folder, split, augment, onBadImage, threads, dropEmptyClasses, keepDuplicatesTogether, false);
    }
}
