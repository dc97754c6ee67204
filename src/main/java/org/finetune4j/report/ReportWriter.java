package org.finetune4j.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Json;
import org.finetune4j.data.BadImage;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.eval.Calibration;
import org.finetune4j.eval.CalibrationSummary;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.Headline;
import org.finetune4j.eval.ProtocolChoice;
import org.finetune4j.eval.RiskCoverage;
import org.finetune4j.eval.Statistics;
import org.finetune4j.eval.Metrics;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.run.Imbalance;

/**
 * Writes a run's report folder: {@code metrics.json} (machine-readable), {@code report.md} and a self-contained
 * {@code report.html} (inline CSS, images embedded as data URIs, no external resources) for people, and the PNG
 * plots {@code confusion-matrix.png}, {@code accuracy-per-protocol.png}, {@code per-class-f1.png} and, when the run
 * trained, {@code learning-curves.png}. The pages put a summary first (what was evaluated, on what, how well, the
 * protocol's gain over one centre crop), then the details.
 * <pre>{@code
 * Path dir = ReportWriter.write(Path.of("eval/reports", run), content);
 * }</pre>
 * Every file is written atomically.
 */
public final class ReportWriter {

    /** Files every report holds. */
    public static final List<String> FILES = List.of("metrics.json", "report.md", "report.html",
            "confusion-matrix.png", "accuracy-per-protocol.png", "per-class-f1.png");

    private static final int THUMBNAIL_PX = 112;

    private ReportWriter() {
    }

    /**
     * Writes the report into {@code dir} (created if needed; files of an earlier report there are replaced).
     *
     * @return {@code dir}
     */
    public static Path write(Path dir, ReportContent c) {
        Evaluation e = c.evaluation();
        try {
            Files.createDirectories(dir);
        } catch (IOException ex) {
            throw new UncheckedIOException(dir + ": cannot create the report folder (" + ex.getMessage() + ")", ex);
        }
        String center = "center (1 crop)";
        String proto = protocolLabel(e);
        boolean sameAsCenter = e.cropsPerImage() == 1 && e.protocolMetrics().top1() == e.centerMetrics().top1();
        Plots.confusionMatrix(dir.resolve("confusion-matrix.png"), "Confusion matrix: " + c.bundle().name() + ", "
                + e.protocol(), e.labels(), e.protocolMetrics().confusion());
        List<String> barNames = new ArrayList<>();
        List<Double> barValues = new ArrayList<>();
        barNames.add("top-1, " + center);
        barValues.add(e.centerMetrics().top1());
        if (!sameAsCenter) {
            barNames.add("top-1, " + proto);
            barValues.add(e.protocolMetrics().top1());
        }
        if (e.protocolMetrics().top5() != null) {
            barNames.add("top-5, " + center);
            barValues.add(e.centerMetrics().top5());
            if (!sameAsCenter) {
                barNames.add("top-5, " + proto);
                barValues.add(e.protocolMetrics().top5());
            }
        }
        Plots.bars(dir.resolve("accuracy-per-protocol.png"), "Accuracy per protocol (" + e.images().size()
                + " images)", "accuracy", barNames, barValues.stream().mapToDouble(Double::doubleValue).toArray());
        Plots.bars(dir.resolve("per-class-f1.png"), "F1 per class, " + e.protocol(), "F1",
                e.labels(), e.protocolMetrics().perClass().stream().mapToDouble(Metrics.ClassMetrics::f1).toArray());
        if (c.calibration() != null) {
            reliabilityDiagram(dir.resolve(RELIABILITY_PNG), c.bundle().name(), c.calibration());
        }
        if (c.reject() != null) {
            riskCoverage(dir.resolve(RISK_COVERAGE_PNG), c.bundle().name(), c.reject());
        }
        boolean curves = c.training() != null && c.training().curves() != null;
        if (curves) {
            Plots.learningCurves(dir.resolve("learning-curves.png"), "Learning curves: " + c.bundle().name(),
                    c.training().curves());
        }
        List<Evaluation.ImageResult> wrong = e.mostConfidentlyWrong(c.topWrong());
        AtomicFiles.writeString(dir.resolve("metrics.json"), Json.write(metrics(c, wrong)));
        AtomicFiles.writeString(dir.resolve("report.md"), markdown(c, wrong, curves));
        AtomicFiles.writeString(dir.resolve("report.html"), html(dir, c, wrong, curves));
        return dir;
    }

    /** The reliability diagram, written when the report has calibration scores. */
    public static final String RELIABILITY_PNG = "reliability-diagram.png";
    /** The risk–coverage curve, written when the report has the reject option. */
    public static final String RISK_COVERAGE_PNG = "risk-coverage.png";

    /** Accuracy against mean top probability per bin, before and after the temperature, with the diagonal. */
    private static void reliabilityDiagram(Path png, String bundle, CalibrationSummary c) {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("perfect calibration", new double[][] {{0, 1}, {0, 1}});
        series.put(c.fitted() ? "before (T = 1)" : "as given", bins(c.binsBefore()));
        if (c.fitted()) {
            series.put(String.format(Locale.ROOT, "after (T = %.2f)", c.temperature()), bins(c.binsAfter()));
        }
        Plots.lines(png, String.format(Locale.ROOT, "Reliability, centre crop: %s (%d test images, %d bins)", bundle,
                c.testImages(), Calibration.ECE_BINS), "mean top probability in the bin", "accuracy in the bin",
                false, series, null);
    }

    private static double[][] bins(List<Calibration.Bin> bins) {
        List<Calibration.Bin> used = bins.stream().filter(b -> b.images() > 0).toList();
        return new double[][] {used.stream().mapToDouble(Calibration.Bin::confidence).toArray(),
                used.stream().mapToDouble(Calibration.Bin::accuracy).toArray()};
    }

    /** Accuracy of the answered images against the share answered, protocol and centre crop. */
    private static void riskCoverage(Path png, String bundle, RiskCoverage.Summary r) {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("centre crop", curve(r.centerCurve()));
        if (!r.protocol().equals("center")) {
            series.put(r.protocol(), curve(r.protocolCurve()));
        }
        Plots.lines(png, "Risk–coverage on the test images: " + bundle, "coverage (share of images answered)",
                "accuracy of the answered images", false, series, null);
    }

    private static double[][] curve(List<RiskCoverage.Point> points) {
        return new double[][] {points.stream().mapToDouble(RiskCoverage.Point::coverage).toArray(),
                points.stream().mapToDouble(RiskCoverage.Point::accuracy).toArray()};
    }

    // ------------------------------------------------------------------------------------------------ metrics.json

    /** The bundle as {@code metrics.json} describes it. */
    @JsonPropertyOrder(alphabetic = true)
    record ModelSummary(String name, String backbone, String mode, String freezeUntil, List<String> labels) {
    }

    /** An image the model got wrong, with what it said. */
    @JsonPropertyOrder(alphabetic = true)
    record WrongImage(String image, @JsonProperty("true") String trueLabel, String predicted, double probability,
                      double trueProbability, String centerPredicted) {
    }

    /**
     * The evaluation as {@code metrics.json} records it: the protocol, its scores beside the single centre crop's,
     * speed, the most confidently wrong images and the files that could not be used.
     */
    @JsonPropertyOrder(alphabetic = true)
    record EvaluationSummary(String protocol, String protocolSource, String averaging, int cropsPerImage,
                             List<String> crops, int images, double top1, Double top5, double centerTop1,
                             Double centerTop5, double top1Gain, double imagesPerSecond,
                             double centerImagesPerSecond, double seconds, Metrics metrics, Metrics centerMetrics,
                             List<WrongImage> mostConfidentlyWrong, List<BadImage> badImages) {

        static EvaluationSummary of(Evaluation e, List<Evaluation.ImageResult> wrong) {
            List<WrongImage> w = wrong.stream().map(r -> new WrongImage(r.relativePath(),
                    e.labels().get(r.trueClass()), e.labels().get(r.predicted()), r.probabilities()[r.predicted()],
                    r.probabilities()[r.trueClass()], e.labels().get(r.centerPredicted()))).toList();
            return new EvaluationSummary(e.protocol(), e.protocolSource(), e.averaging(), e.cropsPerImage(),
                    e.crops().stream().map(org.finetune4j.eval.Crop::name).toList(), e.images().size(),
                    e.protocolMetrics().top1(), e.protocolMetrics().top5(), e.centerMetrics().top1(),
                    e.centerMetrics().top5(), e.protocolMetrics().top1() - e.centerMetrics().top1(),
                    e.protocolImagesPerSecond(), e.centerImagesPerSecond(), e.seconds(), e.protocolMetrics(),
                    e.centerMetrics(), w, e.badImages());
        }
    }

    /** What every {@code metrics.json} holds; a training run's own metrics record is merged in beside it. */
    record MetricsFile(String run, ModelSummary model, String data, EvaluationSummary evaluation, Object runInfo,
                       CalibrationSummary calibration, RiskCoverage.Summary rejectOption,
                       ProtocolChoice protocolChoice, Headline headline) {
    }

    /** @return the metric the report leads with: balanced accuracy when the training split was imbalanced */
    static Headline headlineOf(ReportContent c) {
        return Headline.of(c.evaluation().protocolMetrics(), Imbalance.of(c.bundle()));
    }

    /**
     * @return {@code metrics.json}: the {@link MetricsFile}, with the training run's metrics record (if any) beside
     *         it, keys in alphabetical order; where both name a key ({@code run}, {@code run-info}) this run's wins
     */
    static ObjectNode metrics(ReportContent c, List<Evaluation.ImageResult> wrong) {
        ModelBundle b = c.bundle();
        ObjectNode file = Json.mapper().valueToTree(new MetricsFile(c.run(),
                new ModelSummary(b.name(), b.backbone(), b.mode(), b.freezeUntil(), b.labels()), c.data(),
                EvaluationSummary.of(c.evaluation(), wrong), c.runInfo(), c.calibration(), c.reject(),
                c.choice(), headlineOf(c)));
        if (c.training() != null) {
            Json.mapper().<ObjectNode>valueToTree(c.training().metrics()).fields()
                    .forEachRemaining(f -> file.putIfAbsent(f.getKey(), f.getValue()));
        }
        List<String> keys = new ArrayList<>();
        file.fieldNames().forEachRemaining(keys::add);
        java.util.Collections.sort(keys);
        ObjectNode sorted = Json.mapper().createObjectNode();
        keys.forEach(k -> sorted.set(k, file.get(k)));
        return sorted;
    }

    // ------------------------------------------------------------------------------------------------------ shared

    private static String protocolLabel(Evaluation e) {
        return e.protocol() + " (" + e.cropsPerImage() + (e.cropsPerImage() == 1 ? " crop)" : " crops)");
    }

    static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String points(double gain) {
        return String.format(Locale.ROOT, "%+.1f points", gain * 100);
    }

    private static String rate(double imagesPerSecond) {
        return String.format(Locale.ROOT, imagesPerSecond >= 100 ? "%.0f" : "%.1f", imagesPerSecond);
    }

    private static String headline(ReportContent c) {
        Headline lead = headlineOf(c);
        String balanced = lead.balanced() ? String.format(Locale.ROOT, " Headline: balanced accuracy %s (95%% "
                + "interval %s, a bootstrap over images), because %s.", f3(lead.value()), lead.interval().format(),
                lead.reason()) : "";
        return accuracySentence(c) + balanced;
    }

    private static String accuracySentence(ReportContent c) {
        Evaluation e = c.evaluation();
        double gain = e.protocolMetrics().top1() - e.centerMetrics().top1();
        String base = String.format(Locale.ROOT, "%s reached top-1 accuracy %s (95%% interval %s) with %s on %d "
                + "images of %d classes (%s)", c.bundle().name(), f3(e.protocolMetrics().top1()),
                e.protocolMetrics().top1Interval().format(), protocolLabel(e),
                e.images().size(), e.labels().size(), c.data());
        if (e.cropsPerImage() == 1 && gain == 0) {
            return base + ".";
        }
        return base + String.format(Locale.ROOT, ": %s over the single centre crop (%s), at %s of the speed.",
                points(gain), f3(e.centerMetrics().top1()), e.centerImagesPerSecond() > 0
                        ? String.format(Locale.ROOT, "%.0f%%", 100 * e.protocolImagesPerSecond()
                        / e.centerImagesPerSecond()) : "n/a");
    }

    private static List<String[]> modelFacts(ReportContent c) {
        ModelBundle b = c.bundle();
        List<String[]> f = new ArrayList<>();
        f.add(new String[] {"bundle", b.name()});
        f.add(new String[] {"backbone", b.backbone()});
        f.add(new String[] {"mode", b.mode()});
        if (b.featureLayer() != null) {
            f.add(new String[] {"feature layer", b.featureLayer() + " (the backbone below it frozen; a linear "
                    + "classifier on top)"});
        } else if (b.freezeUntil() != null) {
            f.add(new String[] {"frozen up to", b.freezeUntil()});
        }
        f.add(new String[] {"input", b.preprocessing().input().width() + "×" + b.preprocessing().input().height()
                + "×" + b.preprocessing().input().channels() + ", short side " + b.preprocessing().resizeShortSidePx()
                + " px before cropping"});
        f.add(new String[] {"classes", b.labels().size() + ""});
        f.add(new String[] {"data", c.data()});
        return f;
    }

    // ------------------------------------------------------------------------------------------------------- markdown

    static String markdown(ReportContent c, List<Evaluation.ImageResult> wrong, boolean curves) {
        Evaluation e = c.evaluation();
        StringBuilder md = new StringBuilder();
        md.append("# Evaluation report: ").append(c.bundle().name()).append("\n\n");
        md.append("Run `").append(c.run()).append("`.\n\n");
        md.append("## Summary\n\n").append(headline(c)).append("\n\n");
        md.append("| | |\n|---|---|\n");
        for (String[] f : modelFacts(c)) {
            md.append("| ").append(f[0]).append(" | ").append(f[1].replace("|", "\\|")).append(" |\n");
        }
        md.append("\n## Accuracy\n\n");
        md.append("| protocol | crops/image | top-1 [95% interval] | top-5 | macro F1 [95% interval] | images/s |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        md.append(accuracyRow("center", 1, e.centerMetrics(), e.centerImagesPerSecond(), "|", " |\n"));
        if (e.cropsPerImage() > 1 || !e.protocol().equals("center")) {
            md.append(accuracyRow(e.protocol(), e.cropsPerImage(), e.protocolMetrics(), e.protocolImagesPerSecond(),
                    "|", " |\n"));
        }
        md.append("\nAveraging: ").append(e.averaging()).append(". Top-1 gain over the centre crop: ")
                .append(points(e.protocolMetrics().top1() - e.centerMetrics().top1())).append(". ")
                .append(INTERVAL_NOTE.formatted(e.images().size())).append("\n\n");
        if (c.choice() != null) {
            md.append("Protocol: ").append(c.choice().reason()).append(".\n\n");
            if (!c.choice().candidates().isEmpty()) {
                md.append("| on validation | crops/image | top-1 [95% interval] | NLL |\n|---|---:|---:|---:|\n");
                for (String[] row : choiceRows(c.choice())) {
                    md.append("| ").append(String.join(" | ", row)).append(" |\n");
                }
                md.append('\n');
            }
        }
        md.append("![accuracy per protocol](accuracy-per-protocol.png)\n\n");
        md.append("## Per class (").append(e.protocol()).append(")\n\n");
        md.append("| class | precision | recall [95% interval] | F1 | images | predicted |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        for (Metrics.ClassMetrics m : e.protocolMetrics().perClass()) {
            md.append("| ").append(m.label()).append(" | ").append(f3(m.precision())).append(" | ")
                    .append(f3(m.recall())).append(' ').append(m.recallInterval().format()).append(" | ")
                    .append(f3(m.f1())).append(" | ").append(m.support())
                    .append(" | ").append(m.predicted()).append(" |\n");
        }
        md.append("\n![F1 per class](per-class-f1.png)\n\n## Confusion matrix\n\n")
                .append("Rows are the true classes, columns the predictions; each row is normalised to 100 %.\n\n")
                .append("![confusion matrix](confusion-matrix.png)\n\n");
        md.append(trustMarkdown(c));
        md.append("## Most confidently wrong\n\n");
        if (wrong.isEmpty()) {
            md.append("No image was misclassified.\n\n");
        } else {
            md.append("| image | true | predicted | probability | centre crop said |\n|---|---|---|---:|---|\n");
            for (Evaluation.ImageResult r : wrong) {
                md.append("| ").append(r.relativePath()).append(" | ").append(e.labels().get(r.trueClass()))
                        .append(" | ").append(e.labels().get(r.predicted())).append(" | ")
                        .append(f3(r.probabilities()[r.predicted()])).append(" | ")
                        .append(e.labels().get(r.centerPredicted())).append(" |\n");
            }
            md.append('\n');
        }
        if (c.training() != null) {
            md.append("## Training\n\n| | |\n|---|---|\n");
            for (Map.Entry<String, String> f : c.training().facts()) {
                md.append("| ").append(f.getKey()).append(" | ").append(f.getValue().replace("|", "\\|"))
                        .append(" |\n");
            }
            md.append('\n');
            if (curves) {
                md.append("![learning curves](learning-curves.png)\n\n");
            }
            for (Map.Entry<String, String> plot : c.training().plots()) {
                md.append("![").append(plot.getValue()).append("](").append(plot.getKey()).append(")\n\n");
            }
        }
        md.append("## Details\n\nProtocol `").append(e.protocol()).append("` from ").append(e.protocolSource())
                .append(": ").append(String.join(", ", e.crops().stream().map(org.finetune4j.eval.Crop::name)
                        .toList())).append(".\n\n");
        if (!e.badImages().isEmpty()) {
            md.append("Left out (could not be read):\n\n");
            for (BadImage b : e.badImages()) {
                md.append("- ").append(b.relativePath()).append(": ").append(b.reason()).append('\n');
            }
            md.append('\n');
        }
        md.append("Everything above is also in `metrics.json`.\n");
        return md.toString();
    }

    private static String accuracyRow(String name, int crops, Metrics m, double rate, String sep, String end) {
        return sep + " " + name + " " + sep + " " + crops + " " + sep + " " + f3(m.top1()) + " "
                + m.top1Interval().format() + " " + sep + " " + (m.top5() == null ? "–" : f3(m.top5())) + " " + sep
                + " " + f3(m.macroF1()) + " " + m.macroF1Interval().format() + " " + sep + " " + rate(rate) + end;
    }

    private static String trustMarkdown(ReportContent c) {
        StringBuilder md = new StringBuilder();
        if (c.calibration() != null) {
            md.append("## Calibration\n\n").append(calibrationSentence(c.calibration())).append("\n\n")
                    .append("| centre crops | ECE | NLL | Brier |\n|---|---:|---:|---:|\n");
            for (String[] row : calibrationRows(c.calibration())) {
                md.append("| ").append(String.join(" | ", row)).append(" |\n");
            }
            md.append("\n![reliability diagram](").append(RELIABILITY_PNG).append(")\n\n");
        }
        if (c.reject() != null) {
            md.append("## Reject option\n\n").append(rejectSentence(c.reject())).append("\n\n");
            List<String[]> rows = rejectRows(c.reject());
            if (!rows.isEmpty()) {
                md.append("| target accuracy | answered by | min confidence | validation coverage | test coverage | "
                        + "test accuracy [95% interval] |\n|---:|---|---:|---:|---:|---:|\n");
                for (String[] row : rows) {
                    md.append("| ").append(String.join(" | ", row)).append(" |\n");
                }
            }
            md.append("\n![risk-coverage curve](").append(RISK_COVERAGE_PNG).append(")\n\n");
        }
        return md.toString();
    }

    private static List<String[]> choiceRows(ProtocolChoice choice) {
        List<String[]> rows = new ArrayList<>();
        for (ProtocolChoice.Candidate x : choice.candidates()) {
            boolean chosen = x.protocol().equals(choice.protocol()) && x.averaging().equals(choice.averaging());
            rows.add(new String[] {x.protocol() + ", " + x.averaging() + (chosen ? " (chosen)" : ""), x.crops() + "",
                    f3(x.top1()) + " " + x.top1Interval().format(), f3(x.nll())});
        }
        return rows;
    }

    private static String calibrationSentence(CalibrationSummary c) {
        if (!c.fitted()) {
            return "The bundle records no temperature (made before calibration was fitted): its probabilities are "
                    + "scored as they are, on the single centre crop of each of the " + c.testImages()
                    + " test images.";
        }
        return String.format(Locale.ROOT, "Temperature scaling: T = %.3f%s, folded into the output layer (its "
                + "weights and bias divided by T), so every probability the bundle gives is calibrated. T > 1 means "
                + "the network was over-confident. Scores of the single centre crop of the %d test images before "
                + "(T = 1) and after; ECE over %d equal-width bins of the top probability, NLL in nats, Brier summed "
                + "over the classes.", c.temperature(), c.validationImages() > 0 ? String.format(Locale.ROOT,
                " fitted on %d validation images (minimum negative log-likelihood)", c.validationImages()) : "",
                c.testImages(), Calibration.ECE_BINS);
    }

    private static List<String[]> calibrationRows(CalibrationSummary c) {
        List<String[]> rows = new ArrayList<>();
        if (c.validationBefore() != null) {
            rows.add(scoresRow("validation, before", c.validationBefore()));
            rows.add(scoresRow("validation, after", c.validationAfter()));
        }
        if (c.fitted()) {
            rows.add(scoresRow("test, before", c.testBefore()));
            rows.add(scoresRow("test, after", c.testAfter()));
        } else {
            rows.add(scoresRow("test", c.testAfter()));
        }
        return rows;
    }

    private static String[] scoresRow(String name, Calibration.Scores s) {
        return new String[] {name, f3(s.ece()), f3(s.nll()), f3(s.brier())};
    }

    private static String rejectSentence(RiskCoverage.Summary r) {
        String base = "Answering only images whose top probability reaches a threshold trades coverage for accuracy "
                + "(predict --min-confidence P answers \"unknown\" below P). The curve shows it on the test images.";
        if (r.validationImages() == 0) {
            return base + " The bundle's validation split is not available here, so no thresholds are chosen.";
        }
        return base + " Thresholds are chosen on the " + r.validationImages() + " validation images, as the lowest "
                + "that reaches each target there; the test columns say what they give on unseen images.";
    }

    private static List<String[]> rejectRows(RiskCoverage.Summary r) {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < r.centerTargets().size(); i++) {
            rows.add(rejectRow("centre crop (predict)", r.centerTargets().get(i)));
            if (!r.protocol().equals("center")) {
                rows.add(rejectRow(r.protocol(), r.protocolTargets().get(i)));
            }
        }
        return rows;
    }

    private static String[] rejectRow(String what, RiskCoverage.Target t) {
        String target = String.format(Locale.ROOT, "%.2f", t.target());
        if (Double.isNaN(t.threshold())) {
            return new String[] {target, what, "not reached", "–", "–", "–"};
        }
        RiskCoverage.Point p = t.test();
        return new String[] {target, what, f3(t.threshold()), f3(t.validation().coverage()),
                f3(p.coverage()) + " (" + p.answered() + " of " + p.images() + ")", p.answered() == 0 ? "–"
                : f3(p.accuracy()) + " " + Statistics.wilson(Math.round(p.accuracy() * p.answered()), p.answered())
                .format()};
    }

    private static String htmlTable(List<String> head, List<String[]> rows) {
        StringBuilder h = new StringBuilder("<table><tr>");
        for (int i = 0; i < head.size(); i++) {
            h.append(i == 0 ? "<th>" : "<th class=\"n\">").append(esc(head.get(i))).append("</th>");
        }
        h.append("</tr>");
        for (String[] row : rows) {
            h.append("<tr>");
            for (int i = 0; i < row.length; i++) {
                h.append(i == 0 ? "<td>" : "<td class=\"n\">").append(esc(row[i])).append("</td>");
            }
            h.append("</tr>");
        }
        return h.append("</table>").toString();
    }

    private static String trustHtml(Path dir, ReportContent c) {
        StringBuilder h = new StringBuilder();
        if (c.calibration() != null) {
            h.append("<section><h2>Calibration</h2><p class=\"note\">").append(esc(calibrationSentence(
                    c.calibration()))).append("</p>").append(htmlTable(List.of("centre crops", "ECE", "NLL", "Brier"),
                    calibrationRows(c.calibration()))).append(img(dir.resolve(RELIABILITY_PNG), "reliability diagram"))
                    .append("</section>\n");
        }
        if (c.reject() != null) {
            h.append("<section><h2>Reject option</h2><p class=\"note\">").append(esc(rejectSentence(c.reject())))
                    .append("</p>");
            List<String[]> rows = rejectRows(c.reject());
            if (!rows.isEmpty()) {
                h.append(htmlTable(List.of("target accuracy", "answered by", "min confidence", "validation coverage",
                        "test coverage", "test accuracy [95% interval]"), rows));
            }
            h.append(img(dir.resolve(RISK_COVERAGE_PNG), "risk-coverage curve")).append("</section>\n");
        }
        return h.toString();
    }

    /** What the intervals are, with the number of images they rest on. */
    static final String INTERVAL_NOTE = "Intervals are 95%%: Wilson score intervals for top-1 and per-class recall, a "
            + "bootstrap over the %d images for macro F1.";

    // ---------------------------------------------------------------------------------------------------------- html

    /** The style of the report pages. */
    static final String CSS = """
            :root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa;--accent:#2563eb;--good:#15803d;\
            --bad:#b91c1c}
            *{box-sizing:border-box}
            body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 -apple-system,"Segoe UI",Roboto,\
            "DejaVu Sans",Helvetica,Arial,sans-serif}
            main{max-width:1080px;margin:0 auto;padding:32px 24px 64px}
            header h1{font-size:26px;margin:0 0 4px}
            header .sub{color:var(--muted);font-size:13px}
            .lead{font-size:17px;margin:18px 0 22px}
            .cards{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin-bottom:8px}
            .card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px}
            .card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
            .card .v{font-size:28px;font-weight:650;margin-top:2px}
            .card .d{font-size:13px;color:var(--muted)}
            .up{color:var(--good)} .down{color:var(--bad)}
            section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin-top:18px}
            h2{font-size:18px;margin:0 0 12px}
            table{border-collapse:collapse;width:100%;font-size:14px}
            th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left}
            th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
            td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
            .facts td:first-child{color:var(--muted);width:180px}
            .bar{display:inline-block;height:9px;border-radius:5px;background:var(--accent);vertical-align:middle}
            .barcell{width:160px}
            img.plot{max-width:min(100%,820px);height:auto;display:block;margin:12px auto 0}
            .two{display:grid;grid-template-columns:1fr 1fr;gap:18px;align-items:start}
            .wrong{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px}
            .wrong figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:8px;text-align:center;\
            font-size:12px}
            .wrong img{width:112px;height:112px;object-fit:contain;image-rendering:pixelated;background:#eee}
            .wrong figure.camfig{grid-column:span 2}
            .wrong img.cam{width:224px;height:112px}
            .wrong .t{color:var(--good)} .wrong .p{color:var(--bad);font-weight:600}
            .wrong .path{color:var(--muted);word-break:break-all}
            .note{color:var(--muted);font-size:13px}
            code{background:#eef2f7;padding:1px 5px;border-radius:4px;font-size:13px}
            """;

    static String html(Path dir, ReportContent c, List<Evaluation.ImageResult> wrong, boolean curves) {
        Evaluation e = c.evaluation();
        Metrics p = e.protocolMetrics();
        Metrics ctr = e.centerMetrics();
        double gain = p.top1() - ctr.top1();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<title>").append(esc("Evaluation report: " + c.bundle().name())).append("</title><style>")
                .append(CSS).append("</style></head><body><main>\n");
        h.append("<header><h1>").append(esc(c.bundle().name())).append(" — evaluation report</h1><div class=\"sub\">")
                .append("run ").append(esc(c.run())).append(" · protocol ").append(esc(e.protocol()))
                .append(" · averaging ").append(esc(e.averaging())).append("</div></header>\n");
        h.append("<p class=\"lead\">").append(esc(headline(c))).append("</p>\n");
        h.append("<div class=\"cards\">");
        Headline lead = headlineOf(c);
        if (lead.balanced()) {
            card(h, "balanced accuracy · " + e.protocol(), f3(lead.value()), "95% interval "
                    + lead.interval().format() + " · mean per-class recall · imbalance ratio "
                    + String.format(Locale.ROOT, "%.1f", lead.imbalanceRatio()) + " > "
                    + String.format(Locale.ROOT, "%.0f", lead.threshold()));
        }
        card(h, "top-1 · " + e.protocol(), f3(p.top1()), "95% interval " + p.top1Interval().format() + " · "
                + e.images().size() + " images · " + e.cropsPerImage() + " crop" + (e.cropsPerImage() == 1 ? ""
                : "s") + " per image");
        String cls = gain > 0 ? "up" : gain < 0 ? "down" : "";
        card(h, "top-1 · centre crop", f3(ctr.top1()), esc(ctr.top1Interval().format()) + " · <span class=\""
                + cls + "\">" + esc(points(gain)) + "</span> for " + esc(e.protocol()), true);
        if (p.top5() != null) {
            card(h, "top-5 · " + e.protocol(), f3(p.top5()), "centre crop " + f3(ctr.top5()));
        } else {
            card(h, "macro F1 · " + e.protocol(), f3(p.macroF1()), "centre crop " + f3(ctr.macroF1()));
        }
        card(h, "speed", rate(e.protocolImagesPerSecond()), "images/s · centre crop " + rate(e
                .centerImagesPerSecond()));
        h.append("</div>\n");

        h.append("<section><h2>What was evaluated</h2><table class=\"facts\">");
        for (String[] f : modelFacts(c)) {
            h.append("<tr><td>").append(esc(f[0])).append("</td><td>").append(esc(f[1])).append("</td></tr>");
        }
        h.append("<tr><td>images</td><td>").append(e.images().size()).append(" evaluated")
                .append(e.badImages().isEmpty() ? "" : ", " + e.badImages().size() + " unreadable left out")
                .append("</td></tr>");
        if (c.training() != null && c.training().facts() != null) {
            for (Map.Entry<String, String> f : c.training().facts()) {
                if (f.getKey().equals("trained")) {
                    h.append("<tr><td>trained</td><td>").append(esc(f.getValue())).append("</td></tr>");
                }
            }
        }
        h.append("</table></section>\n");

        h.append("<section><h2>Accuracy per protocol</h2><table><tr><th>protocol</th><th class=\"n\">crops/image</th>")
                .append("<th class=\"n\">top-1 [95% interval]</th><th class=\"n\">top-5</th>")
                .append("<th class=\"n\">macro F1 [95% interval]</th>")
                .append("<th class=\"n\">images/s</th></tr>");
        h.append(htmlRow("center", 1, ctr, e.centerImagesPerSecond()));
        if (e.cropsPerImage() > 1 || !e.protocol().equals("center")) {
            h.append(htmlRow(e.protocol(), e.cropsPerImage(), p, e.protocolImagesPerSecond()));
        }
        h.append("</table><p class=\"note\">Both rows come from the same pass over the same decoded images. Speed "
                + "counts decoding, cropping and the forward passes. ").append(esc(INTERVAL_NOTE.formatted(
                e.images().size()))).append("</p>");
        if (c.choice() != null) {
            h.append("<p>Protocol: ").append(esc(c.choice().reason())).append(".</p>");
            if (!c.choice().candidates().isEmpty()) {
                h.append(htmlTable(List.of("on validation", "crops/image", "top-1 [95% interval]", "NLL"),
                        choiceRows(c.choice())));
            }
        }
        h.append(img(dir.resolve("accuracy-per-protocol.png"), "accuracy per protocol")).append("</section>\n");

        h.append("<section><h2>Per class · ").append(esc(e.protocol())).append("</h2><table><tr><th>class</th>")
                .append("<th class=\"n\">precision</th><th class=\"n\">recall [95% interval]</th>")
                .append("<th class=\"n\">F1</th><th></th>")
                .append("<th class=\"n\">images</th><th class=\"n\">predicted</th></tr>");
        for (Metrics.ClassMetrics m : p.perClass()) {
            h.append("<tr><td>").append(esc(m.label())).append("</td><td class=\"n\">").append(f3(m.precision()))
                    .append("</td><td class=\"n\">").append(f3(m.recall())).append(' ')
                    .append(m.recallInterval().format()).append("</td><td class=\"n\">")
                    .append(f3(m.f1())).append("</td><td class=\"barcell\"><span class=\"bar\" style=\"width:")
                    .append(Math.round(m.f1() * 150)).append("px\"></span></td><td class=\"n\">").append(m.support())
                    .append("</td><td class=\"n\">").append(m.predicted()).append("</td></tr>");
        }
        h.append("</table></section>\n");
        h.append("<section><h2>Confusion matrix</h2><p class=\"note\">Rows are the true classes, columns the "
                + "predictions; each row is normalised to 100 %, so the diagonal is the recall of each class."
                + "</p>").append(img(dir.resolve("confusion-matrix.png"), "confusion matrix")).append("</section>\n");

        h.append(trustHtml(dir, c));
        h.append("<section><h2>Most confidently wrong</h2>");
        if (wrong.isEmpty()) {
            h.append("<p>No image was misclassified.</p>");
        } else {
            boolean cams = wrong.stream().anyMatch(r -> c.heatMaps().containsKey(r.relativePath()));
            h.append("<p class=\"note\">The misclassified images whose wrong answer had the highest probability: "
                    + "often label errors, ambiguous images or a systematic confusion." + (cams ? " Beside each "
                    + "picture, its Grad-CAM heat map for the predicted class: red is where the network found the most "
                    + "evidence for its answer." : "") + "</p><div class=\"wrong\">");
            ImageDecoder decoder = ImageDecoder.defaults();
            for (Evaluation.ImageResult r : wrong) {
                String cam = c.heatMaps().get(r.relativePath());
                h.append(cam != null ? "<figure class=\"camfig\"><img class=\"cam\" alt=\"" + esc(r.relativePath())
                        + " and its heat map\" src=\"" + cam + "\">" : "<figure>" + thumbnail(decoder, r))
                        .append("<figcaption><div class=\"t\">true: ")
                        .append(esc(e.labels().get(r.trueClass()))).append("</div><div class=\"p\">predicted: ")
                        .append(esc(e.labels().get(r.predicted()))).append(" ")
                        .append(f3(r.probabilities()[r.predicted()])).append("</div><div class=\"path\">")
                        .append(esc(r.relativePath())).append("</div></figcaption></figure>");
            }
            h.append("</div>");
        }
        h.append("</section>\n");

        List<Evaluation.ImageResult> rightCams = e.images().stream().filter(r -> r.predicted() == r.trueClass()
                && c.heatMaps().containsKey(r.relativePath())).sorted(java.util.Comparator.comparingDouble(
                        (Evaluation.ImageResult r) -> -r.probabilities()[r.predicted()])
                .thenComparing(Evaluation.ImageResult::relativePath)).toList();
        if (!rightCams.isEmpty()) {
            h.append("<section><h2>Where the network looked</h2><p class=\"note\">The most confidently right images "
                    + "with their Grad-CAM heat maps (Selvaraju et al. 2017) for the predicted class, from the last "
                    + "convolutional layer: a network that is right for the right reasons looks at the object.</p>"
                    + "<div class=\"wrong\">");
            for (Evaluation.ImageResult r : rightCams) {
                h.append("<figure class=\"camfig\"><img class=\"cam\" alt=\"").append(esc(r.relativePath()))
                        .append(" and its heat map\" src=\"").append(c.heatMaps().get(r.relativePath()))
                        .append("\"><figcaption><div class=\"t\">").append(esc(e.labels().get(r.trueClass())))
                        .append(" ").append(f3(r.probabilities()[r.predicted()])).append("</div><div class=\"path\">")
                        .append(esc(r.relativePath())).append("</div></figcaption></figure>");
            }
            h.append("</div></section>\n");
        }

        if (c.training() != null) {
            h.append("<section><h2>Training</h2><table class=\"facts\">");
            for (Map.Entry<String, String> f : c.training().facts()) {
                h.append("<tr><td>").append(esc(f.getKey())).append("</td><td>").append(esc(f.getValue()))
                        .append("</td></tr>");
            }
            h.append("</table>");
            if (curves) {
                h.append(img(dir.resolve("learning-curves.png"), "learning curves"));
            }
            for (Map.Entry<String, String> plot : c.training().plots()) {
                h.append(img(dir.resolve(plot.getKey()), plot.getValue()));
            }
            h.append("</section>\n");
        }
        h.append("<section><h2>Details</h2><table class=\"facts\"><tr><td>protocol</td><td><code>")
                .append(esc(e.protocolSource())).append("</code>: ").append(esc(String.join(", ", e.crops().stream()
                        .map(org.finetune4j.eval.Crop::name).toList()))).append("</td></tr><tr><td>averaging</td><td>")
                .append(esc(e.averaging())).append("</td></tr><tr><td>wall-clock</td><td>")
                .append(String.format(Locale.ROOT, "%.1f s", e.seconds())).append("</td></tr>");
        JsonNode info = Json.mapper().valueToTree(c.runInfo());
        if (info != null && info.isObject()) {
            info.fields().forEachRemaining(f -> h.append("<tr><td>").append(esc(f.getKey())).append("</td><td>")
                    .append(esc(f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString()))
                    .append("</td></tr>"));
        }
        h.append("</table>");
        if (!e.badImages().isEmpty()) {
            h.append("<p>Left out (could not be read):</p><ul>");
            for (BadImage b : e.badImages()) {
                h.append("<li>").append(esc(b.relativePath() + ": " + b.reason())).append("</li>");
            }
            h.append("</ul>");
        }
        h.append("<p class=\"note\">Everything on this page is also in <code>metrics.json</code>; the plots are "
                + "beside this file as PNG.</p></section>\n</main></body></html>\n");
        return h.toString();
    }

    private static void card(StringBuilder h, String key, String value, String detail) {
        card(h, key, value, esc(detail), true);
    }

    private static void card(StringBuilder h, String key, String value, String detailHtml, boolean raw) {
        h.append("<div class=\"card\"><div class=\"k\">").append(esc(key)).append("</div><div class=\"v\">")
                .append(esc(value)).append("</div><div class=\"d\">").append(detailHtml).append("</div></div>");
    }

    private static String htmlRow(String name, int crops, Metrics m, double rate) {
        return "<tr><td>" + esc(name) + "</td><td class=\"n\">" + crops + "</td><td class=\"n\">" + f3(m.top1())
                + " " + m.top1Interval().format() + "</td><td class=\"n\">" + (m.top5() == null ? "–"
                : f3(m.top5())) + "</td><td class=\"n\">" + f3(m.macroF1()) + " " + m.macroF1Interval().format()
                + "</td><td class=\"n\">" + rate(rate) + "</td></tr>";
    }

    static String img(Path png, String alt) {
        try {
            return "<img class=\"plot\" alt=\"" + esc(alt) + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(Files.readAllBytes(png)) + "\">";
        } catch (IOException ex) {
            throw new UncheckedIOException(png + ": cannot read the plot just written (" + ex.getMessage() + ")", ex);
        }
    }

    /** The image as a square thumbnail, embedded; empty when it cannot be decoded. */
    private static String thumbnail(ImageDecoder decoder, Evaluation.ImageResult r) {
        String src = r.file() == null ? null : Thumbnails.dataUri(decoder, r.file(), r.relativePath(), THUMBNAIL_PX);
        return src == null ? "" : "<img alt=\"" + esc(r.relativePath()) + "\" src=\"" + src + "\">";
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
