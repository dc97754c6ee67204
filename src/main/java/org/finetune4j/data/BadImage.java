package org.finetune4j.data;

/**
 * A file that was skipped, and why.
 *
 * @param relativePath the file relative to the data root, with {@code /} separators
 * @param reason       what is wrong with it, e.g. {@code "empty file (0 bytes)"}
 */
public record BadImage(String relativePath, String reason) {
}
