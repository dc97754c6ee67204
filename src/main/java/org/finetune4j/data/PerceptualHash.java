package org.finetune4j.data;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.HexFormat;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A 128-bit perceptual hash of an image: the difference hash ("dHash", Krawetz 2013) in both directions. The image is
 * turned grey and shrunk by area averaging to 9 × 8 pixels (for the 64 horizontal bits: is each pixel darker than its
 * right neighbour?) and to 8 × 9 (the 64 vertical bits: darker than the one below). Shrinking to a few pixels throws
 * away size, JPEG artefacts and one-pixel shifts, so a resized or re-encoded copy lands a few bits from its original,
 * while unrelated pictures differ in about half the bits. Two hashes are compared by their Hamming distance.
 * <pre>{@code
 * PerceptualHash h = PerceptualHash.of(decoder.decode(file, name));
 * boolean copy = h.distance(other) <= PerceptualHash.NEAR_BITS;
 * }</pre>
 *
 * @param horizontal the 64 left-right bits, row-major
 * @param vertical   the 64 top-bottom bits, row-major
 */
public record PerceptualHash(long horizontal, long vertical) {

    /** Bits in a hash. */
    public static final int BITS = 128;

    /**
     * Hashes at most this many bits apart are taken for copies of one picture when nothing else is known (measured
     * on the shapes sample set: planted resized, re-encoded and shifted copies 0–19 bits from their original,
     * distinct images 11 and more apart; most copies within 8).
     */
    public static final int NEAR_BITS = 8;

    /**
     * @param image an 8-bit BGR or grey image (not modified)
     * @return its hash
     */
    public static PerceptualHash of(Mat image) {
        try (Mat grey = new Mat(); Mat wide = new Mat(); Mat tall = new Mat()) {
            if (image.channels() == 1) {
                image.copyTo(grey);
            } else {
                cvtColor(image, grey, COLOR_BGR2GRAY);
            }
            resize(grey, wide, new Size(9, 8), 0, 0, INTER_AREA);
            resize(grey, tall, new Size(8, 9), 0, 0, INTER_AREA);
            long h = 0;
            long v = 0;
            try (UByteIndexer w = wide.createIndexer(); UByteIndexer t = tall.createIndexer()) {
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        h = (h << 1) | (w.get(y, x) < w.get(y, x + 1) ? 1 : 0);
                        v = (v << 1) | (t.get(y, x) < t.get(y + 1, x) ? 1 : 0);
                    }
                }
            }
            return new PerceptualHash(h, v);
        }
    }

    /** @return the number of differing bits, 0 … {@value #BITS} */
    public int distance(PerceptualHash o) {
        return Long.bitCount(horizontal ^ o.horizontal) + Long.bitCount(vertical ^ o.vertical);
    }

    /** @return 32 hexadecimal digits */
    public String hex() {
        return HexFormat.of().toHexDigits(horizontal) + HexFormat.of().toHexDigits(vertical);
    }
}
