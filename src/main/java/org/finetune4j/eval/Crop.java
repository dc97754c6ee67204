package org.finetune4j.eval;

import static org.bytedeco.opencv.global.opencv_core.flip;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * One view of an image that a protocol feeds the network: the image is scaled so that its short side is
 * {@code shortSidePx} (see {@code model.Preprocessing.resizeShortSide}), an input-sized window is cut at
 * {@code position}, and the window is mirrored left-right when {@code flipped}.
 * <pre>{@code
 * Crop c = new Crop(37, Crop.Position.TOP_LEFT, true);       // "37px top-left flipped"
 * Mat view = c.cut(scaledTo37, 32, 32);                      // a 32x32 copy; the caller closes it
 * }</pre>
 *
 * @param shortSidePx the short side, in pixels, the image is scaled to before cutting
 * @param position    where the window lies in the scaled image
 * @param flipped     whether the window is mirrored left-right (x maps to width-1-x)
 */
public record Crop(int shortSidePx, Position position, boolean flipped) {

    /** Where an input-sized window lies in the scaled image. */
    public enum Position {
        /** The centre: offsets {@code (W-w)/2, (H-h)/2}, rounded down, as {@code Preprocessing.centerCrop}. */
        CENTER("center"),
        /** The top-left corner: offset (0, 0). */
        TOP_LEFT("top-left"),
        /** The top-right corner: offset (W-w, 0). */
        TOP_RIGHT("top-right"),
        /** The bottom-left corner: offset (0, H-h). */
        BOTTOM_LEFT("bottom-left"),
        /** The bottom-right corner: offset (W-w, H-h). */
        BOTTOM_RIGHT("bottom-right");

        private final String key;

        Position(String key) {
            this.key = key;
        }

        /** @return the name used in protocol files, e.g. {@code top-left} */
        public String key() {
            return key;
        }

        /** @return the position with this protocol-file name, if any */
        public static Optional<Position> of(String key) {
            return Arrays.stream(values()).filter(p -> p.key.equals(key)).findFirst();
        }

        /**
         * @return the {x, y} offset of a {@code w × h} window in a {@code imageW × imageH} image
         */
        public int[] offset(int imageW, int imageH, int w, int h) {
            return switch (this) {
                case CENTER -> new int[] {(imageW - w) / 2, (imageH - h) / 2};
                case TOP_LEFT -> new int[] {0, 0};
                case TOP_RIGHT -> new int[] {imageW - w, 0};
                case BOTTOM_LEFT -> new int[] {0, imageH - h};
                case BOTTOM_RIGHT -> new int[] {imageW - w, imageH - h};
            };
        }
    }

    public Crop {
        if (shortSidePx < 1) {
            throw new IllegalArgumentException("shortSidePx must be positive, got " + shortSidePx);
        }
        if (position == null) {
            throw new IllegalArgumentException("position is required");
        }
    }

    /** @return a readable name, e.g. {@code 37px center} or {@code 55px top-left flipped} */
    public String name() {
        return String.format(Locale.ROOT, "%dpx %s%s", shortSidePx, position.key(), flipped ? " flipped" : "");
    }

    /**
     * Cuts this crop's window out of an image already scaled to {@link #shortSidePx}.
     *
     * @param scaled the scaled image (not closed)
     * @param height the window's height (the network's input height)
     * @param width  the window's width
     * @return a new {@code height × width} matrix; the caller closes it
     * @throws IllegalArgumentException if the window does not fit in the image
     */
    public Mat cut(Mat scaled, int height, int width) {
        if (scaled.cols() < width || scaled.rows() < height) {
            throw new IllegalArgumentException("image " + scaled.cols() + "x" + scaled.rows() + " smaller than the "
                    + "crop " + width + "x" + height);
        }
        int[] xy = position.offset(scaled.cols(), scaled.rows(), width, height);
        Mat out;
        try (Rect r = new Rect(xy[0], xy[1], width, height); Mat view = new Mat(scaled, r)) {
            out = view.clone();
        }
        if (flipped) {
            flip(out, out, 1);
        }
        return out;
    }
}
