package org.finetune4j.testing;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.finetune4j.core.Fingerprint;

/** Decoded images (8-bit BGR OpenCV matrices) with known pixels, made in code for geometry and determinism tests. */
public final class TestMats {
    private TestMats() {
    }

    /**
     * An asymmetric image whose pixels name their position: at (x, y) blue = x, green = y, red = 200. Geometry tests
     * read where a pixel came from. Sides up to 256.
     */
    public static Mat coordinates(int w, int h) {
        if (w > 256 || h > 256) {
            throw new IllegalArgumentException("coordinates images have sides up to 256");
        }
        Mat m = new Mat(h, w, CV_8UC3);
        try (UByteIndexer idx = m.createIndexer()) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    idx.put(y, x, 0, x);
                    idx.put(y, x, 1, y);
                    idx.put(y, x, 2, 200);
                }
            }
        }
        return m;
    }

    /** @return an image of one BGR colour */
    public static Mat solid(int w, int h, int b, int g, int r) {
        return new Mat(h, w, CV_8UC3, new Scalar(b, g, r, 0));
    }

    /** @return a one-channel image, pixel (x, y) = (x + y) mod 256 */
    public static Mat gray(int w, int h) {
        Mat m = new Mat(h, w, CV_8UC1);
        try (UByteIndexer idx = m.createIndexer()) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    idx.put(y, x, (x + y) & 0xFF);
                }
            }
        }
        return m;
    }

    /** @return a one-pixel black/white checkerboard */
    public static Mat checkerboard(int w, int h) {
        Mat m = new Mat(h, w, CV_8UC3);
        try (UByteIndexer idx = m.createIndexer()) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = (x + y) % 2 == 0 ? 0 : 255;
                    for (int c = 0; c < 3; c++) {
                        idx.put(y, x, c, v);
                    }
                }
            }
        }
        return m;
    }

    /**
     * A photo-like image: a colour gradient with a few filled shapes, different for each seed (for benchmarks and
     * previews, where content should look like data).
     */
    public static Mat scene(int w, int h, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Mat m = new Mat(h, w, CV_8UC3);
        int b0 = rng.nextInt(256);
        int g0 = rng.nextInt(256);
        try (UByteIndexer idx = m.createIndexer()) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    idx.put(y, x, 0, (b0 + 128 * x / w) & 0xFF);
                    idx.put(y, x, 1, (g0 + 128 * y / h) & 0xFF);
                    idx.put(y, x, 2, 90);
                }
            }
        }
        for (int i = 0; i < 4; i++) {
            int r = Math.max(2, Math.min(w, h) / (3 + rng.nextInt(4)));
            try (Point c = new Point(rng.nextInt(w), rng.nextInt(h));
                 Scalar colour = new Scalar(rng.nextInt(256), rng.nextInt(256), rng.nextInt(256), 0)) {
                if (i % 2 == 0) {
                    opencv_imgproc.circle(m, c, r, colour, -1, opencv_imgproc.LINE_AA, 0);
                } else {
                    try (Point d = new Point(c.x() + r, c.y() + r / 2)) {
                        opencv_imgproc.rectangle(m, c, d, colour, -1, opencv_imgproc.LINE_8, 0);
                    }
                }
            }
        }
        return m;
    }

    /** @return the pixel at column x, row y: {@code [b, g, r]} (or {@code [v]} for one channel) */
    public static int[] pixel(Mat m, int x, int y) {
        int[] out = new int[m.channels()];
        try (UByteIndexer idx = m.createIndexer()) {
            for (int c = 0; c < out.length; c++) {
                out[c] = idx.get(y, x, c);
            }
        }
        return out;
    }

    /** @return the pixel bytes, row by row (the matrix need not be continuous) */
    public static byte[] bytes(Mat m) {
        int rowBytes = m.cols() * m.channels();
        byte[] out = new byte[rowBytes * m.rows()];
        try (UByteIndexer idx = m.createIndexer()) {
            int i = 0;
            for (int y = 0; y < m.rows(); y++) {
                for (int x = 0; x < m.cols(); x++) {
                    for (int c = 0; c < m.channels(); c++) {
                        out[i++] = (byte) idx.get(y, x, c);
                    }
                }
            }
        }
        return out;
    }

    /** @return the SHA-256 of the size, channel count and pixel bytes */
    public static String sha256(Mat m) {
        byte[] px = bytes(m);
        byte[] all = new byte[px.length + 12];
        java.nio.ByteBuffer.wrap(all).putInt(m.rows()).putInt(m.cols()).putInt(m.channels()).put(px);
        return Fingerprint.sha256(all);
    }
}
