package org.finetune4j.data;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link ShapesGenerator#generate} or {@link ShapesGenerator#ensure} did: one summary per sample set.
 *
 * @param config        the settings used
 * @param source        the {@code shapes-source} set
 * @param target        the {@code shapes-target} set
 * @param elapsedMillis wall-clock time of the whole call, in milliseconds
 */
public record ShapesResult(ShapesConfig config, SetSummary source, SetSummary target, long elapsedMillis) {

    /**
     * One sample set on disk.
     *
     * @param set           which set
     * @param dir           the set's folder ({@code <outDir>/shapes-source} or {@code <outDir>/shapes-target})
     * @param classNames    the class folder names, sorted
     * @param perClass      images per class
     * @param imagesWritten images written by this call: 0 when an existing complete set was reused
     * @param reused        {@code true} when the set was already complete for the same settings and left untouched
     */
    public record SetSummary(ShapesSet set, Path dir, List<String> classNames, int perClass, int imagesWritten,
                             boolean reused) {

        /** Copies the class list, so the summary is immutable. */
        public SetSummary {
            classNames = List.copyOf(classNames);
        }

        /** @return images in the set: classes x images per class */
        public int imageCount() {
            return classNames.size() * perClass;
        }
    }
}
