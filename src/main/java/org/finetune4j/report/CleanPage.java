package org.finetune4j.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.finetune4j.clean.CleanResult;
import org.finetune4j.core.AtomicFiles;

/**
 * The HTML page of {@code clean}: likely label errors (thumbnail, given and suggested label, score), near-duplicate
 * groups (side by side, leaks marked), and outliers, each section ranked and cut at the configured number of rows;
 * thumbnails are embedded, so the page is one file. The page only shows: nothing in the data folder is touched.
 * <pre>{@code
 * CleanPage.write(dir.resolve("clean.html"), "photos", result,
 *         path -> Thumbnails.dataUri(decoder, root.resolve(path), path, 96));
 * }</pre>
 */
public final class CleanPage {

    private static final String EXTRA_CSS = """
            .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px}
            figure.f{margin:0;border:1px solid var(--line);border-radius:8px;padding:8px;text-align:center;\
            font-size:12px}
            figure.f img,.grp img{width:96px;height:96px;object-fit:contain;image-rendering:pixelated;background:#eee}
            .given{color:var(--bad)} .sugg{color:var(--good);font-weight:600}
            .path{color:var(--muted);font-size:11px;word-break:break-all}
            .grp{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start;border-bottom:1px solid var(--line);\
            padding:10px 0}
            .grp figure{margin:0;text-align:center;font-size:11px;width:120px}
            .tag{display:inline-block;border-radius:4px;padding:1px 6px;font-size:11px;font-weight:600;color:#fff}
            .leak{background:var(--bad)} .conflict{background:#b45309} .same{background:var(--muted)}
            .gmeta{width:150px;font-size:12px;color:var(--muted)}
            """;

    private CleanPage() {
    }

    /**
     * @param file      the page to write (atomically)
     * @param data      the data folder's name, for the title
     * @param r         what clean found
     * @param thumbnail a relative path's thumbnail as a {@code data:} URI, or null when it cannot be made
     */
    public static void write(Path file, String data, CleanResult r, Function<String, String> thumbnail) {
        int rows = r.summary().config().pageRows();
        StringBuilder h = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>").append(ReportWriter.esc("Clean: " + data)).append("</title><style>")
                .append(ReportWriter.CSS).append(EXTRA_CSS).append(DataMap.CSS).append("</style></head><body><main>\n");
        CleanResult.Summary s = r.summary();
        h.append("<header><h1>").append(ReportWriter.esc("Clean: " + data)).append("</h1><div class=\"sub\">")
                .append(s.images()).append(" images, ").append(s.classes().size()).append(" classes · nothing was "
                        + "moved or deleted</div></header>\n");
        h.append("<div class=\"cards\" style=\"margin-top:18px\">");
        card(h, "likely label errors", String.valueOf(r.labelIssues().size()), "confident learning");
        card(h, "near-duplicate groups", String.valueOf(r.duplicates().size()), s.leaks() + " across the split");
        card(h, "outliers", String.valueOf(r.outliers().size()), String.format(Locale.ROOT,
                "robust z ≥ %.1f", s.config().outlierZ()));
        card(h, "out-of-fold accuracy", String.format(Locale.ROOT, "%.3f", s.outOfFoldAccuracy()),
                String.format(Locale.ROOT, "logistic regression, C = %.3g, %d folds", s.chosenC(), s.config().folds()));
        h.append("</div>\n");

        h.append("<section><h2>Likely label errors</h2><p class=\"note\">Images whose out-of-fold probabilities point "
                + "confidently to another class (confident learning), ranked by the margin p(given) − max p(other), "
                + "most negative first; the score is 1 − p(given).</p>");
        if (r.labelIssues().isEmpty()) {
            h.append("<p>None found.</p>");
        } else {
            h.append("<div class=\"grid\">");
            for (CleanResult.LabelIssue i : r.labelIssues().subList(0, Math.min(rows, r.labelIssues().size()))) {
                h.append("<figure class=\"f\">").append(img(thumbnail, i.path())).append("<figcaption><div>#")
                        .append(i.rank()).append(" · score ").append(f3(i.score()))
                        .append("</div><div class=\"given\">given: ").append(ReportWriter.esc(i.given()))
                        .append(' ').append(f3(i.givenProbability()))
                        .append("</div><div class=\"sugg\">suggested: ").append(ReportWriter.esc(i.suggested()))
                        .append(' ').append(f3(i.suggestedProbability())).append("</div><div class=\"path\">")
                        .append(ReportWriter.esc(i.path() + " (" + i.split() + ")")).append("</div></figcaption>"
                        + "</figure>");
            }
            h.append("</div>");
            more(h, r.labelIssues().size(), rows, "label-issues.csv");
        }
        h.append("</section>\n");

        h.append("<section><h2>Near-duplicates</h2><p class=\"note\">Groups of images that are the same picture "
                + "(resized, re-encoded, shifted): perceptual hashes at most ").append(s.config().duplicates()
                        .hashBits()).append(" of 128 bits apart, or feature cosine ≥ ").append(s.config().duplicates()
                        .cosine()).append(" after PCA with hashes at most ").append(s.config().duplicates()
                        .confirmBits()).append(" bits apart. A group across train/val/test is a leak (<code>train "
                        + "--dedupe</code> keeps each group in one part).</p>");
        if (r.duplicates().isEmpty()) {
            h.append("<p>None found.</p>");
        } else {
            for (CleanResult.DuplicateGroup g : r.duplicates().subList(0, Math.min(rows, r.duplicates().size()))) {
                h.append("<div class=\"grp\"><div class=\"gmeta\">");
                if (g.leak()) {
                    h.append("<span class=\"tag leak\">leak</span> ");
                }
                if (g.isLabelConflict()) {
                    h.append("<span class=\"tag conflict\">labels differ</span> ");
                }
                if (!g.leak() && !g.isLabelConflict()) {
                    h.append("<span class=\"tag same\">same split</span>");
                }
                h.append("<div>").append(g.files().size()).append(" images<br>cosine ").append(f3(g.maxCosine()))
                        .append("<br>hash ").append(g.minHashBits()).append(" bits</div></div>");
                for (String f : g.files().subList(0, Math.min(8, g.files().size()))) {
                    h.append("<figure>").append(img(thumbnail, f)).append("<div class=\"path\">")
                            .append(ReportWriter.esc(f)).append("</div></figure>");
                }
                h.append("</div>");
            }
            more(h, r.duplicates().size(), rows, "near-duplicates.csv");
        }
        h.append("</section>\n");

        h.append("<section><h2>Outliers</h2><p class=\"note\">Images far from all others in feature space (mean cosine "
                + "distance to the ").append(s.config().neighbours()).append(" nearest), at least ")
                .append(s.config().outlierZ()).append(" robust standard deviations above the median: junk, "
                        + "unusual views, or a class of their own.</p>");
        if (r.outliers().isEmpty()) {
            h.append("<p>None found.</p>");
        } else {
            h.append("<div class=\"grid\">");
            for (CleanResult.Outlier o : r.outliers().subList(0, Math.min(rows, r.outliers().size()))) {
                h.append("<figure class=\"f\">").append(img(thumbnail, o.path())).append("<figcaption><div>#")
                        .append(o.rank()).append(" · distance ").append(f3(o.score())).append(" · z ")
                        .append(String.format(Locale.ROOT, "%.1f", o.robustZ())).append("</div><div>label: ")
                        .append(ReportWriter.esc(o.given())).append("</div><div class=\"path\">")
                        .append(ReportWriter.esc(o.path() + " (" + o.split() + ")")).append("</div></figcaption>"
                        + "</figure>");
            }
            h.append("</div>");
            more(h, r.outliers().size(), rows, "outliers.csv");
        }
        h.append("</section>\n<section><h2>Map of the data</h2><p class=\"note\">Every image at the first two "
                + "principal components of its features, coloured by its label; point at one to see it. Classes the "
                + "backbone separates form clusters; a point inside another class's cluster is worth a look.</p>")
                .append(DataMap.html(r, thumbnail)).append("</section>\n");
        h.append("<section><h2>Files</h2><p class=\"note\"><code>clean.json</code> (everything), "
                + "<code>label-issues.csv</code>, <code>near-duplicates.csv</code>, <code>outliers.csv</code> "
                + "(ranked), <code>images.csv</code> (every image's scores), beside this page.</p></section>\n"
                + "</main></body></html>\n");
        AtomicFiles.writeString(file, h.toString());
    }

    private static String img(Function<String, String> thumbnail, String path) {
        String src = thumbnail.apply(path);
        return src == null ? "<div class=\"path\">(no preview)</div>" : "<img alt=\"" + ReportWriter.esc(path)
                + "\" src=\"" + src + "\">";
    }

    private static void more(StringBuilder h, int total, int rows, String csv) {
        if (total > rows) {
            h.append("<p class=\"note\">").append(total - rows).append(" more in <code>").append(csv)
                    .append("</code>.</p>");
        }
    }

    private static void card(StringBuilder h, String key, String value, String detail) {
        h.append("<div class=\"card\"><div class=\"k\">").append(ReportWriter.esc(key))
                .append("</div><div class=\"v\">")
                .append(ReportWriter.esc(value)).append("</div><div class=\"d\">").append(ReportWriter.esc(detail))
                .append("</div></div>");
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
