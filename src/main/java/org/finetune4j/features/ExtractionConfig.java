package org.finetune4j.features;

import java.nio.file.Path;
import org.finetune4j.core.UsageException;
import org.finetune4j.extract.FeatureCache;

/**
 * How features are extracted.
 *
 * @param layer         the feature layer, or null for the backbone's default ({@code --layer})
 * @param pool          {@code auto} (global average pooling for a convolutional layer, none for a fully connected
 *                      one), {@code none}, {@code avg} or {@code max} ({@code --pool})
 * @param cacheDir      the feature cache, or null for {@code $FINETUNE4J_CACHE/features} or
 *                      {@code ~/.finetune4j/features} ({@code --cache})
 * @param augment       the recipe of augmented training views, or null ({@code --augment}, used with copies)
 * @param augmentCopies augmented views per training image besides the centre view, 0 or more
 *                      ({@code --augment-copies})
 * @param batchSize     images per forward pass, at least 1 ({@code --batch-size})
 */
public record ExtractionConfig(String layer, String pool, String cacheDir, String augment, int augmentCopies,
                               int batchSize) {

    public ExtractionConfig {
        if (augmentCopies < 0) {
            throw new UsageException("--augment-copies " + augmentCopies + ": expected 0 or more.");
        }
        if (augmentCopies > 0 && (augment == null || augment.isBlank())) {
            throw new UsageException("--augment-copies " + augmentCopies + ": needs --augment RECIPE to say how the "
                    + "copies are made (e.g. --augment flip-crop).");
        }
        if (batchSize < 1) {
            throw new UsageException("--batch-size " + batchSize + ": expected at least 1.");
        }
    }

    /** @return the backbone's default layer, auto pooling, the default cache, no augmented copies, batches of 32 */
    public static ExtractionConfig defaults() {
        return new ExtractionConfig(null, "auto", null, null, 0, 32);
    }

    /** @return the cache this configuration names */
    public FeatureCache cache() {
        return FeatureCache.of(cacheDir != null ? Path.of(cacheDir) : FeatureCache.defaultFolder());
    }
}
