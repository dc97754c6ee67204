package org.finetune4j.data;

/**
 * What an image file's header says, read without decoding its pixels.
 *
 * @param format    the format found from the file's first bytes: {@code jpeg}, {@code png}, {@code gif},
 *                  {@code bmp}, {@code tiff} or {@code webp} (whatever its extension says)
 * @param width     width in pixels (after EXIF orientation is <em>not</em> applied; decoding applies it)
 * @param height    height in pixels
 * @param sizeBytes file size in bytes
 */
public record ImageInfo(String format, int width, int height, long sizeBytes) {
}
