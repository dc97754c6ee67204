package org.finetune4j.bench;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.ellipse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Seeds;

/**
 * The benchmark's image folder: real JPEG files of mixed sizes around 500 x 375, photo-like (a smooth two-colour
 * gradient, blurred overlapping ellipses as "objects", fine sensor-like noise), written deterministically from a seed.
 * <pre>{@code
 * List<Path> files = BenchImages.ensure(Path.of("target/perf/images"), 32, 12345L);
 * }</pre>
 * The same seed and count give byte-identical files; an existing folder with the expected files is reused.
 */
final class BenchImages {

    /** Width x height of the generated images, cycled: landscape and portrait, like a photo collection. */
    private static final int[][] SIZES = {{500, 375}, {375, 500}, {500, 333}, {480, 360}, {640, 427}, {333, 500},
        {500, 400}, {450, 338}};
    private static final int JPEG_QUALITY = 90;

    private BenchImages() {
    }

    /**
     * Creates {@code count} images in {@code dir} unless they are already there.
     *
     * @return the files, sorted by name
     */
    static List<Path> ensure(Path dir, int count, long seed) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        Seeds seeds = Seeds.of(seed);
        for (int i = 0; i < count; i++) {
            Path file = dir.resolve(String.format(Locale.ROOT, "img-%04d.jpg", i));
            if (!Files.isRegularFile(file)) {
                AtomicFiles.writeBytes(file, jpeg(SIZES[i % SIZES.length], seeds.stream("bench-image", i)));
            }
            files.add(file);
        }
        return files;
    }

    /** All JPEG files in a folder (not recursive), sorted by name. */
    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jpg")).sorted()
                    .toList();
        }
    }

    private static byte[] jpeg(int[] size, SplittableRandom rng) {
        int w = size[0];
        int h = size[1];
        byte[] px = new byte[w * h * 3];
        double[] from = {rng.nextDouble(40, 220), rng.nextDouble(40, 220), rng.nextDouble(40, 220)};
        double[] to = {rng.nextDouble(40, 220), rng.nextDouble(40, 220), rng.nextDouble(40, 220)};
        double angle = rng.nextDouble(0, Math.PI);
        double cx = Math.cos(angle);
        double cy = Math.sin(angle);
        double norm = Math.abs(cx) * w + Math.abs(cy) * h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double t = ((cx >= 0 ? x : w - x) * Math.abs(cx) + (cy >= 0 ? y : h - y) * Math.abs(cy)) / norm;
                int o = (y * w + x) * 3;
                for (int c = 0; c < 3; c++) {
                    px[o + c] = (byte) clamp(from[c] + (to[c] - from[c]) * t);
                }
            }
        }
        try (Mat image = new Mat(h, w, CV_8UC3)) {
            image.data().put(px);
            int objects = 3 + rng.nextInt(6);
            for (int i = 0; i < objects; i++) {
                try (Point centre = new Point(rng.nextInt(w), rng.nextInt(h));
                     Size axes = new Size(10 + rng.nextInt(w / 3), 10 + rng.nextInt(h / 3));
                     Scalar colour = new Scalar(rng.nextInt(256), rng.nextInt(256), rng.nextInt(256), 0)) {
                    ellipse(image, centre, axes, rng.nextDouble(0, 180), 0, 360, colour, -1, 16, 0);
                }
            }
            try (Size kernel = new Size(0, 0)) {
                GaussianBlur(image, image, kernel, 1.5 + rng.nextDouble() * 2);
            }
            image.data().get(px);
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) clamp((px[i] & 0xFF) + rng.nextDouble(-6, 6));
            }
            image.data().put(px);
            try (BytePointer out = new BytePointer();
                 org.bytedeco.javacpp.IntPointer params = new org.bytedeco.javacpp.IntPointer(
                         IMWRITE_JPEG_QUALITY, JPEG_QUALITY)) {
                if (!imencode(".jpg", image, out, params)) {
                    throw new IllegalStateException("OpenCV could not encode a JPEG");
                }
                byte[] bytes = new byte[(int) out.limit()];
                out.get(bytes);
                return bytes;
            }
        }
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
