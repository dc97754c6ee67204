package org.finetune4j.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.finetune4j.testing.TestImages;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {

    @TempDir
    Path tmp;

    private static final int[] EPOCHS = {1, 2, 3, 4, 5};
    private static final double[] TRAIN_LOSS = {2.0, 1.2, 0.8, 0.6, 0.5};
    private static final double[] VAL_LOSS = {2.1, 1.4, 1.0, 0.9, 0.95};
    private static final double[] TRAIN_ACC = {0.4, 0.6, 0.75, 0.85, 0.9};
    private static final double[] VAL_ACC = {0.35, 0.55, 0.7, 0.78, 0.77};
    private static final List<String> LABELS = List.of("cat", "dog", "fox", "owl");

    private static BufferedImage read(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as("%s is a PNG that ImageIO reads", file.getFileName()).isNotNull();
        return image;
    }

    private static double luminance(int rgb) {
        Color c = new Color(rgb);
        return 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
    }

    @Test
    void learningCurvesWriteA900By600Png() throws IOException {
        Path out = tmp.resolve("curves.png");
        Plots.learningCurves(out, "curves", LearningCurves.of(EPOCHS, TRAIN_LOSS, VAL_LOSS, TRAIN_ACC, VAL_ACC)
                .withBestEpoch(4).withStageBoundaryEpoch(3));
        BufferedImage image = read(out);
        assertThat(image.getWidth()).isEqualTo(Plots.WIDTH_PX);
        assertThat(image.getHeight()).isEqualTo(Plots.HEIGHT_PX);
        assertThat(image.getRGB(2, 2) & 0xFFFFFF).as("white background").isEqualTo(0xFFFFFF);
    }

    @Test
    void learningCurvesSkipNaNAndMissingValidation() throws IOException {
        double[] lossWithGaps = {2.0, Double.NaN, 0.8, Double.POSITIVE_INFINITY, 0.5};
        double[] accWithGap = {0.4, 0.6, Double.NaN, 0.85, 0.9};
        Path noValidation = tmp.resolve("no-val.png");
        Plots.learningCurves(noValidation, "no validation", EPOCHS, lossWithGaps, null, accWithGap,
                new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN}, 5);
        assertThat(read(noValidation).getWidth()).isEqualTo(Plots.WIDTH_PX);

        Path lossOnly = tmp.resolve("loss-only.png");
        Plots.learningCurves(lossOnly, null, LearningCurves.of(new int[] {7}, new double[] {1.5}, null, null, null));
        assertThat(read(lossOnly).getHeight()).isEqualTo(Plots.HEIGHT_PX);

        double[] nothing = {Double.NaN, Double.NaN};
        assertThatThrownBy(() -> Plots.learningCurves(tmp.resolve("x.png"), "t",
                LearningCurves.of(new int[] {1, 2}, nothing, nothing, nothing, nothing)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing to plot");
    }

    @Test
    void learningCurvesRejectMismatchedOrOutOfRangeInput() {
        assertThatThrownBy(() -> LearningCurves.of(EPOCHS, TRAIN_LOSS, new double[] {1, 2, 3}, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("valLoss").hasMessageContaining("Expected one value per epoch (5)")
                .hasMessageContaining("received 3");
        assertThatThrownBy(() -> LearningCurves.of(EPOCHS, null, null, new double[] {40, 60, 75, 85, 90}, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trainAccuracy").hasMessageContaining("not a percentage");
        assertThatThrownBy(() -> LearningCurves.of(new int[] {1, 3, 2}, new double[3], null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strictly increasing");
        assertThatThrownBy(() -> LearningCurves.of(new int[0], new double[0], null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no epochs");
        assertThatThrownBy(() -> LearningCurves.of(EPOCHS, TRAIN_LOSS, null, null, null).withBestEpoch(9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bestEpoch")
                .hasMessageContaining("received 9");
        assertThatThrownBy(() -> LearningCurves.of(EPOCHS, TRAIN_LOSS, null, null, null).withStageBoundaryEpoch(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stageBoundaryEpoch");
    }

    @Test
    void confusionMatrixIsDarkestWhereRecallIsHighest() throws IOException {
        // Row "fox" is all predicted as "dog": cell (true fox, predicted dog) is the only 100 % cell.
        long[][] counts = {
                {18, 1, 1, 0},
                {2, 16, 0, 2},
                {0, 30, 0, 0},
                {1, 1, 2, 16}};
        Path out = tmp.resolve("confusion.png");
        Plots.confusionMatrix(out, "confusion", LABELS, counts);
        BufferedImage image = read(out);
        PlotSize size = Plots.confusionMatrixSize(LABELS);
        assertThat(new PlotSize(image.getWidth(), image.getHeight())).isEqualTo(size);

        // Cell geometry from the chart's own layout at the same size.
        JFreeChart chart = Plots.confusionMatrixChart("confusion", LABELS, counts);
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.createBufferedImage(size.widthPx(), size.heightPx(), info);
        Rectangle2D area = info.getPlotInfo().getDataArea();
        XYPlot plot = chart.getXYPlot();
        assertThat(plot.getRangeAxis().valueToJava2D(0, area, RectangleEdge.LEFT))
                .as("the first class is the top row").isLessThan(
                        plot.getRangeAxis().valueToJava2D(3, area, RectangleEdge.LEFT));
        double[][] darkness = new double[4][4];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                double x = plot.getDomainAxis().valueToJava2D(c + 0.35, area, RectangleEdge.BOTTOM);
                double y = plot.getRangeAxis().valueToJava2D(r + 0.35, area, RectangleEdge.LEFT);
                // Off-centre (towards a corner) so the annotation text is not sampled.
                darkness[r][c] = 255 - luminance(image.getRGB((int) x, (int) y));
            }
        }
        double foxAsDog = darkness[2][1];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                if (r != 2 || c != 1) {
                    assertThat(foxAsDog).as("cell (%d, %d)", r, c).isGreaterThan(darkness[r][c]);
                }
            }
        }
        assertThat(darkness[0][0]).as("80-90 % recall is darker than 5-10 % confusion")
                .isGreaterThan(darkness[1][0]).isGreaterThan(darkness[0][1]);
        assertThat(darkness[3][3]).isGreaterThan(darkness[3][2]);
        assertThat(darkness[0][3]).as("a zero cell is nearly white").isLessThan(15);
    }

    @Test
    void confusionMatrixHandlesManyClassesAndEmptyRows() throws IOException {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            labels.add("class number " + i);
        }
        long[][] counts = new long[30][30];
        for (int i = 1; i < 30; i++) {
            counts[i][i] = 10;
            counts[i][(i + 1) % 30] = 3;
        }
        Path out = tmp.resolve("confusion30.png");
        Plots.confusionMatrix(out, "30 classes", labels, counts);
        BufferedImage image = read(out);
        assertThat(image.getWidth()).isEqualTo(Plots.confusionMatrixSize(labels).widthPx()).isGreaterThan(30 * 40);
    }

    @Test
    void confusionMatrixRejectsBadInput() {
        Path out = tmp.resolve("x.png");
        assertThatThrownBy(() -> Plots.confusionMatrix(out, "t", List.of(), new long[0][0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels: empty");
        assertThatThrownBy(() -> Plots.confusionMatrix(out, "t", List.of("a", "b"), new long[][] {{1, 2}, {3}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("counts row 1")
                .hasMessageContaining("received 1");
        assertThatThrownBy(() -> Plots.confusionMatrix(out, "t", List.of("a", "a"), new long[2][2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"a\" appears twice");
        assertThatThrownBy(() -> Plots.confusionMatrix(out, "t", List.of("a", "b"), new long[][] {{1, -1}, {0, 1}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative count");
        assertThat(out).doesNotExist();
    }

    @Test
    void barsWriteA900By600PngAndRejectMismatchedInput() throws IOException {
        Path out = tmp.resolve("bars.png");
        Plots.bars(out, "accuracy per protocol", "accuracy", List.of("center", "ten-crop", "multi-scale"),
                new double[] {0.84, 0.87, Double.NaN});
        assertThat(read(out).getWidth()).isEqualTo(Plots.WIDTH_PX);
        Path seconds = tmp.resolve("seconds.png");
        Plots.bars(seconds, "time", "time (s)", List.of("decode", "train"), new double[] {12.5, 340});
        assertThat(read(seconds).getHeight()).isEqualTo(Plots.HEIGHT_PX);

        assertThatThrownBy(() -> Plots.bars(out, "t", "y", List.of("a", "b"), new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bars values: wrong length. Expected one value per name (2); received 1. "
                        + "Pass arrays of matching length.");
        assertThatThrownBy(() -> Plots.bars(out, "t", "y", List.of(), new double[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names: empty");
    }

    @Test
    void linesWriteA900By600PngOnLogAxisWithMarker() throws IOException {
        double[] lr = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("loss", new double[][] {lr, {2.3, 2.2, 1.5, 0.9, 1.4, Double.NaN}});
        series.put("smoothed", new double[][] {lr, {2.3, 2.1, 1.6, 1.0, 1.2, 5.0}});
        Path out = tmp.resolve("lines.png");
        Plots.lines(out, "range test", "learning rate", "loss", true, series, new VerticalMarker(3e-4, "suggested"));
        BufferedImage image = read(out);
        assertThat(image.getWidth()).isEqualTo(Plots.WIDTH_PX);
        assertThat(image.getHeight()).isEqualTo(Plots.HEIGHT_PX);

        Map<String, double[][]> zeroX = Map.of("loss", new double[][] {{0, 1}, {1, 2}});
        assertThatThrownBy(() -> Plots.lines(out, "t", "x", "y", true, zeroX, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not positive");
        Map<String, double[][]> ragged = Map.of("loss", new double[][] {{1, 2, 3}, {1, 2}});
        assertThatThrownBy(() -> Plots.lines(out, "t", "x", "y", false, ragged, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("received 3 x and 2 y values");
    }

    @Test
    void scatterWritesA900By600PngAndRejectsMismatchedInput() throws IOException {
        double[] x = {1e-4, 1e-3, 1e-2, 3e-3};
        double[] y = {1e-5, 1e-3, 1e-4, 1e-2};
        double[] accuracy = {0.6, 0.9, Double.NaN, 0.7};
        Path out = tmp.resolve("scatter.png");
        Plots.scatter(out, "search", "learning rate", "L2", true, true, x, y, accuracy, "validation accuracy");
        BufferedImage image = read(out);
        assertThat(image.getWidth()).isEqualTo(Plots.WIDTH_PX);
        assertThat(image.getHeight()).isEqualTo(Plots.HEIGHT_PX);

        assertThatThrownBy(() -> Plots.scatter(out, "t", "x", "y", false, false, x, y, new double[3], "c"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scatter colour")
                .hasMessageContaining("(4); received 3");
    }

    @Test
    void imageGridShowsEveryImageInItsCell() throws IOException {
        BufferedImage red = TestImages.solid(40, 20, Color.RED);
        BufferedImage blue = TestImages.solid(10, 30, Color.BLUE);
        Path out = tmp.resolve("grid.png");
        Plots.imageGrid(out, List.of("original", "flipped"), List.of(List.of(red, blue, red), List.of(blue)),
                List.of(List.of("a", "b", "c\nsecond line"), List.of("d")), 64);
        BufferedImage image = read(out);
        assertThat(image.getWidth()).isBetween(3 * 64, 3 * 64 + 300);
        assertThat(image.getHeight()).isBetween(2 * 64, 2 * 64 + 150);
        int redPixels = 0;
        int bluePixels = 0;
        for (int yy = 0; yy < image.getHeight(); yy++) {
            for (int xx = 0; xx < image.getWidth(); xx++) {
                int rgb = image.getRGB(xx, yy) & 0xFFFFFF;
                redPixels += rgb == 0xFF0000 ? 1 : 0;
                bluePixels += rgb == 0x0000FF ? 1 : 0;
            }
        }
        // Each image is scaled to fit 64 px: red 64x32 twice, blue ~21x64 twice (less their 1 px frames).
        assertThat(redPixels).isBetween(2 * 62 * 30, 2 * 64 * 32);
        assertThat(bluePixels).isBetween(2 * 19 * 62, 2 * 22 * 64);

        assertThatThrownBy(() -> Plots.imageGrid(out, List.of("a"), List.of(List.of(red), List.of(red)), null, 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rowLabels")
                .hasMessageContaining("one label per row (2); received 1");
        assertThatThrownBy(() -> Plots.imageGrid(out, List.of("a"), List.of(List.of(red)), null, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cellPx");
    }

    @Test
    void renderingTwiceGivesIdenticalBytes() throws IOException {
        long[][] counts = {{5, 1}, {2, 7}};
        Map<String, double[][]> series = Map.of("acc", new double[][] {{0.01, 0.1, 1}, {0.7, 0.8, 0.75}});
        List<Consumer<Path>> plots = List.of(
                p -> Plots.learningCurves(p, "c", EPOCHS, TRAIN_LOSS, VAL_LOSS, TRAIN_ACC, VAL_ACC, 4),
                p -> Plots.confusionMatrix(p, "m", List.of("a", "b"), counts),
                p -> Plots.bars(p, "b", "accuracy", List.of("a", "b"), new double[] {0.5, 0.75}),
                p -> Plots.lines(p, "l", "C", "accuracy", true, series, new VerticalMarker(0.1, "best")),
                p -> Plots.scatter(p, "s", "x", "y", false, false, new double[] {1, 2}, new double[] {3, 4},
                        new double[] {0.1, 0.9}, "accuracy"),
                p -> Plots.imageGrid(p, List.of("r"), List.of(List.of(TestImages.pattern(20, 20, 3))),
                        null, 32));
        for (int i = 0; i < plots.size(); i++) {
            Path first = tmp.resolve("first-" + i + ".png");
            Path second = tmp.resolve("second-" + i + ".png");
            plots.get(i).accept(first);
            plots.get(i).accept(second);
            assertThat(Files.mismatch(first, second)).as("plot %d rendered twice", i).isEqualTo(-1L);
        }
    }
}
