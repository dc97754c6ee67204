package org.finetune4j.augment;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImage;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.data.LabeledImage;

/**
 * Draws what a recipe does: a PNG grid with one row per image — the original (scaled to fit, aspect kept) and then the
 * augmented versions the network would see in epochs 0, 1, 2, … (enlarged by a whole factor with nearest-neighbour
 * sampling, so the real input pixels show) — labelled with the class, the original size and the parameters each step
 * drew.
 * <pre>{@code
 * AugmentPreview.Result r = AugmentPreview.write(Path.of("grid.png"), ImageFolder.scan(dir),
 *         RecipeLoader.load("creative"), AugmentPreview.Config.defaults(), Seeds.of(12345));
 * }</pre>
 * Images are taken in turn from each class (the first of every class, then the second, …); image indices are
 * positions in the folder's sorted image list, and version j is epoch j, so the grid shows exactly what an
 * {@link Augmenter} with the same seed gives for those (epoch, index) pairs. Files that cannot be decoded are skipped
 * and listed in the result (or stop the preview under {@code --on-bad-image fail}). Text is drawn with OpenCV's built-in Hershey font (no system fonts needed).
 */
public final class AugmentPreview {

    private static final int MIN_CELL_PX = 128;
    private static final int MARGIN = 8;
    private static final int LINE_PX = 13;
    private static final double FONT_SCALE = 0.36;
    private static final double TITLE_SCALE = 0.45;

    private AugmentPreview() {
    }

    /**
     * What to draw.
     *
     * @param images     rows: how many images, 1 to 64 (default 6)
     * @param versions   augmented versions per image, 1 to 32 (default 5)
     * @param inputSize  the network's input size the recipe produces (default 64x64, the mini VGG's)
     * @param onBadImage what a file that cannot be decoded does: skipped and listed (default), or stops the preview
     */
    public record Config(int images, int versions, ImageSize inputSize, BadImagePolicy onBadImage) {

        /** @throws UsageException if a count is out of range */
        public Config {
            if (images < 1 || images > 64) {
                throw new UsageException("--images " + images + ": out of range. Expected 1 to 64 images; "
                        + "received " + images + ". Pick a smaller grid.");
            }
            if (versions < 1 || versions > 32) {
                throw new UsageException("--versions " + versions + ": out of range. Expected 1 to 32 versions "
                        + "per image; received " + versions + ". Pick a smaller grid.");
            }
            Objects.requireNonNull(inputSize, "inputSize");
            Objects.requireNonNull(onBadImage, "onBadImage");
        }

        /** @return 6 images, 5 versions each, 64x64 input, bad files skipped */
        public static Config defaults() {
            return new Config(6, 5, ImageSize.square(64), BadImagePolicy.SKIP);
        }

        /** @return these settings with bad files skipped */
        public static Config of(int images, int versions, ImageSize inputSize) {
            return new Config(images, versions, inputSize, BadImagePolicy.SKIP);
        }
    }

    /**
     * One row of the grid.
     *
     * @param image     the image, relative to the data root
     * @param className its class
     * @param imageSize its decoded size
     * @param versions  per version (epoch 0, 1, …), the applied steps' descriptions
     */
    public record Row(String image, String className, ImageSize imageSize, List<List<String>> versions) {
    }

    /**
     * What was drawn.
     *
     * @param recipe    where the recipe came from
     * @param inputSize the network's input size
     * @param widthPx   the PNG's width
     * @param heightPx  the PNG's height
     * @param rows      the rows, top to bottom
     * @param skipped   files that could not be decoded
     */
    public record Result(String recipe, ImageSize inputSize, int widthPx, int heightPx, List<Row> rows,
                         List<BadImage> skipped) {
    }

    /**
     * Draws the grid and writes it atomically as a PNG.
     *
     * @param out    the PNG file to write (parent folders are created)
     * @param folder the images to take rows from
     * @param recipe the recipe to show
     * @param config grid size and input size
     * @param seeds  the seeds an {@link Augmenter} would use
     * @return what was drawn
     * @throws DataException if none of the chosen images can be decoded, or one cannot under
     *                       {@link BadImagePolicy#FAIL}
     */
    public static Result write(Path out, ImageFolder folder, Recipe recipe, Config config, Seeds seeds) {
        Augmenter augmenter = Augmenter.of(recipe, config.inputSize(), seeds);
        ImageDecoder decoder = ImageDecoder.defaults();
        List<Mat> originals = new ArrayList<>();
        List<List<Augmented>> versions = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        List<BadImage> skipped = new ArrayList<>();
        try {
            for (int index : pick(folder)) {
                if (rows.size() == config.images()) {
                    break;
                }
                LabeledImage im = folder.images().get(index);
                Mat decoded;
                try {
                    decoded = decoder.decode(im.file(), im.relativePath());
                } catch (BadImageException e) {
                    if (config.onBadImage() == BadImagePolicy.FAIL) {
                        throw new BadImageException(im.relativePath(), e.reason() + " (--on-bad-image fail)");
                    }
                    skipped.add(new BadImage(im.relativePath(), e.reason()));
                    continue;
                }
                originals.add(decoded);
                List<Augmented> row = new ArrayList<>();
                for (int epoch = 0; epoch < config.versions(); epoch++) {
                    row.add(augmenter.augmentAndDescribe(decoded, epoch, index));
                }
                versions.add(row);
                rows.add(new Row(im.relativePath(), folder.classes().get(im.classIndex()), ImageSize.of(decoded),
                        row.stream().map(Augmented::descriptions).toList()));
            }
            if (rows.isEmpty()) {
                throw new DataException(folder.location() + ": none of the images tried could be decoded ("
                        + skipped.size() + " bad files, e.g. " + (skipped.isEmpty() ? "none"
                        : skipped.get(0).relativePath() + ": " + skipped.get(0).reason()) + "). Expected at least "
                        + "one readable image. Run `finetune4j inspect` on the folder.");
            }
            byte[] png;
            int[] size = new int[2];
            try (Mat grid = draw(recipe, config, seeds, rows, originals, versions)) {
                size[0] = grid.cols();
                size[1] = grid.rows();
                png = encodePng(grid);
            }
            AtomicFiles.writeBytes(out, png);
            return new Result(recipe.source(), config.inputSize(), size[0], size[1], rows, skipped);
        } finally {
            originals.forEach(Mat::close);
            versions.forEach(r -> r.forEach(a -> a.image().close()));
        }
    }

    /** @return image indices taken in turn from each class: the first of every class, then the second, … */
    static List<Integer> pick(ImageFolder folder) {
        List<List<Integer>> perClass = new ArrayList<>();
        for (int c = 0; c < folder.classes().size(); c++) {
            perClass.add(new ArrayList<>());
        }
        List<LabeledImage> images = folder.images();
        for (int i = 0; i < images.size(); i++) {
            perClass.get(images.get(i).classIndex()).add(i);
        }
        List<Integer> order = new ArrayList<>();
        for (int round = 0; order.size() < images.size(); round++) {
            for (List<Integer> cls : perClass) {
                if (round < cls.size()) {
                    order.add(cls.get(round));
                }
            }
        }
        return order;
    }

    private static Mat draw(Recipe recipe, Config config, Seeds seeds, List<Row> rows, List<Mat> originals,
                            List<List<Augmented>> versions) {
        ImageSize in = config.inputSize();
        int zoom = Math.max(1, MIN_CELL_PX / Math.max(in.height(), in.width()));
        int cellW = Math.max(MIN_CELL_PX, in.width() * zoom);
        int cellH = Math.max(in.height() * zoom, Math.min(MIN_CELL_PX, cellW));
        int lines = 2;
        for (Row r : rows) {
            for (List<String> v : r.versions()) {
                lines = Math.max(lines, Math.max(1, v.size()));
            }
        }
        int columns = 1 + config.versions();
        int titleH = 24;
        int headerH = 16;
        int rowH = cellH + 4 + lines * LINE_PX + MARGIN;
        int width = MARGIN + columns * (cellW + MARGIN);
        int height = titleH + headerH + rows.size() * rowH + MARGIN;
        Mat grid = new Mat(height, width, CV_8UC3, new Scalar(255, 255, 255, 0));
        text(grid, String.format(Locale.ROOT, "recipe %s   input %s   seed %d   fit %s", recipe.source(), in,
                seeds.root(), recipe.fit().key()), MARGIN, 17, TITLE_SCALE, width - 2 * MARGIN);
        for (int c = 0; c < columns; c++) {
            text(grid, c == 0 ? "original" : "epoch " + (c - 1), x(c, cellW), titleH + 11, FONT_SCALE, cellW);
        }
        for (int r = 0; r < rows.size(); r++) {
            int top = titleH + headerH + r * rowH;
            Row row = rows.get(r);
            Mat original = originals.get(r);
            double scale = Math.min((double) cellW / original.cols(), (double) cellH / original.rows());
            int w = Math.max(1, (int) Math.round(original.cols() * scale));
            int h = Math.max(1, (int) Math.round(original.rows() * scale));
            try (Mat shown = Geometry.resize(original, w, h)) {
                paste(grid, shown, x(0, cellW) + (cellW - w) / 2, top + (cellH - h) / 2);
            }
            frame(grid, x(0, cellW), top, cellW, cellH);
            int textTop = top + cellH + 4 + 9;
            text(grid, row.className(), x(0, cellW), textTop, FONT_SCALE, cellW);
            text(grid, "w " + row.imageSize().width() + ", h " + row.imageSize().height() + " px", x(0, cellW),
                    textTop + LINE_PX, FONT_SCALE, cellW);
            for (int v = 0; v < versions.get(r).size(); v++) {
                Augmented a = versions.get(r).get(v);
                int left = x(v + 1, cellW);
                try (Mat zoomed = new Mat(); Size size = new Size(in.width() * zoom, in.height() * zoom)) {
                    opencv_imgproc.resize(a.image(), zoomed, size, 0, 0, INTER_NEAREST);
                    paste(grid, zoomed, left + (cellW - zoomed.cols()) / 2, top + (cellH - zoomed.rows()) / 2);
                }
                List<String> labels = a.descriptions().isEmpty() ? List.of("(no step)") : a.descriptions();
                for (int l = 0; l < labels.size(); l++) {
                    text(grid, labels.get(l), left, textTop + l * LINE_PX, FONT_SCALE, cellW);
                }
            }
        }
        return grid;
    }

    private static int x(int column, int cellW) {
        return MARGIN + column * (cellW + MARGIN);
    }

    private static void paste(Mat grid, Mat image, int x, int y) {
        try (Rect rect = new Rect(x, y, image.cols(), image.rows()); Mat roi = grid.apply(rect)) {
            if (image.channels() == 1) {
                try (Mat bgr = new Mat()) {
                    opencv_imgproc.cvtColor(image, bgr, COLOR_GRAY2BGR);
                    bgr.copyTo(roi);
                }
            } else {
                image.copyTo(roi);
            }
        }
    }

    private static void frame(Mat grid, int x, int y, int w, int h) {
        try (Point a = new Point(x - 1, y - 1); Point b = new Point(x + w, y + h);
             Scalar gray = new Scalar(200, 200, 200, 0)) {
            opencv_imgproc.rectangle(grid, a, b, gray, 1, 8, 0);
        }
    }

    /** Draws one line of text, shortened with ".." to fit {@code maxWidth}. */
    private static void text(Mat grid, String s, int x, int baseline, double scale, int maxWidth) {
        String fitted = s;
        while (fitted.length() > 3 && textWidth(fitted, scale) > maxWidth) {
            fitted = fitted.substring(0, fitted.length() - 3) + "..";
        }
        try (Point at = new Point(x, baseline); Scalar ink = new Scalar(40, 40, 40, 0)) {
            opencv_imgproc.putText(grid, fitted, at, FONT_HERSHEY_SIMPLEX, scale, ink, 1, LINE_AA, false);
        }
    }

    private static int textWidth(String s, double scale) {
        int[] baseline = new int[1];
        try (Size size = opencv_imgproc.getTextSize(s, FONT_HERSHEY_SIMPLEX, scale, 1, baseline)) {
            return size.width();
        }
    }

    private static byte[] encodePng(Mat image) {
        try (BytePointer buf = new BytePointer()) {
            if (!opencv_imgcodecs.imencode(".png", image, buf)) {
                throw new IllegalStateException("OpenCV could not encode the preview as PNG");
            }
            byte[] bytes = new byte[(int) buf.limit()];
            buf.get(bytes);
            return bytes;
        }
    }
}
