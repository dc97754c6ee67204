package org.finetune4j.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.finetune4j.clean.CleanResult;

/**
 * A map of the data as inline SVG: every image at its first two principal components of the features, coloured by
 * its given class; a hollow point where the out-of-fold prediction disagrees with the label, a red ring around a
 * likely label error, a black square around an outlier; the thumbnail shows when the pointer is on a point (CSS
 * only, no script). Large folders are thinned to {@value #MAX_POINTS} points (every flagged image is kept);
 * thumbnails are embedded up to {@value #MAX_THUMBNAILS} points.
 */
final class DataMap {

    static final int MAX_POINTS = 3000;
    static final int MAX_THUMBNAILS = 1500;
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;
    private static final int MARGIN = 24;
    private static final int THUMB = 80;

    static final String CSS = """
            .map{width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:8px}
            .map g.pt image{visibility:hidden;pointer-events:none} .map g.pt:hover image{visibility:visible}
            .map g.pt:hover circle.dot{stroke:#000;stroke-width:2}
            .legend{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:12px;margin-top:8px}
            .legend span.sw{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px}
            """;

    private DataMap() {
    }

    /** @return the colour of class {@code k} of {@code n}: a fixed palette for up to 10 classes, else hues */
    static String colour(int k, int n) {
        String[] palette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
            "#bcbd22", "#17becf"};
        return n <= palette.length ? palette[k] : String.format(Locale.ROOT, "hsl(%d,65%%,45%%)", k * 360 / n);
    }

    /**
     * @param r         what clean found (the images carry their map coordinates)
     * @param thumbnail a relative path's thumbnail as a {@code data:} URI, or null
     * @return the SVG and its legend, as HTML
     */
    static String html(CleanResult r, Function<String, String> thumbnail) {
        Set<String> issues = new java.util.HashSet<>();
        r.labelIssues().forEach(i -> issues.add(i.path()));
        Set<String> outliers = new java.util.HashSet<>();
        r.outliers().forEach(o -> outliers.add(o.path()));
        List<CleanResult.Image> all = r.images();
        List<CleanResult.Image> shown = new ArrayList<>();
        List<CleanResult.Image> marked = new ArrayList<>();
        for (CleanResult.Image im : all) {
            if (issues.contains(im.path()) || outliers.contains(im.path()) || !im.predicted().equals(im.given())) {
                marked.add(im);
            }
        }
        int stride = Math.max(1, (int) Math.ceil((all.size() - marked.size()) / (double) Math.max(1,
                MAX_POINTS - marked.size())));
        int k = 0;
        for (CleanResult.Image im : all) {
            boolean isMarked = issues.contains(im.path()) || outliers.contains(im.path())
                    || !im.predicted().equals(im.given());
            if (!isMarked && k++ % stride != 0) {
                continue;
            }
            shown.add(im);
        }
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (CleanResult.Image im : shown) {
            minX = Math.min(minX, im.mapX());
            maxX = Math.max(maxX, im.mapX());
            minY = Math.min(minY, im.mapY());
            maxY = Math.max(maxY, im.mapY());
        }
        double sx = (WIDTH - 2 * MARGIN) / Math.max(1e-12, maxX - minX);
        double sy = (HEIGHT - 2 * MARGIN) / Math.max(1e-12, maxY - minY);
        List<String> classes = r.summary().classes();
        boolean thumbs = shown.size() <= MAX_THUMBNAILS;
        StringBuilder h = new StringBuilder("<svg class=\"map\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"map of the "
                        + "data\">");
        // unmarked points first, so the marked ones are drawn on top
        List<CleanResult.Image> order = new ArrayList<>(shown);
        order.sort(java.util.Comparator.comparing(im -> issues.contains(im.path()) || outliers.contains(im.path())
                || !im.predicted().equals(im.given())));
        for (CleanResult.Image im : order) {
            double x = MARGIN + (im.mapX() - minX) * sx;
            double y = HEIGHT - MARGIN - (im.mapY() - minY) * sy;
            String c = colour(classes.indexOf(im.given()), classes.size());
            boolean wrong = !im.predicted().equals(im.given());
            h.append("<g class=\"pt\">");
            if (issues.contains(im.path())) {
                h.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"8.5\" fill=\"none\" "
                        + "stroke=\"#d00\" stroke-width=\"2\"/>", x, y));
            }
            if (outliers.contains(im.path())) {
                h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"17\" height=\"17\" "
                        + "fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\"/>", x - 8.5, y - 8.5));
            }
            h.append(String.format(Locale.ROOT, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\" "
                    + "stroke=\"%s\" stroke-width=\"%s\"/>", x, y, wrong ? "#fff" : c, c, wrong ? "2" : "0.5"));
            h.append("<title>").append(ReportWriter.esc(im.path() + " · " + im.split() + " · given " + im.given()
                    + (wrong ? " · predicted " + im.predicted() : ""))).append("</title>");
            String src = thumbs ? thumbnail.apply(im.path()) : null;
            if (src != null) {
                double tx = Math.min(WIDTH - THUMB, x + 10);
                double ty = Math.max(0, y - THUMB - 10);
                h.append(String.format(Locale.ROOT, "<image x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" "
                        + "href=\"%s\"/>", tx, ty, THUMB, THUMB, src));
            }
            h.append("</g>");
        }
        h.append("</svg><div class=\"legend\">");
        for (int i = 0; i < classes.size(); i++) {
            h.append("<span><span class=\"sw\" style=\"background:").append(colour(i, classes.size()))
                    .append("\"></span>").append(ReportWriter.esc(classes.get(i))).append("</span>");
        }
        h.append("<span>◯ hollow: out-of-fold prediction ≠ label</span><span style=\"color:#d00\">◯ red ring: "
                + "likely label error</span><span>□ square: outlier</span>");
        if (shown.size() < all.size()) {
            h.append("<span>").append(shown.size()).append(" of ").append(all.size()).append(" images shown (every "
                    + "flagged one)</span>");
        }
        return h.append("</div>").toString();
    }
}
