package org.finetune4j.augment;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.core.UsageException;

/**
 * The size of an image or of a network's input, in pixels; written {@code HxW} (height first, as in NHWC arrays).
 *
 * @param height rows, 1 to {@value #MAX_SIDE}
 * @param width  columns, 1 to {@value #MAX_SIDE}
 */
public record ImageSize(int height, int width) {

    /** Largest accepted side, in pixels. */
    public static final int MAX_SIDE = 16384;

    private static final Pattern HXW = Pattern.compile("\\s*(\\d{1,6})\\s*[xX×]\\s*(\\d{1,6})\\s*");

    /** @throws UsageException if a side is outside 1 to {@value #MAX_SIDE} */
    public ImageSize {
        if (height < 1 || width < 1 || height > MAX_SIDE || width > MAX_SIDE) {
            throw new UsageException("image size " + height + "x" + width + ": a side is out of range. Expected "
                    + "sides from 1 to " + MAX_SIDE + " px; received " + height + "x" + width
                    + ". Give a size such as 64x64.");
        }
    }

    /** @return a square size, e.g. {@code square(64)} = 64x64 */
    public static ImageSize square(int side) {
        return new ImageSize(side, side);
    }

    /** @return the size of a matrix */
    public static ImageSize of(Mat image) {
        return new ImageSize(image.rows(), image.cols());
    }

    /**
     * Parses {@code HxW}, e.g. {@code 48x64} (48 rows, 64 columns).
     *
     * @param text   what the user wrote
     * @param option the option or key, for the message (e.g. {@code --size})
     * @throws UsageException if the text is not {@code HxW} with sides in range
     */
    public static ImageSize parse(String text, String option) {
        Matcher m = HXW.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new UsageException(option + " " + text + ": not a size. Expected HEIGHTxWIDTH in pixels, e.g. "
                    + "64x64 or 48x64; received \"" + text + "\". Write the two numbers with an x between them.");
        }
        int h = Integer.parseInt(m.group(1));
        int w = Integer.parseInt(m.group(2));
        if (h < 1 || w < 1 || h > MAX_SIDE || w > MAX_SIDE) {
            throw new UsageException(option + " " + text + ": a side is out of range. Expected sides from 1 to "
                    + MAX_SIDE + " px; received " + h + "x" + w + ". Give a size such as 64x64.");
        }
        return new ImageSize(h, w);
    }

    /** @return the shorter side in pixels */
    public int shortSide() {
        return Math.min(height, width);
    }

    /** @return whether both sides are at least those of {@code other} */
    public boolean covers(ImageSize other) {
        return height >= other.height && width >= other.width;
    }

    /** @return {@code HxW}, e.g. {@code 48x64} */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%dx%d", height, width);
    }
}
