package org.finetune4j.data;

import java.util.List;
import java.util.Map;

/**
 * What {@code finetune4j inspect} found in a folder: counts, sizes, bad files, imbalance and duplicates.
 *
 * @param data           the folder as the user named it
 * @param layout         {@code class-folders} or {@code pre-split}
 * @param seed           the seed the split was made with (the split {@code train} would use)
 * @param splitConfig    the fractions the split was made with (ignored for a pre-split folder)
 * @param imageCount     image files found by extension
 * @param classes        per-class counts, in label order
 * @param sizes          image size statistics over the readable images
 * @param formats        readable images per format found by content ({@code jpeg}, {@code png}, …)
 * @param badImages      files that cannot be used, with reasons, sorted by path
 * @param ignoredFiles   files that are not images by extension, or lie outside class folders
 * @param imbalanceRatio images in the largest class over images in the smallest, among classes with usable images
 *                       (a class without any is named in the warnings instead); 1 when no class has any
 * @param duplicates     groups of byte-identical images (two or more files each)
 * @param warnings       everything worth the user's attention, one sentence each
 */
public record DatasetReport(String data, String layout, long seed, SplitConfig splitConfig, int imageCount,
                            List<ClassCount> classes, SizeStats sizes, Map<String, Integer> formats,
                            List<BadImage> badImages, List<String> ignoredFiles, double imbalanceRatio,
                            List<DuplicateGroup> duplicates, List<String> warnings) {

    /**
     * Images of one class, usable ones only, per split.
     *
     * @param name  the class name (its folder name)
     * @param total usable images
     * @param train usable training images
     * @param val   usable validation images
     * @param test  usable test images
     */
    public record ClassCount(String name, int total, int train, int val, int test) {
    }

    /**
     * Width and height statistics in pixels (as stored, before EXIF orientation).
     *
     * @param minWidth     smallest width
     * @param medianWidth  median width
     * @param maxWidth     largest width
     * @param minHeight    smallest height
     * @param medianHeight median height
     * @param maxHeight    largest height
     * @param minAspect    smallest width/height ratio
     * @param maxAspect    largest width/height ratio
     */
    public record SizeStats(int minWidth, int medianWidth, int maxWidth, int minHeight, int medianHeight,
                            int maxHeight, double minAspect, double maxAspect) {
    }

    /**
     * Byte-identical files.
     *
     * @param sha256  the files' common SHA-256
     * @param files   relative paths, sorted
     * @param classes the distinct classes they are filed under (more than one: a label conflict)
     * @param splits  the distinct splits they fall in (more than one: a data leak)
     */
    public record DuplicateGroup(String sha256, List<String> files, List<String> classes, List<String> splits) {
        /** @return whether copies sit in different splits, so a test or validation image was also trained on */
        public boolean isLeak() {
            return splits.size() > 1;
        }

        /** @return whether copies are filed under different classes */
        public boolean isLabelConflict() {
            return classes.size() > 1;
        }
    }

    /** @return the duplicate groups that straddle the train/validation/test boundary */
    public List<DuplicateGroup> leaks() {
        return duplicates.stream().filter(DuplicateGroup::isLeak).toList();
    }
}
