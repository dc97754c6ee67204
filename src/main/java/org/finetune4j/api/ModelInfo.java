package org.finetune4j.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a loaded bundle is, from its {@code bundle.json}.
 *
 * @param name     the bundle's name
 * @param dir      the bundle folder
 * @param labels   the class names, in the network's output order
 * @param height   input height in pixels
 * @param width    input width in pixels
 * @param channels input channels: 3 (colour) or 1 (gray)
 * @param backbone the backbone it was made from
 * @param mode     how it was trained ({@code finetune}, {@code features} or {@code scratch})
 * @param metrics  the metrics measured when it was trained (accuracy on the test split and others), by name
 */
public record ModelInfo(String name, Path dir, List<String> labels, int height, int width, int channels,
                        String backbone, String mode, Map<String, Double> metrics) {

    /** Copies the collections. */
    public ModelInfo {
        labels = List.copyOf(labels);
        metrics = Map.copyOf(metrics);
    }
}
