package org.finetune4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.font.FontRenderContext;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.finetune4j.core.AtomicFiles;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.annotations.CategoryTextAnnotation;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Writes report plots as PNG files: learning curves, confusion matrices, bar charts, line charts, scatter plots
 * coloured by a value, and image grids. Plain numbers in, one file out (written atomically, parent folders created);
 * nothing here knows about training.
 * <pre>{@code
 * Plots.learningCurves(dir.resolve("curves.png"), "vgg16 fine-tuned on flowers",
 *         LearningCurves.of(epochs, trainLoss, valLoss, trainAcc, valAcc).withBestEpoch(7));
 * Plots.confusionMatrix(dir.resolve("confusion.png"), "test set, center crop", classNames, counts);
 * Plots.bars(dir.resolve("protocols.png"), "accuracy per protocol", "accuracy", protocols, accuracies);
 * }</pre>
 * Charts are {@value #WIDTH_PX} × {@value #HEIGHT_PX} px, except the confusion matrix, whose size grows with the
 * number of classes ({@link #confusionMatrixSize(List)}), and the image grid, whose size follows its cells. Text
 * uses the JDK's logical font {@code SansSerif}, so plots look the same wherever that font maps to the same face;
 * the same input rendered twice in one JVM gives byte-identical files. Loading this class sets the system property
 * {@code java.awt.headless=true} unless it is already set, so plots render on servers without a display.
 * Invalid arguments (mismatched lengths, empty or duplicate labels, ...) are programming errors and throw
 * {@link IllegalArgumentException} naming the argument; an unwritable file throws
 * {@link java.io.UncheckedIOException}.
 */
public final class Plots {

    /** Width of every chart but the confusion matrix and image grid, in pixels. */
    public static final int WIDTH_PX = 900;
    /** Height of every chart but the confusion matrix and image grid, in pixels. */
    public static final int HEIGHT_PX = 600;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final String FONT = "SansSerif";
    private static final Font TITLE_FONT = new Font(FONT, Font.BOLD, 18);
    private static final Font AXIS_LABEL_FONT = new Font(FONT, Font.PLAIN, 14);
    private static final Font TICK_FONT = new Font(FONT, Font.PLAIN, 12);
    private static final Font LEGEND_FONT = new Font(FONT, Font.PLAIN, 13);
    private static final Font NOTE_FONT = new Font(FONT, Font.PLAIN, 12);
    private static final FontRenderContext MEASURE = new FontRenderContext(null, true, true);

    private static final Color INK = new Color(0x33, 0x33, 0x33);
    private static final Color MUTED = new Color(0x88, 0x88, 0x88);
    private static final Color GRID = new Color(0xE3, 0xE3, 0xE3);
    private static final Color FRAME = new Color(0xBB, 0xBB, 0xBB);
    private static final Color MISSING = new Color(0xF0, 0xF0, 0xF0);
    /** Tableau 10: distinguishable series colours that stay legible on white. */
    private static final Color[] SERIES = {new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759),
            new Color(0x76B7B2), new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1),
            new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC)};
    private static final Color TRAIN = SERIES[0];
    private static final Color VALIDATION = SERIES[1];
    private static final Color BEST = new Color(0x2E, 0x8B, 0x3E);
    /** ColorBrewer "Blues": white for 0 to dark blue for 1, so the darkest cell is the largest. */
    private static final Color[] BLUES = hex("F7FBFF", "DEEBF7", "C6DBEF", "9ECAE1", "6BAED6", "4292C6", "2171B5",
            "08519C", "08306B");
    /** Viridis, perceptually uniform and readable in grey scale and by colour-blind readers. */
    private static final Color[] VIRIDIS = hex("440154", "482878", "3E4A89", "31688E", "26828E", "1F9E89", "35B779",
            "6DCD59", "B4DE2C", "FDE725");
    private static final Stroke LINE = new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    private static final Stroke DASHED = new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f);

    private Plots() {
    }

    // ---------------------------------------------------------------------------------------------- learning curves

    /**
     * Plots loss (top panel) and accuracy (bottom panel) against epoch, training and validation, with the best epoch
     * and a second-stage boundary marked by vertical lines. Missing values ({@code NaN}) are left out; a panel with
     * no values at all (e.g. no accuracy recorded) is left out.
     *
     * @param out    the PNG file to write
     * @param title  chart title; null or blank for none
     * @param curves the per-epoch values
     */
    public static void learningCurves(Path out, String title, LearningCurves curves) {
        requireNonNull("learningCurves", "out", out);
        requireNonNull("learningCurves", "curves", curves);
        write(out, learningCurvesChart(title, curves), WIDTH_PX, HEIGHT_PX);
    }

    /**
     * Plots learning curves from arrays; see {@link #learningCurves(Path, String, LearningCurves)} and the
     * components of {@link LearningCurves} for what each array holds.
     *
     * @param bestEpoch the epoch to mark as best, or null
     * @throws IllegalArgumentException if the arrays do not describe valid {@link LearningCurves}
     */
    public static void learningCurves(Path out, String title, int[] epochs, double[] trainLoss, double[] valLoss,
                                      double[] trainAcc, double[] valAcc, Integer bestEpoch) {
        learningCurves(out, title, new LearningCurves(epochs, trainLoss, valLoss, trainAcc, valAcc, bestEpoch, null));
    }

    static JFreeChart learningCurvesChart(String title, LearningCurves c) {
        int[] epochs = c.epochs();
        NumberAxis epochAxis = numberAxis("epoch");
        epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        double first = epochs[0];
        double last = epochs[epochs.length - 1];
        double pad = Math.max(0.5, (last - first) * 0.02);
        epochAxis.setRange(first - pad, last + pad);
        // Whole epochs; narrower spacing than other axes so up to ~25 epochs are each labelled.
        epochAxis.setTickLabelInsets(new RectangleInsets(2, 6, 2, 6));
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochAxis);
        plot.setGap(18);

        double[] trainLoss = c.trainLoss();
        double[] valLoss = c.valLoss();
        double[] trainAcc = c.trainAccuracy();
        double[] valAcc = c.valAccuracy();
        boolean hasLoss = countFinite(trainLoss) + countFinite(valLoss) > 0;
        boolean hasAccuracy = countFinite(trainAcc) + countFinite(valAcc) > 0;
        if (!hasLoss && !hasAccuracy) {
            throw new IllegalArgumentException("learningCurves curves: nothing to plot. Expected at least one finite "
                    + "loss or accuracy; received only NaN for " + epochs.length + " epochs. Record the curves "
                    + "before plotting them.");
        }
        if (hasLoss) {
            NumberAxis lossAxis = numberAxis("loss");
            lossAxis.setAutoRangeIncludesZero(true);
            XYPlot panel = curvesPanel(epochs, trainLoss, valLoss, lossAxis);
            addEpochMarkers(panel, c, first, last, true);
            plot.add(panel, 1);
        }
        if (hasAccuracy) {
            XYPlot panel = curvesPanel(epochs, trainAcc, valAcc, accuracyAxis(trainAcc, valAcc));
            addEpochMarkers(panel, c, first, last, !hasLoss);
            plot.add(panel, 1);
        }
        LegendItemCollection items = new LegendItemCollection();
        if (countFinite(trainLoss) + countFinite(trainAcc) > 0) {
            items.add(lineLegendItem("training", TRAIN, LINE));
        }
        if (countFinite(valLoss) + countFinite(valAcc) > 0) {
            items.add(lineLegendItem("validation", VALIDATION, LINE));
        }
        if (c.bestEpoch() != null) {
            items.add(lineLegendItem(c.bestEpochBy() == null ? "best epoch" : "best epoch (by " + c.bestEpochBy()
                    + ")", BEST, DASHED));
        }
        if (c.stageBoundaryEpoch() != null) {
            items.add(lineLegendItem("second stage", MUTED, DASHED));
        }
        plot.setFixedLegendItems(items);
        return chart(title, plot, true);
    }

    private static XYPlot curvesPanel(int[] epochs, double[] train, double[] validation, ValueAxis axis) {
        double[][] pair = {train, validation};
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, epochs.length <= 40);
        String[] names = {"training", "validation"};
        Color[] colours = {TRAIN, VALIDATION};
        for (int s = 0; s < 2; s++) {
            XYSeries series = new XYSeries(names[s], false, true);
            for (int i = 0; i < epochs.length; i++) {
                if (Double.isFinite(pair[s][i])) {
                    series.add(epochs[i], pair[s][i]);
                }
            }
            if (series.getItemCount() > 0) {
                int index = data.getSeriesCount();
                data.addSeries(series);
                styleSeries(renderer, index, colours[s]);
            }
        }
        XYPlot panel = new XYPlot(data, null, axis, renderer);
        stylePlot(panel);
        return panel;
    }

    private static ValueAxis accuracyAxis(double[]... pair) {
        NumberAxis axis = numberAxis("accuracy");
        axis.setNumberFormatOverride(percentFormat());
        double min = 1;
        for (double[] values : pair) {
            for (double v : values) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                }
            }
        }
        // Start at the tenth below the lowest value so small differences near the top stay visible; end just above
        // 100 % so points at 100 % are not cut in half by the frame.
        double lower = Math.max(0, Math.floor((min - 0.02) * 10) / 10);
        axis.setRange(lower, 1 + (1 - lower) * 0.03);
        return axis;
    }

    private static void addEpochMarkers(XYPlot panel, LearningCurves c, double first, double last, boolean withLabel) {
        if (c.stageBoundaryEpoch() != null) {
            double x = c.stageBoundaryEpoch() - 0.5;
            panel.addDomainMarker(verticalMarker(x, withLabel ? "second stage" : null, MUTED, first, last));
        }
        if (c.bestEpoch() != null) {
            int best = c.bestEpoch();
            String label = "best epoch " + best + (c.bestEpochBy() == null ? "" : " by " + c.bestEpochBy());
            panel.addDomainMarker(verticalMarker(best, withLabel ? label : null, BEST, first, last));
        }
    }

    // --------------------------------------------------------------------------------------------- confusion matrix

    /**
     * Plots a confusion matrix as a heat map normalised per row: each cell's colour and percentage is the fraction
     * of the true class (row) predicted as the column's class, so the diagonal shows per-class recall. Cells also
     * show the count where there is room (up to 16 classes). Rows without samples are grey. The image grows with the
     * number of classes, see {@link #confusionMatrixSize(List)}; 2 to 30 classes stay readable.
     *
     * @param out    the PNG file to write
     * @param title  chart title; null or blank for none
     * @param labels class names, in the order of the rows and columns of {@code counts}; non-empty, unique
     * @param counts {@code counts[true][predicted]}, a square matrix of non-negative counts
     */
    public static void confusionMatrix(Path out, String title, List<String> labels, long[][] counts) {
        requireNonNull("confusionMatrix", "out", out);
        PlotSize size = confusionMatrixSize(labels);
        write(out, confusionMatrixChart(title, labels, counts), size.widthPx(), size.heightPx());
    }

    /**
     * The size in pixels of the image {@link #confusionMatrix} writes for these class names: cells are between 40
     * and 150 px wide, and the margins fit the longest name.
     *
     * @param labels the class names, as passed to {@link #confusionMatrix}
     * @throws IllegalArgumentException if the names are empty, blank or repeated
     */
    public static PlotSize confusionMatrixSize(List<String> labels) {
        checkLabels("confusionMatrix", "labels", labels);
        int n = labels.size();
        int cell = matrixCellPx(n);
        Font tickFont = matrixTickFont(n);
        double longest = longestPx(matrixSymbols(labels), tickFont);
        double textHeight = tickFont.getLineMetrics("Xg", MEASURE).getHeight();
        boolean vertical = verticalColumnLabels(longest, cell);
        int axisLabel = 34;
        int left = (int) Math.ceil(longest) + axisLabel + 24;
        int bottom = (int) Math.ceil(vertical ? longest : textHeight) + axisLabel + 24;
        int legend = 130;
        int titleSpace = 56;
        int width = Math.max(640, left + n * cell + legend);
        int height = Math.max(480, titleSpace + n * cell + bottom);
        return new PlotSize(width, height);
    }

    static JFreeChart confusionMatrixChart(String title, List<String> labels, long[][] counts) {
        checkLabels("confusionMatrix", "labels", labels);
        int n = labels.size();
        checkMatrix(counts, n);
        String[] symbols = matrixSymbols(labels);
        Font tickFont = matrixTickFont(n);
        int cell = matrixCellPx(n);
        double longest = longestPx(symbols, tickFont);

        SymbolAxis predicted = new SymbolAxis("predicted class", symbols);
        SymbolAxis actual = new SymbolAxis("true class", symbols);
        for (SymbolAxis axis : List.of(predicted, actual)) {
            styleAxis(axis);
            axis.setTickLabelFont(tickFont);
            axis.setGridBandsVisible(false);
            axis.setRange(-0.5, n - 0.5);
            axis.setTickMarksVisible(false);
            axis.setAxisLineVisible(false);
        }
        predicted.setVerticalTickLabels(verticalColumnLabels(longest, cell));
        actual.setInverted(true);

        DefaultXYZDataset data = new DefaultXYZDataset();
        double[][] xyz = new double[3][n * n];
        XYBlockRenderer renderer = new XYBlockRenderer();
        Font percentFont = new Font(FONT, Font.BOLD, Math.max(10, Math.min(20, cell / 4)));
        Font countFont = new Font(FONT, Font.PLAIN, Math.max(10, Math.min(14, cell / 5)));
        Font zeroFont = new Font(FONT, Font.PLAIN, Math.max(10, Math.min(14, cell / 5)));
        boolean withCounts = cell >= 56;
        // Zeros are drawn faintly (and left out of large matrices) so the eye goes to the confusions that exist.
        boolean withZeros = n <= 12;
        List<XYTextAnnotation> notes = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            long total = Arrays.stream(counts[r]).sum();
            for (int col = 0; col < n; col++) {
                int i = r * n + col;
                double fraction = total == 0 ? Double.NaN : counts[r][col] / (double) total;
                xyz[0][i] = col;
                xyz[1][i] = r;
                xyz[2][i] = fraction;
                if (total == 0) {
                    notes.add(note("–", col, r, percentFont, MUTED));
                } else if (counts[r][col] == 0) {
                    if (withZeros) {
                        notes.add(note("0", col, r, zeroFont, MUTED));
                    }
                } else {
                    Color ink = fraction > 0.5 ? Color.WHITE : INK;
                    notes.add(note(percentText(fraction), col, withCounts ? r - 0.12 : r, percentFont, ink));
                    if (withCounts) {
                        notes.add(note(String.format(Locale.ROOT, "%,d", counts[r][col]), col, r + 0.22, countFont,
                                ink));
                    }
                }
            }
        }
        data.addSeries("recall", xyz);
        PaintScale scale = new GradientScale(BLUES, 0, 1);
        renderer.setPaintScale(scale);
        renderer.setBlockWidth(0.96);
        renderer.setBlockHeight(0.96);
        XYPlot plot = new XYPlot(data, predicted, actual, renderer);
        stylePlot(plot);
        for (SymbolAxis axis : List.of(predicted, actual)) {
            // Every class gets its label, however tight: no automatic thinning of the ticks.
            axis.setTickUnit(new NumberTickUnit(1), false, false);
            axis.setTickLabelInsets(new RectangleInsets(2, 4, 2, 4));
        }
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setOutlineVisible(false);
        notes.forEach(plot::addAnnotation);

        JFreeChart chart = chart(title, plot, false);
        NumberAxis scaleAxis = numberAxis("recall (% of the true class)");
        scaleAxis.setRange(0, 1);
        scaleAxis.setNumberFormatOverride(percentFormat());
        scaleAxis.setTickUnit(new NumberTickUnit(0.2));
        chart.addSubtitle(colourLegend(scale, scaleAxis));
        return chart;
    }

    /** Class names as shown on the axes: long names are shortened so the matrix keeps most of the image. */
    private static String[] matrixSymbols(List<String> labels) {
        return labels.stream().map(l -> shorten(l, 28)).toArray(String[]::new);
    }

    private static double longestPx(String[] texts, Font font) {
        return Arrays.stream(texts).mapToDouble(t -> font.getStringBounds(t, MEASURE).getWidth()).max().orElse(0);
    }

    private static int matrixCellPx(int n) {
        return Math.max(40, Math.min(150, 560 / n));
    }

    private static Font matrixTickFont(int n) {
        return new Font(FONT, Font.PLAIN, n <= 12 ? 13 : n <= 20 ? 12 : 11);
    }

    private static boolean verticalColumnLabels(double longestLabelPx, int cellPx) {
        return longestLabelPx > cellPx - 8;
    }

    /** Whole percent, but never rounded to a misleading 0 % or 100 %. */
    private static String percentText(double fraction) {
        double percent = fraction * 100;
        if (percent < 1) {
            return "<1%";
        }
        if (percent > 99 && fraction < 1) {
            return ">99%";
        }
        return Math.round(percent) + "%";
    }

    private static XYTextAnnotation note(String text, double x, double y, Font font, Paint paint) {
        XYTextAnnotation note = new XYTextAnnotation(text, x, y);
        note.setFont(font);
        note.setPaint(paint);
        note.setTextAnchor(TextAnchor.CENTER);
        return note;
    }

    // ------------------------------------------------------------------------------------------------------- bars

    /**
     * Plots one bar per name with its value printed on the bar, e.g. accuracy per evaluation protocol or F1 per
     * class. When all values lie in [0, 1] the value axis runs from 0 to 1. {@code NaN} values get no bar and the
     * label "n/a".
     *
     * @param out    the PNG file to write
     * @param title  chart title; null or blank for none
     * @param yLabel value axis label, with its unit, e.g. {@code "accuracy"} or {@code "time (s)"}
     * @param names  one unique, non-empty name per bar, in display order
     * @param values one value per name; finite or {@code NaN}
     */
    public static void bars(Path out, String title, String yLabel, List<String> names, double[] values) {
        requireNonNull("bars", "out", out);
        write(out, barsChart(title, yLabel, names, values), WIDTH_PX, HEIGHT_PX);
    }

    static JFreeChart barsChart(String title, String yLabel, List<String> names, double[] values) {
        checkLabels("bars", "names", names);
        requireNonNull("bars", "values", values);
        requireLength("bars", "values", values.length, "one value per name", names.size());
        boolean fractions = true;
        double maxAbs = 0;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (Double.isInfinite(v)) {
                throw new IllegalArgumentException("bars values: infinite value for \"" + names.get(i) + "\". "
                        + "Expected a finite number or NaN; received " + v + ". Pass NaN for an undefined value.");
            }
            if (!Double.isNaN(v)) {
                fractions &= v >= 0 && v <= 1;
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int i = 0; i < values.length; i++) {
            data.addValue(Double.isNaN(values[i]) ? null : values[i], "value", names.get(i));
        }
        int n = names.size();
        CategoryAxis categories = new CategoryAxis(null);
        styleAxis(categories);
        categories.setTickLabelFont(new Font(FONT, Font.PLAIN, n <= 12 ? 13 : n <= 24 ? 12 : 11));
        categories.setMaximumCategoryLabelLines(3);
        categories.setCategoryMargin(n <= 3 ? 0.5 : 0.25);
        categories.setLowerMargin(0.02);
        categories.setUpperMargin(0.02);
        double widest = names.stream()
                .mapToDouble(s -> categories.getTickLabelFont().getStringBounds(s, MEASURE).getWidth()).max()
                .orElse(0);
        if (n > 8 && widest > 600.0 / n) {
            categories.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        NumberAxis axis = numberAxis(yLabel);
        sparseTicks(axis, true);
        DecimalFormat format = decimalFormat(fractions ? "0.000" : maxAbs < 10 ? "0.0##" : maxAbs < 1000 ? "#,##0.#"
                : "#,##0");
        if (fractions) {
            axis.setRange(0, 1.08);
            axis.setTickUnit(new NumberTickUnit(0.2, decimalFormat("0.0")));
        } else {
            axis.setAutoRangeIncludesZero(true);
            axis.setUpperMargin(0.1);
        }
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        renderer.setSeriesPaint(0, SERIES[0]);
        renderer.setMaximumBarWidth(0.12);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", format));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font(FONT, Font.PLAIN, n <= 12 ? 13 : n <= 20 ? 11 : 10));
        renderer.setDefaultItemLabelPaint(INK);
        if (n <= 20) {
            renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12,
                    TextAnchor.BOTTOM_CENTER));
        } else {
            // Narrow bars: the label stands upright above its bar instead of overlapping its neighbours.
            renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12,
                    TextAnchor.CENTER_LEFT, TextAnchor.CENTER_LEFT, -Math.PI / 2));
            if (fractions) {
                axis.setRange(0, 1.16);
            }
        }
        renderer.setDefaultNegativeItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE6,
                TextAnchor.TOP_CENTER));
        renderer.setItemLabelAnchorOffset(4);
        CategoryPlot plot = new CategoryPlot(data, categories, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(FRAME);
        plot.setRangeGridlinePaint(GRID);
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setDomainGridlinesVisible(false);
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        plot.setOrientation(PlotOrientation.VERTICAL);
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                // At the foot of the missing bar; 0 is on the axis whenever a bar is drawn (auto range includes 0).
                CategoryTextAnnotation missing = new CategoryTextAnnotation("n/a", names.get(i), 0);
                missing.setFont(NOTE_FONT);
                missing.setPaint(MUTED);
                missing.setTextAnchor(TextAnchor.BOTTOM_CENTER);
                plot.addAnnotation(missing);
            }
        }
        return chart(title, plot, false);
    }

    // ------------------------------------------------------------------------------------------------------ lines

    /**
     * Plots one line per series, e.g. loss against learning rate (log x axis) with the suggested rate marked, or
     * validation accuracy against regularisation strength. Points with a non-finite coordinate are left out.
     *
     * @param out    the PNG file to write
     * @param title  chart title; null or blank for none
     * @param xLabel x axis label with its unit
     * @param yLabel y axis label with its unit
     * @param logX   true for a base-10 logarithmic x axis (then every finite x must be positive)
     * @param series name to {@code {x[], y[]}} (two arrays of equal length); legend order is the map's iteration
     *               order, so pass a {@link java.util.LinkedHashMap} or {@link java.util.TreeMap}; the legend is
     *               shown when there are two or more series
     * @param marker a labelled vertical line, or null for none
     */
    public static void lines(Path out, String title, String xLabel, String yLabel, boolean logX,
                             Map<String, double[][]> series, VerticalMarker marker) {
        requireNonNull("lines", "out", out);
        write(out, linesChart(title, xLabel, yLabel, logX, series, marker), WIDTH_PX, HEIGHT_PX);
    }

    static JFreeChart linesChart(String title, String xLabel, String yLabel, boolean logX,
                                 Map<String, double[][]> series, VerticalMarker marker) {
        requireNonNull("lines", "series", series);
        if (series.isEmpty()) {
            throw new IllegalArgumentException("lines series: empty. Expected at least one named series; received "
                    + "an empty map. Pass a map from series name to {x[], y[]}.");
        }
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        int s = 0;
        for (Map.Entry<String, double[][]> entry : series.entrySet()) {
            String name = entry.getKey();
            double[][] xy = entry.getValue();
            String where = "lines series \"" + name + "\"";
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("lines series: a series has no name. Expected a non-blank name "
                        + "per series; received " + (name == null ? "null" : "\"" + name + "\"") + ". Name every "
                        + "series; the legend shows the names.");
            }
            if (xy == null || xy.length != 2 || xy[0] == null || xy[1] == null) {
                throw new IllegalArgumentException(where + ": not {x[], y[]}. Expected two arrays; received "
                        + (xy == null ? "null" : xy.length + " arrays" + (xy.length == 2 ? " (one null)" : ""))
                        + ". Pass new double[][] {x, y}.");
            }
            if (xy[0].length != xy[1].length) {
                throw new IllegalArgumentException(where + ": x and y differ in length. Expected one y per x; "
                        + "received " + xy[0].length + " x and " + xy[1].length + " y values. Pass arrays of equal "
                        + "length.");
            }
            XYSeries line = new XYSeries(name, false, true);
            for (int i = 0; i < xy[0].length; i++) {
                double x = xy[0][i];
                double y = xy[1][i];
                if (logX && x <= 0) {
                    throw new IllegalArgumentException(where + ": x[" + i + "] is not positive on a logarithmic "
                            + "axis. Expected x > 0; received " + x + ". Pass logX = false or positive x values.");
                }
                if (Double.isFinite(x) && Double.isFinite(y)) {
                    line.add(x, y);
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
            data.addSeries(line);
            styleSeries(renderer, s, SERIES[s % SERIES.length]);
            renderer.setSeriesShapesVisible(s, xy[0].length <= 40);
            s++;
        }
        if (minX > maxX) {
            throw new IllegalArgumentException("lines series: no finite points. Expected at least one point with "
                    + "finite x and y; received only NaN or infinite values. Check what is being plotted.");
        }
        ValueAxis xAxis = logX ? logAxis(xLabel, minX, maxX) : dataAxis(xLabel, minX, maxX);
        ValueAxis yAxis = dataAxis(yLabel, minY, maxY);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        stylePlot(plot);
        if (marker != null) {
            if (logX && marker.x() <= 0) {
                throw new IllegalArgumentException("lines marker: x is not positive on a logarithmic axis. Expected "
                        + "x > 0; received " + marker.x() + ". Pass a positive position or no marker.");
            }
            plot.addDomainMarker(verticalMarker(marker.x(), marker.label(), BEST,
                    logX ? Math.log10(minX) : minX, logX ? Math.log10(maxX) : maxX, logX));
        }
        return chart(title, plot, series.size() > 1);
    }

    // ---------------------------------------------------------------------------------------------------- scatter

    /**
     * Plots points coloured by a value on a viridis scale with a colour bar, e.g. learning rate against
     * regularisation strength coloured by validation accuracy. Points with the highest colour values are drawn last
     * so they stay visible; {@code NaN} colours (e.g. failed trials) are drawn grey.
     *
     * @param out         the PNG file to write
     * @param title       chart title; null or blank for none
     * @param xLabel      x axis label with its unit
     * @param yLabel      y axis label with its unit
     * @param logX        true for a base-10 logarithmic x axis (x must be positive)
     * @param logY        true for a base-10 logarithmic y axis (y must be positive)
     * @param x           x coordinates, finite
     * @param y           y coordinates, finite, one per x
     * @param colour      colour value per point, finite or {@code NaN}, one per x
     * @param colourLabel colour bar label with its unit, e.g. {@code "validation accuracy"}
     */
    public static void scatter(Path out, String title, String xLabel, String yLabel, boolean logX, boolean logY,
                               double[] x, double[] y, double[] colour, String colourLabel) {
        requireNonNull("scatter", "out", out);
        write(out, scatterChart(title, xLabel, yLabel, logX, logY, x, y, colour, colourLabel), WIDTH_PX, HEIGHT_PX);
    }

    static JFreeChart scatterChart(String title, String xLabel, String yLabel, boolean logX, boolean logY,
                                   double[] x, double[] y, double[] colour, String colourLabel) {
        requireNonNull("scatter", "x", x);
        requireNonNull("scatter", "y", y);
        requireNonNull("scatter", "colour", colour);
        if (x.length == 0) {
            throw new IllegalArgumentException("scatter x: no points. Expected at least one point; received empty "
                    + "arrays. Plot only after at least one trial has finished.");
        }
        requireLength("scatter", "y", y.length, "one y per x", x.length);
        requireLength("scatter", "colour", colour.length, "one colour value per x", x.length);
        checkCoordinates("x", x, logX);
        checkCoordinates("y", y, logY);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : colour) {
            if (Double.isInfinite(v)) {
                throw new IllegalArgumentException("scatter colour: infinite value. Expected finite numbers or NaN; "
                        + "received " + v + ". Pass NaN for a point without a value.");
            }
            if (!Double.isNaN(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        } else if (lo == hi) {
            double half = Math.max(Math.abs(lo) * 0.05, 0.005);
            lo -= half;
            hi += half;
        }
        // Draw low values first and NaN (grey) at the very bottom, so the best points are on top.
        Integer[] order = new Integer[x.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble(i -> Double.isNaN(colour[i]) ? Double.NEGATIVE_INFINITY
                : colour[i]));
        double[][] xyz = new double[3][x.length];
        for (int k = 0; k < order.length; k++) {
            xyz[0][k] = x[order[k]];
            xyz[1][k] = y[order[k]];
            xyz[2][k] = colour[order[k]];
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("points", xyz);
        GradientScale scale = new GradientScale(VIRIDIS, lo, hi);
        XYShapeRenderer renderer = new XYShapeRenderer();
        renderer.setPaintScale(scale);
        int diameter = x.length <= 100 ? 13 : x.length <= 1000 ? 9 : 6;
        renderer.setDefaultShape(new Ellipse2D.Double(-diameter / 2.0, -diameter / 2.0, diameter, diameter));
        renderer.setDrawOutlines(true);
        renderer.setUseOutlinePaint(true);
        renderer.setDefaultOutlinePaint(new Color(0x40, 0x40, 0x40));
        renderer.setDefaultOutlineStroke(new BasicStroke(0.8f));
        ValueAxis xAxis = logX ? logAxis(xLabel, min(x), max(x)) : dataAxis(xLabel, min(x), max(x));
        ValueAxis yAxis = logY ? logAxis(yLabel, min(y), max(y)) : dataAxis(yLabel, min(y), max(y));
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        stylePlot(plot);
        JFreeChart chart = chart(title, plot, false);
        NumberAxis scaleAxis = numberAxis(colourLabel);
        scaleAxis.setRange(lo, hi);
        chart.addSubtitle(colourLegend(scale, scaleAxis));
        return chart;
    }

    private static void checkCoordinates(String name, double[] values, boolean log) {
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v) || log && v <= 0) {
                throw new IllegalArgumentException("scatter " + name + ": bad coordinate at index " + i + ". Expected "
                        + (log ? "a positive number (logarithmic axis)" : "a finite number") + "; received " + v
                        + ". Leave out points that have no position" + (log ? " or use a linear axis." : "."));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- image grid

    /**
     * Draws images in a grid, one row per label, each scaled to fit a {@code cellPx} square (aspect ratio kept),
     * with an optional caption under each image, e.g. an augmentation preview (one row per recipe) or the most
     * confidently wrong test images. Captions may hold several lines separated by {@code \n}; text too wide for
     * its place is shortened with "…".
     *
     * @param out       the PNG file to write
     * @param rowLabels one label per row; a label may be empty
     * @param rows      the images of each row; rows may differ in length, and a null image leaves its cell empty
     * @param captions  null for no captions, or one list per row with one caption (or null) per image
     * @param cellPx    the side of the square each image is fitted into, in pixels, 16 to 1024
     */
    public static void imageGrid(Path out, List<String> rowLabels, List<List<BufferedImage>> rows,
                                 List<List<String>> captions, int cellPx) {
        requireNonNull("imageGrid", "out", out);
        BufferedImage grid = imageGridImage(rowLabels, rows, captions, cellPx);
        AtomicFiles.write(out, stream -> {
            if (!ImageIO.write(grid, "png", stream)) {
                throw new IOException("no PNG writer available in this JVM");
            }
        });
    }

    static BufferedImage imageGridImage(List<String> rowLabels, List<List<BufferedImage>> rows,
                                        List<List<String>> captions, int cellPx) {
        requireNonNull("imageGrid", "rowLabels", rowLabels);
        requireNonNull("imageGrid", "rows", rows);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("imageGrid rows: no rows. Expected at least one row of images; "
                    + "received an empty list. Pass the images to show.");
        }
        requireLength("imageGrid", "rowLabels", rowLabels.size(), "one label per row", rows.size());
        if (captions != null) {
            requireLength("imageGrid", "captions", captions.size(), "one caption list per row", rows.size());
        }
        if (cellPx < 16 || cellPx > 1024) {
            throw new IllegalArgumentException("imageGrid cellPx: out of range. Expected 16 to 1024 pixels; received "
                    + cellPx + ". Pass a cell size such as 160.");
        }
        int columns = 0;
        int captionLines = 0;
        for (int r = 0; r < rows.size(); r++) {
            List<BufferedImage> row = rows.get(r);
            if (row == null) {
                throw new IllegalArgumentException("imageGrid rows: row " + r + " is null. Expected a list of "
                        + "images; received null. Pass an empty list for an empty row.");
            }
            columns = Math.max(columns, row.size());
            if (captions != null && captions.get(r) != null) {
                List<String> rowCaptions = captions.get(r);
                requireLength("imageGrid", "captions of row " + r, rowCaptions.size(), "one caption per image",
                        row.size());
                for (String caption : rowCaptions) {
                    if (caption != null) {
                        captionLines = Math.max(captionLines, (int) caption.lines().count());
                    }
                }
            }
        }
        if (columns == 0) {
            throw new IllegalArgumentException("imageGrid rows: every row is empty. Expected at least one image; "
                    + "received " + rows.size() + " empty rows. Pass the images to show.");
        }
        Font labelFont = new Font(FONT, Font.BOLD, 14);
        Font captionFont = new Font(FONT, Font.PLAIN, cellPx < 96 ? 10 : 12);
        int gap = Math.max(8, cellPx / 16);
        double labelWidth = 0;
        for (String label : rowLabels) {
            if (label != null) {
                labelWidth = Math.max(labelWidth, labelFont.getStringBounds(label, MEASURE).getWidth());
            }
        }
        int labelColumn = labelWidth == 0 ? 0 : (int) Math.ceil(Math.min(labelWidth, 220)) + 2 * gap;
        int lineHeight = (int) Math.ceil(captionFont.getLineMetrics("Xg", MEASURE).getHeight());
        int captionHeight = captionLines == 0 ? 0 : captionLines * lineHeight + gap / 2;
        int rowHeight = cellPx + captionHeight + gap;
        int width = labelColumn + columns * (cellPx + gap) + gap;
        int height = rows.size() * rowHeight + gap;

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            for (int r = 0; r < rows.size(); r++) {
                int top = gap + r * rowHeight;
                String label = rowLabels.get(r);
                if (label != null && !label.isEmpty()) {
                    g.setFont(labelFont);
                    g.setColor(INK);
                    FontMetrics fm = g.getFontMetrics();
                    String text = fit(label, fm, labelColumn - 2 * gap);
                    g.drawString(text, labelColumn - gap - fm.stringWidth(text),
                            top + cellPx / 2 + (fm.getAscent() - fm.getDescent()) / 2);
                }
                List<BufferedImage> row = rows.get(r);
                for (int c = 0; c < row.size(); c++) {
                    int left = labelColumn + gap + c * (cellPx + gap);
                    drawFitted(g, row.get(c), left, top, cellPx);
                    String caption = captions == null || captions.get(r) == null ? null : captions.get(r).get(c);
                    if (caption != null) {
                        g.setFont(captionFont);
                        g.setColor(INK);
                        FontMetrics fm = g.getFontMetrics();
                        int baseline = top + cellPx + gap / 2 + fm.getAscent();
                        for (String line : caption.lines().toList()) {
                            String text = fit(line, fm, cellPx);
                            g.drawString(text, left + (cellPx - fm.stringWidth(text)) / 2, baseline);
                            baseline += lineHeight;
                        }
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void drawFitted(Graphics2D g, BufferedImage img, int left, int top, int cellPx) {
        if (img == null) {
            g.setColor(MISSING);
            g.fillRect(left, top, cellPx, cellPx);
            return;
        }
        double scale = Math.min(cellPx / (double) img.getWidth(), cellPx / (double) img.getHeight());
        int w = Math.max(1, (int) Math.round(img.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(img.getHeight() * scale));
        int x = left + (cellPx - w) / 2;
        int y = top + (cellPx - h) / 2;
        g.drawImage(img, x, y, w, h, null);
        g.setColor(FRAME);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x, y, w - 1, h - 1);
    }

    private static String fit(String text, FontMetrics fm, int maxWidth) {
        if (fm.stringWidth(text) <= maxWidth) {
            return text;
        }
        String shortened = text;
        while (!shortened.isEmpty() && fm.stringWidth(shortened + "…") > maxWidth) {
            shortened = shortened.substring(0, shortened.length() - 1);
        }
        return shortened + "…";
    }

    // ------------------------------------------------------------------------------------------------ shared look

    private static JFreeChart chart(String title, Plot plot, boolean legend) {
        JFreeChart chart = new JFreeChart(title == null || title.isBlank() ? null : title, TITLE_FONT, plot, legend);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.setPadding(new RectangleInsets(12, 12, 12, 18));
        TextTitle heading = chart.getTitle();
        if (heading != null) {
            heading.setPaint(INK);
            heading.setMargin(new RectangleInsets(0, 0, 10, 0));
        }
        LegendTitle legendTitle = chart.getLegend();
        if (legendTitle != null) {
            legendTitle.setItemFont(LEGEND_FONT);
            legendTitle.setItemPaint(INK);
            legendTitle.setFrame(BlockBorder.NONE);
            legendTitle.setBackgroundPaint(Color.WHITE);
            legendTitle.setPosition(RectangleEdge.TOP);
            legendTitle.setMargin(new RectangleInsets(0, 0, 6, 0));
            legendTitle.setItemLabelPadding(new RectangleInsets(2, 4, 2, 14));
        }
        return chart;
    }

    private static void stylePlot(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(FRAME);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        plot.setDomainAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        if (plot.getDomainAxis() != null) {
            sparseTicks(plot.getDomainAxis(), false);
        }
        sparseTicks(plot.getRangeAxis(), true);
    }

    /**
     * Widens the space JFreeChart reserves per tick label, so automatic tick units give about 6 to 10 ticks per
     * axis instead of one every label height.
     */
    private static void sparseTicks(ValueAxis axis, boolean vertical) {
        axis.setTickLabelInsets(vertical ? new RectangleInsets(12, 4, 12, 4) : new RectangleInsets(2, 16, 2, 16));
    }

    private static void styleSeries(XYLineAndShapeRenderer renderer, int index, Color colour) {
        renderer.setSeriesPaint(index, colour);
        renderer.setSeriesStroke(index, LINE);
        renderer.setSeriesShape(index, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        renderer.setSeriesFillPaint(index, colour);
    }

    private static NumberAxis numberAxis(String label) {
        NumberAxis axis = new NumberAxis(label);
        styleAxis(axis);
        axis.setNumberFormatOverride(null);
        return axis;
    }

    /** A linear axis fitted to the data range {@code min..max}; a single value gets a range around it. */
    private static NumberAxis dataAxis(String label, double min, double max) {
        NumberAxis axis = numberAxis(label);
        axis.setAutoRangeIncludesZero(false);
        axis.setLowerMargin(0.05);
        axis.setUpperMargin(0.05);
        if (max - min <= 1e-9 * Math.max(1, Math.abs(max))) {
            double half = min == 0 ? 1 : Math.abs(min) * 0.1;
            axis.setRange(min - half, max + half);
        }
        return axis;
    }

    /**
     * A base-10 axis with ticks at whole powers of ten (at most about ten); {@code min} and {@code max} are the
     * positive data range. Data spanning less than 1.5 decades is shown within whole decades around it, so there are
     * always labelled ticks.
     */
    private static LogAxis logAxis(String label, double min, double max) {
        LogAxis axis = new LogAxis(label);
        styleAxis(axis);
        axis.setBase(10);
        axis.setBaseSymbol("10");
        axis.setSmallestValue(1e-300);
        double decades = Math.log10(max) - Math.log10(min);
        double step = Math.max(1, Math.ceil(decades / 10));
        axis.setTickUnit(new NumberTickUnit(step, decimalFormat("0")), false, false);
        axis.setAutoTickUnitSelection(false, false);
        if (decades < 1.5) {
            axis.setRange(Math.pow(10, Math.floor(Math.log10(min) - 0.25)),
                    Math.pow(10, Math.ceil(Math.log10(max) + 0.25)));
        } else {
            axis.setLowerMargin(0.03);
            axis.setUpperMargin(0.03);
        }
        return axis;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(1);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(1);
    }

    private static void styleAxis(Axis axis) {
        axis.setLabelFont(AXIS_LABEL_FONT);
        axis.setLabelPaint(INK);
        axis.setTickLabelFont(TICK_FONT);
        axis.setTickLabelPaint(INK);
        axis.setAxisLinePaint(FRAME);
        axis.setTickMarkPaint(FRAME);
        axis.setLabelInsets(new RectangleInsets(6, 6, 6, 6));
    }

    private static ValueMarker verticalMarker(double x, String label, Color colour, double first, double last) {
        return verticalMarker(x, label, colour, first, last, false);
    }

    /** {@code first} and {@code last} are the data range, in log10 units when {@code log}: used to pick a side. */
    private static ValueMarker verticalMarker(double x, String label, Color colour, double first, double last,
                                              boolean log) {
        ValueMarker marker = new ValueMarker(x, colour, DASHED);
        if (label != null && !label.isEmpty()) {
            double position = log ? Math.log10(x) : x;
            boolean labelOnLeft = last > first && (position - first) / (last - first) > 0.7;
            marker.setLabel(label);
            marker.setLabelFont(NOTE_FONT);
            marker.setLabelPaint(colour.darker());
            marker.setLabelBackgroundColor(new Color(255, 255, 255, 220));
            marker.setLabelAnchor(labelOnLeft ? RectangleAnchor.TOP_LEFT : RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(labelOnLeft ? TextAnchor.TOP_RIGHT : TextAnchor.TOP_LEFT);
            marker.setLabelOffset(new RectangleInsets(6, 6, 6, 6));
        }
        return marker;
    }

    private static LegendItem lineLegendItem(String label, Color colour, Stroke stroke) {
        LegendItem item = new LegendItem(label, null, null, null, new Line2D.Double(-10, 0, 10, 0),
                stroke, colour);
        item.setLabelFont(LEGEND_FONT);
        item.setLabelPaint(INK);
        return item;
    }

    private static PaintScaleLegend colourLegend(PaintScale scale, NumberAxis axis) {
        axis.setTickLabelFont(TICK_FONT);
        sparseTicks(axis, true);
        PaintScaleLegend legend = new PaintScaleLegend(scale, axis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setAxisLocation(AxisLocation.BOTTOM_OR_RIGHT);
        legend.setStripWidth(16);
        legend.setStripOutlineVisible(true);
        legend.setStripOutlinePaint(FRAME);
        legend.setSubdivisionCount(128);
        legend.setAxisOffset(4);
        legend.setMargin(new RectangleInsets(4, 16, 4, 0));
        legend.setBackgroundPaint(Color.WHITE);
        return legend;
    }

    private static NumberFormat percentFormat() {
        return decimalFormat("0%");
    }

    private static DecimalFormat decimalFormat(String pattern) {
        return new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
    }

    private static void write(Path out, JFreeChart chart, int width, int height) {
        AtomicFiles.write(out, stream -> ChartUtils.writeChartAsPNG(stream, chart, width, height));
    }

    // ------------------------------------------------------------------------------------------------- validation

    private static void requireNonNull(String function, String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(function + " " + name + ": null. Expected a value; received null. "
                    + "Pass " + name + ".");
        }
    }

    private static void requireLength(String function, String name, int length, String expected, int expectedLength) {
        if (length != expectedLength) {
            throw new IllegalArgumentException(function + " " + name + ": wrong length. Expected " + expected + " ("
                    + expectedLength + "); received " + length + ". Pass arrays of matching length.");
        }
    }

    private static void checkLabels(String function, String name, List<String> labels) {
        requireNonNull(function, name, labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException(function + " " + name + ": empty. Expected at least one name; "
                    + "received an empty list. Pass the names to show.");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i);
            if (label == null || label.isBlank()) {
                throw new IllegalArgumentException(function + " " + name + ": name " + i + " is blank. Expected "
                        + "non-blank names; received " + (label == null ? "null" : "\"" + label + "\"") + ". Name "
                        + "every entry.");
            }
            if (!seen.add(label)) {
                throw new IllegalArgumentException(function + " " + name + ": \"" + label + "\" appears twice. "
                        + "Expected unique names; received it at index " + i + " again. Make the names unique.");
            }
        }
    }

    private static void checkMatrix(long[][] counts, int n) {
        requireNonNull("confusionMatrix", "counts", counts);
        requireLength("confusionMatrix", "counts", counts.length, "one row per label", n);
        for (int r = 0; r < n; r++) {
            if (counts[r] == null) {
                throw new IllegalArgumentException("confusionMatrix counts: row " + r + " is null. Expected " + n
                        + " counts per row; received null. Pass a square matrix.");
            }
            requireLength("confusionMatrix", "counts row " + r, counts[r].length, "one column per label", n);
            for (int c = 0; c < n; c++) {
                if (counts[r][c] < 0) {
                    throw new IllegalArgumentException("confusionMatrix counts: negative count at row " + r
                            + ", column " + c + ". Expected counts >= 0; received " + counts[r][c] + ". Pass how "
                            + "many samples of each true class were predicted as each class.");
                }
            }
        }
    }

    private static int countFinite(double[] values) {
        return (int) Arrays.stream(values).filter(Double::isFinite).count();
    }

    private static String shorten(String label, int maxChars) {
        return label.length() <= maxChars ? label : label.substring(0, maxChars - 1) + "…";
    }

    private static Color[] hex(String... codes) {
        return Arrays.stream(codes).map(c -> new Color(Integer.parseInt(c, 16))).toArray(Color[]::new);
    }

    /** A continuous colour scale interpolating evenly spaced stops; {@code NaN} maps to light grey. */
    private record GradientScale(Color[] stops, double lowerBound, double upperBound) implements PaintScale {
        @Override
        public double getLowerBound() {
            return lowerBound;
        }

        @Override
        public double getUpperBound() {
            return upperBound;
        }

        @Override
        public Paint getPaint(double value) {
            if (Double.isNaN(value)) {
                return MISSING;
            }
            double t = (value - lowerBound) / (upperBound - lowerBound);
            t = Math.max(0, Math.min(1, t)) * (stops.length - 1);
            int i = Math.min((int) t, stops.length - 2);
            double f = t - i;
            Color a = stops[i];
            Color b = stops[i + 1];
            return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                    (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                    (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
        }
    }
}
