package org.finetune4j.data;

import java.util.List;

/**
 * The two synthetic sample sets: {@code shapes-source} (20 shape classes, many images, for pretraining) and
 * {@code shapes-target} (10 different shape classes, few images, for fine-tuning).
 * <pre>{@code
 * Path targetDir = outDir.resolve(ShapesSet.TARGET.folderName());   // outDir/shapes-target
 * List<String> labels = ShapesSet.TARGET.classNames();              // sorted, kebab-case
 * }</pre>
 */
public enum ShapesSet {
    /** {@code shapes-source}: the classes of {@link ShapesGenerator#SOURCE_CLASSES}. */
    SOURCE("shapes-source"),
    /** {@code shapes-target}: the classes of {@link ShapesGenerator#TARGET_CLASSES}. */
    TARGET("shapes-target");

    private final String folderName;

    ShapesSet(String folderName) {
        this.folderName = folderName;
    }

    /** @return the folder name under the output folder, also the name of the set's random streams */
    public String folderName() {
        return folderName;
    }

    /** @return the class names of this set, sorted ({@code Locale.ROOT}), which is also their class-index order */
    public List<String> classNames() {
        return this == SOURCE ? ShapesGenerator.SOURCE_CLASSES : ShapesGenerator.TARGET_CLASSES;
    }
}
