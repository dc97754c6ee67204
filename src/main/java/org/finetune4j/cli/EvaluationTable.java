package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.core.Json;
import org.finetune4j.eval.CalibrationSummary;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.RiskCoverage;
import org.finetune4j.eval.Statistics;
import org.finetune4j.stage.EvaluateStage;

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
        return withInterval(accuracy, Statistics.wilson(Math.round(accuracy * images), images))
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
        m.put("balanced-accuracy", e.protocolMetrics().balancedAccuracy());
        m.put("balanced-accuracy-interval", e.protocolMetrics().balancedAccuracyInterval());
        m.put("top5", e.protocolMetrics().top5());
        m.put("center-top1", e.centerMetrics().top1());
        m.put("center-top1-interval", e.centerMetrics().top1Interval());
        m.put("center-top5", e.centerMetrics().top5());
        m.put("images-per-second", e.protocolImagesPerSecond());
        m.put("center-images-per-second", e.centerImagesPerSecond());
        m.put("bad-images", e.badImages());
        return m;
    }

    static String json(Evaluation e, EvaluateStage.Trust trust, Path report) {
        Map<String, Object> m = summary(e, report);
        if (trust != null) {
            m.put("headline", trust.headline());
            m.put("protocol-choice", trust.choice());
            m.put("temperature", trust.calibration().temperature());
            m.put("calibration", Map.of("before", trust.calibration().testBefore(), "after",
                    trust.calibration().testAfter()));
            m.put("reject-thresholds", trust.reject().centerTargets().stream().map(t -> {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("target", t.target());
                x.put("min-confidence", Double.isNaN(t.threshold()) ? null : t.threshold());
                x.put("test-coverage", t.test() == null ? null : t.test().coverage());
                x.put("test-accuracy", t.test() == null || t.test().answered() == 0 ? null : t.test().accuracy());
                return x;
            }).toList());
        }
        return Json.write(m);
    }

    /**
     * Prints the headline metric when it is balanced accuracy (the training split was imbalanced), with its
     * interval, the centre crop's, and why.
     */
    static void printHeadline(Evaluation e, EvaluateStage.Trust trust, PrintWriter out) {
        if (trust == null || trust.headline() == null || !trust.headline().balanced()) {
            return;
        }
        org.finetune4j.eval.Metrics ctr = e.centerMetrics();
        boolean centre = e.cropsPerImage() == 1 && e.protocol().equals("center");
        out.printf(Locale.ROOT, "headline: %s (%s)%s; accuracy %.3f%n", trust.headline().format(), e.protocol(),
                centre ? "" : "; centre crop " + withInterval(ctr.balancedAccuracy(), ctr.balancedAccuracyInterval()),
                e.protocolMetrics().top1());
        out.println("  because " + trust.headline().reason() + " (95% interval: a bootstrap over images)");
    }

    /** Prints which protocol is evaluated and why, with the validation scores it was chosen on. */
    static void printChoice(EvaluateStage.Trust trust, PrintWriter out) {
        if (trust != null && trust.choice() != null) {
            out.println("protocol: " + trust.choice().reason());
        }
    }

    /**
     * Prints the calibration line and the reject option's thresholds.
     *
     * @param trust what the evaluation found, or null to print nothing
     */
    static void printTrust(EvaluateStage.Trust trust, PrintWriter out) {
        if (trust == null) {
            return;
        }
        CalibrationSummary c = trust.calibration();
        String test = String.format(Locale.ROOT, "ECE %.3f → %.3f, NLL %.3f → %.3f, Brier %.3f → %.3f",
                c.testBefore().ece(), c.testAfter().ece(), c.testBefore().nll(), c.testAfter().nll(),
                c.testBefore().brier(), c.testAfter().brier());
        if (!c.fitted()) {
            out.printf(Locale.ROOT, "calibration: the bundle records no temperature; test centre crops: ECE %.3f, "
                    + "NLL %.3f, Brier %.3f (%d images)%n", c.testAfter().ece(), c.testAfter().nll(),
                    c.testAfter().brier(), c.testImages());
        } else if (c.validationBefore() != null) {
            out.printf(Locale.ROOT, "calibration: temperature %.3f fitted on %d validation images (NLL %.3f → %.3f); "
                    + "test centre crops, before → after: %s (%d images)%n", c.temperature(), c.validationImages(),
                    c.validationBefore().nll(), c.validationAfter().nll(), test, c.testImages());
        } else {
            out.printf(Locale.ROOT, "calibration: temperature %.3f; test centre crops, before → after: %s "
                    + "(%d images)%n",
                    c.temperature(), test, c.testImages());
        }
        RiskCoverage.Summary r = trust.reject();
        if (r.validationImages() == 0) {
            out.println("reject option: the bundle's validation split is not available here, so no thresholds "
                    + "(risk–coverage curve in the report)");
            return;
        }
        out.printf(Locale.ROOT, "reject option: thresholds chosen on %d validation images, coverage and accuracy on "
                + "%d test images%n", r.validationImages(), c.testImages());
        for (int i = 0; i < r.centerTargets().size(); i++) {
            out.println("  " + targetLine("centre crop (predict)", r.centerTargets().get(i)));
            if (!r.protocol().equals("center")) {
                out.println("  " + targetLine(r.protocol(), r.protocolTargets().get(i)));
            }
        }
    }

    private static String targetLine(String what, RiskCoverage.Target t) {
        if (Double.isNaN(t.threshold())) {
            return String.format(Locale.ROOT, "accuracy %.2f, %s: not reached at any threshold on validation",
                    t.target(),
                    what);
        }
        RiskCoverage.Point p = t.test();
        return String.format(Locale.ROOT, "accuracy %.2f, %s: --min-confidence %.3f answers %.3f of test (%d of %d), "
                + "accuracy %s", t.target(), what, t.threshold(), p.coverage(), p.answered(), p.images(),
                p.answered() == 0 ? "n/a" : withInterval(p.accuracy(), Statistics.wilson(
                        Math.round(p.accuracy() * p.answered()), p.answered())));
    }

    /** Prints the end-of-training evaluation table and the report page (not with --json: the summary has it). */
    static void printAfterTraining(Evaluation evaluation, EvaluateStage.Trust trust, Path report, boolean json,
                                   PrintWriter out) {
        if (evaluation != null && !json) {
            printChoice(trust, out);
            printTable(evaluation, out);
            printHeadline(evaluation, trust, out);
            printTrust(trust, out);
            out.println("report page: " + report.resolve("report.html"));
            out.flush();
        }
    }
}
