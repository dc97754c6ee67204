package org.finetune4j.model;

/**
 * Where {@code vgg16}/{@code vgg19} weights come from.
 *
 * @param file     a Keras weights file the user already has ({@code --weights}), checked against the published
 *                 checksum; null to use the cache
 * @param url      a mirror of the Keras weights file ({@code --weights-url}); null for Keras's own URL
 * @param cacheDir the download cache ({@code --weights-cache}); null for {@code $FINETUNE4J_CACHE} or
 *                 {@code ~/.finetune4j/weights}
 */
public record WeightsSettings(String file, String url, String cacheDir) {
    /** @return no file, Keras's URL, the default cache */
    public static WeightsSettings defaults() {
        return new WeightsSettings(null, null, null);
    }
}
