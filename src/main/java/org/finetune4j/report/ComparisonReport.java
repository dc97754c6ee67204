package org.finetune4j.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Json;
import org.finetune4j.eval.Comparison;
import org.finetune4j.eval.Metrics;

/**
 * Writes a comparison's folder: {@code comparison.json} (machine-readable), a self-contained {@code compare.html}
 * (scores with intervals, the pairwise tests, per-class differences) and {@code accuracy.png}.
 * <pre>{@code
 * Path dir = ComparisonReport.write(Path.of("eval/reports", run), comparison, "test split of photos", "center", info);
 * }</pre>
 * Every file is written atomically.
 */
public final class ComparisonReport {

    /** Files every comparison folder holds. */
    public static final List<String> FILES = List.of("comparison.json", "compare.html", "accuracy.png");

    private ComparisonReport() {
    }

    /** What {@code comparison.json} holds. */
    @JsonPropertyOrder(alphabetic = true)
    record ComparisonFile(String data, String protocol, Comparison comparison, Object runInfo) {
    }

    /**
     * @param dir        the folder (created if needed)
     * @param c          the comparison
     * @param data       the images as the user named them
     * @param protocol   the protocol and averaging
     * @param runInfo    versions, platform, seed and time
     * @return {@code dir}
     */
    public static Path write(Path dir, Comparison c, String data, String protocol, Object runInfo) {
        try {
            Files.createDirectories(dir);
        } catch (IOException ex) {
            throw new UncheckedIOException(dir + ": cannot create the report folder (" + ex.getMessage() + ")", ex);
        }
        Plots.bars(dir.resolve("accuracy.png"), "Top-1 accuracy, " + c.images() + " images (" + protocol + ")",
                "accuracy", c.names(), c.metrics().stream().mapToDouble(Metrics::top1).toArray());
        AtomicFiles.writeString(dir.resolve("comparison.json"), Json.write(new ComparisonFile(data, protocol, c,
                runInfo)));
        AtomicFiles.writeString(dir.resolve("compare.html"), html(dir, c, data, protocol));
        return dir;
    }

    /** @return a signed difference of fractions in points, one decimal */
    public static String points(double v) {
        return String.format(Locale.ROOT, "%+.1f", 100 * v);
    }

    /** @return a p-value with three decimals, or {@code < 0.001} */
    public static String p(double v) {
        return v < 0.001 ? "< 0.001" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** @return the one-sentence reading of a pair's test */
    public static String verdict(Comparison.Pair pr) {
        if (pr.pValue() >= 0.05) {
            return String.format(Locale.ROOT, "no significant difference at the 5%% level (McNemar p = %s): %s "
                    + "and %s disagree on %d images, %d to %d", p(pr.pValue()), pr.a(), pr.b(), pr.onlyA() + pr.onlyB(),
                    pr.onlyA(), pr.onlyB());
        }
        String better = pr.onlyA() > pr.onlyB() ? pr.a() : pr.b();
        return String.format(Locale.ROOT, "%s is better (McNemar p = %s): of the %d images exactly one gets right, "
                + "%d are %s's", better, p(pr.pValue()), pr.onlyA() + pr.onlyB(), Math.max(pr.onlyA(), pr.onlyB()),
                better);
    }

    static String html(Path dir, Comparison c, String data, String protocol) {
        StringBuilder h = new StringBuilder();
        String esc = ReportWriter.esc("Comparison: " + String.join(" vs ", c.names()));
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>").append(esc)
                .append("</title><style>").append(ReportWriter.CSS).append("</style></head><body><main>\n");
        h.append("<header><h1>").append(esc).append("</h1><div class=\"sub\">").append(c.images())
                .append(" images · ").append(ReportWriter.esc(data)).append(" · protocol ")
                .append(ReportWriter.esc(protocol)).append("</div></header>\n");
        h.append("<p class=\"lead\">");
        for (Comparison.Pair pr : c.pairs()) {
            h.append(ReportWriter.esc(pr.a() + " vs " + pr.b() + ": " + verdict(pr) + "; accuracy difference "
                    + points(pr.difference()) + " points, 95% interval " + pr.differenceInterval().formatPoints()
                    + ".")).append("<br>");
        }
        h.append("</p>\n");

        h.append("<section><h2>Scores</h2><table><tr><th>bundle</th><th class=\"n\">top-1 [95% interval]</th>")
                .append("<th class=\"n\">macro F1 [95% interval]</th><th class=\"n\">balanced accuracy</th>")
                .append("<th class=\"n\">images</th></tr>");
        for (int k = 0; k < c.names().size(); k++) {
            Metrics m = c.metrics().get(k);
            h.append("<tr><td>").append(ReportWriter.esc(c.names().get(k))).append("</td><td class=\"n\">")
                    .append(ReportWriter.f3(m.top1())).append(' ').append(m.top1Interval().format())
                    .append("</td><td class=\"n\">").append(ReportWriter.f3(m.macroF1())).append(' ')
                    .append(m.macroF1Interval().format()).append("</td><td class=\"n\">")
                    .append(ReportWriter.f3(m.balancedAccuracy())).append("</td><td class=\"n\">").append(m.images())
                    .append("</td></tr>");
        }
        h.append("</table><p class=\"note\">Wilson 95% intervals for top-1, a bootstrap over the images for macro F1. "
                + "Every bundle saw the same images with the same protocol.</p>")
                .append(ReportWriter.img(dir.resolve("accuracy.png"), "accuracy per bundle")).append("</section>\n");

        h.append("<section><h2>Pairs</h2><table><tr><th>A vs B</th><th class=\"n\">both right</th>")
                .append("<th class=\"n\">only A right</th><th class=\"n\">only B right</th>")
                .append("<th class=\"n\">both wrong</th><th class=\"n\">A − B (points) [95% interval]</th>")
                .append("<th class=\"n\">McNemar p</th></tr>");
        for (Comparison.Pair pr : c.pairs()) {
            h.append("<tr><td>").append(ReportWriter.esc(pr.a() + " vs " + pr.b())).append("</td><td class=\"n\">")
                    .append(pr.bothRight()).append("</td><td class=\"n\">").append(pr.onlyA())
                    .append("</td><td class=\"n\">").append(pr.onlyB()).append("</td><td class=\"n\">")
                    .append(pr.bothWrong()).append("</td><td class=\"n\">").append(points(pr.difference()))
                    .append(' ').append(pr.differenceInterval().formatPoints()).append("</td><td class=\"n\">")
                    .append(p(pr.pValue())).append("</td></tr>");
        }
        h.append("</table><p class=\"note\">McNemar's exact test looks only at the images exactly one of the two gets "
                + "right: under no difference, each is A's with probability 1/2. The interval of the difference is a "
                + "paired bootstrap over the images (both bundles on the same resampled images).</p></section>\n");

        for (Comparison.Pair pr : c.pairs()) {
            h.append("<section><h2>Recall per class · ").append(ReportWriter.esc(pr.a() + " − " + pr.b()))
                    .append("</h2><table><tr><th>class</th><th class=\"n\">images</th><th class=\"n\">")
                    .append(ReportWriter.esc(pr.a())).append("</th><th class=\"n\">").append(ReportWriter.esc(pr.b()))
                    .append("</th><th class=\"n\">difference (points)</th><th></th></tr>");
            for (Comparison.ClassDifference d : pr.perClass()) {
                int w = (int) Math.round(Math.abs(d.difference()) * 120);
                h.append("<tr><td>").append(ReportWriter.esc(d.label())).append("</td><td class=\"n\">")
                        .append(d.images()).append("</td><td class=\"n\">").append(ReportWriter.f3(d.recallA()))
                        .append("</td><td class=\"n\">").append(ReportWriter.f3(d.recallB()))
                        .append("</td><td class=\"n\">").append(points(d.difference()))
                        .append("</td><td class=\"barcell\"><span class=\"bar\" style=\"width:").append(w)
                        .append("px;background:").append(d.difference() >= 0 ? "var(--good)" : "var(--bad)")
                        .append("\"></span></td></tr>");
            }
            h.append("</table><p class=\"note\">Green: ").append(ReportWriter.esc(pr.a())).append(" finds more of the "
                    + "class; red: ").append(ReportWriter.esc(pr.b())).append(" does. With few images per class, one "
                    + "image moves a recall by a lot.</p></section>\n");
        }
        h.append("<section><p class=\"note\">Everything on this page is also in <code>comparison.json</code>.</p>"
                + "</section>\n</main></body></html>\n");
        return h.toString();
    }

    /** @return the comparison as the terminal shows it, one line per entry */
    public static List<String> lines(Comparison c) {
        List<String> out = new ArrayList<>();
        int w = Math.max(6, c.names().stream().mapToInt(String::length).max().orElse(6));
        out.add(String.format(Locale.ROOT, "%-" + w + "s  %-22s  %-22s  %s", "bundle", "top-1 [95% CI]",
                "macro-F1 [95% CI]", "balanced acc"));
        for (int k = 0; k < c.names().size(); k++) {
            Metrics m = c.metrics().get(k);
            out.add(String.format(Locale.ROOT, "%-" + w + "s  %-22s  %-22s  %.3f", c.names().get(k),
                    ReportWriter.f3(m.top1()) + " " + m.top1Interval().format(), ReportWriter.f3(m.macroF1()) + " "
                            + m.macroF1Interval().format(), m.balancedAccuracy()));
        }
        for (Comparison.Pair pr : c.pairs()) {
            out.add(String.format(Locale.ROOT, "%s vs %s: A − B %s points [95%% CI %s], only A right %d, only B "
                    + "right %d, McNemar p %s", pr.a(), pr.b(), points(pr.difference()),
                    pr.differenceInterval().formatPoints().replaceAll("^\\[|\\]$", ""), pr.onlyA(), pr.onlyB(),
                    p(pr.pValue())));
            out.add("  " + verdict(pr));
            StringBuilder cls = new StringBuilder("  recall per class, A − B (points):");
            for (Comparison.ClassDifference d : pr.perClass()) {
                cls.append(' ').append(d.label()).append(' ').append(points(d.difference()));
            }
            out.add(cls.toString());
        }
        return out;
    }
}
