package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.core.Json;
import org.finetune4j.eval.Evaluation;

/** How {@code evaluate} and {@code train} print an evaluation: the protocol-versus-centre table, or JSON. */
final class EvaluationTable {

    private EvaluationTable() {
    }

    /** Prints the protocol-versus-centre table. */
    static void printTable(Evaluation e, PrintWriter out) {
        out.printf(Locale.ROOT, "%-14s %6s %-22s %7s %-22s %10s%n", "protocol", "crops", "top-1 [95% CI]", "top-5",
                "macro-F1 [95% CI]", "images/s");
        out.println(row("center", 1, e.centerMetrics(), e.centerImagesPerSecond()));
        if (e.cropsPerImage() > 1 || !e.protocol().equals("center")) {
            out.println(row(e.protocol(), e.cropsPerImage(), e.protocolMetrics(), e.protocolImagesPerSecond()));
            out.printf(Locale.ROOT, "%s vs center: top-1 %+.1f points (%s averaging, %d images)%n", e.protocol(),
                    100 * (e.protocolMetrics().top1() - e.centerMetrics().top1()), e.averaging(), e.images().size());
        }
        out.printf(Locale.ROOT, "%d test images; 95%% intervals: Wilson for top-1, a bootstrap over images for "
                + "macro F1%n", e.images().size());
        if (!e.badImages().isEmpty()) {
            out.println("left out " + e.badImages().size() + " unreadable file(s):");
            e.badImages().forEach(b -> out.println("  " + b.relativePath() + ": " + b.reason()));
        }
    }

    private static String row(String name, int crops, org.finetune4j.eval.Metrics m, double rate) {
        return String.format(Locale.ROOT, "%-14s %6d %-22s %7s %-22s %10.1f", name, crops,
                withInterval(m.top1(), m.top1Interval()),
                m.top5() == null ? "-" : String.format(Locale.ROOT, "%.3f", m.top5()),
                withInterval(m.macroF1(), m.macroF1Interval()), rate);
    }

    /** @return {@code 0.520 [0.385, 0.652]} */
    static String withInterval(double value, org.finetune4j.eval.Interval ci) {
        return String.format(Locale.ROOT, "%.3f %s", value, ci.format());
    }

    /** @return test accuracy with its Wilson interval and the number of images: {@code 0.520 [0.385, 0.652] on 50} */
    static String accuracyOn(double accuracy, int images) {
        return withInterval(accuracy, org.finetune4j.eval.Statistics.wilson(Math.round(accuracy * images), images))
                + " on " + images;
    }

    /** @return the headline numbers as a JSON-ready map */
    static Map<String, Object> summary(Evaluation e, Path report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("report", report.toString());
        m.put("protocol", e.protocol());
        m.put("averaging", e.averaging());
        m.put("images", e.images().size());
        m.put("crops-per-image", e.cropsPerImage());
        m.put("top1", e.protocolMetrics().top1());
        m.put("top1-interval", e.protocolMetrics().top1Interval());
        m.put("macro-f1", e.protocolMetrics().macroF1());
        m.put("macro-f1-interval", e.protocolMetrics().macroF1Interval());
        m.put("top5", e.protocolMetrics().top5());
        m.put("center-top1", e.centerMetrics().top1());
        m.put("center-top1-interval", e.centerMetrics().top1Interval());
        m.put("center-top5", e.centerMetrics().top5());
        m.put("images-per-second", e.protocolImagesPerSecond());
        m.put("center-images-per-second", e.centerImagesPerSecond());
        m.put("bad-images", e.badImages());
        return m;
    }

    static String json(Evaluation e, Path report) {
        return Json.write(summary(e, report));
    }

    /** Prints the end-of-training evaluation table and the report page (not with --json: the summary has it). */
    static void printAfterTraining(Evaluation evaluation, Path report, boolean json, PrintWriter out) {
        if (evaluation != null && !json) {
            printTable(evaluation, out);
            out.println("report page: " + report.resolve("report.html"));
            out.flush();
        }
    }
}
