package org.finetune4j.data;

import java.nio.file.Path;

/**
 * One image file of an {@link ImageFolder} and its class.
 *
 * @param file         the file, resolved against the folder the user gave; null when the folder was listed through
 *                     another file system ({@link ImageFolder#fromListing}), whose reader resolves
 *                     {@code relativePath} itself
 * @param relativePath the path relative to the data root with {@code /} separators, e.g. {@code train/cat/a.jpg};
 *                     this is what reports and bundles record (never absolute paths)
 * @param classIndex   index into the folder's sorted class names
 */
public record LabeledImage(Path file, String relativePath, int classIndex) {
}
