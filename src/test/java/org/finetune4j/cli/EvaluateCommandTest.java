package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.Json;
import org.finetune4j.core.RunInfo;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.report.ReportWriter;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.TestBundles;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {

    @TempDir
    Path tmp;

    /** A tiny untrained bundle over classes red, green, blue whose recorded test split lies in {@code data}. */
    private Path bundle(Path data, List<String> testSplit) {
        ComputationGraph g = TestBundles.tinyVgg(3, false).build(3);
        ModelBundle meta = new ModelBundle(ModelBundle.FORMAT_VERSION, "t", List.of("blue", "green", "red"), Preprocessing.vgg(new InputShape(16, 16, 3)),
                new ModelBundle.Origin("tiny", null, null, "scratch", null),
                new ModelBundle.DataOrigin(data.toString(), null, testSplit), Map.of(), RunInfo.current(1), null);
        Path dir = tmp.resolve("bundle");
        BundleStore.save(dir, g, meta);
        return dir;
    }

    @Test
    void evaluateWritesAFullSelfContainedReportWithProtocolAndCentreCrop() throws Exception {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("blue", 2, "green", 2, "red", 3));
        Path dir = bundle(data, List.of());
        Cli.Result r = Cli.run("evaluate", "--model", dir.toString(), "--data", data.toString(), "--reports-dir",
                tmp.resolve("reports").toString(), "--json", "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode s = Json.mapper().readTree(r.out());
        assertThat(s.get("images").asInt()).isEqualTo(7);
        assertThat(s.get("crops-per-image").asInt()).isEqualTo(10);
        assertThat(s.get("top5").isNull()).isTrue();   // 3 classes
        Path report = Path.of(s.get("report").asText());
        for (String f : ReportWriter.FILES) {
            assertThat(report.resolve(f)).isNotEmptyFile();
        }
        JsonNode m = Json.mapper().readTree(report.resolve("metrics.json").toFile());
        JsonNode ev = m.get("evaluation");
        assertThat(ev.get("protocol").asText()).isEqualTo("ten-crop");
        assertThat(ev.get("metrics").get("confusion")).hasSize(3);
        long total = 0;
        for (JsonNode row : ev.get("center-metrics").get("confusion")) {
            for (JsonNode c : row) {
                total += c.asLong();
            }
        }
        assertThat(total).isEqualTo(7);
        assertThat(ev.get("metrics").get("per-class")).extracting(n -> n.get("label").asText())
                .containsExactly("blue", "green", "red");
        // intervals beside every score, with the number of images
        assertThat(ev.get("metrics").get("images").asInt()).isEqualTo(7);
        assertThat(ev.get("metrics").get("top1-interval").get("low").asDouble())
                .isLessThanOrEqualTo(ev.get("top1").asDouble());
        assertThat(ev.get("metrics").get("top1-interval").get("high").asDouble())
                .isGreaterThanOrEqualTo(ev.get("top1").asDouble());
        assertThat(ev.get("metrics").get("macro-f1-interval").has("low")).isTrue();
        assertThat(ev.get("metrics").get("per-class").get(0).get("recall-interval").has("high")).isTrue();
        // calibration scores (no temperature recorded: scored as given) and the risk-coverage curve
        assertThat(m.get("calibration").get("fitted").asBoolean()).isFalse();
        assertThat(m.get("reject-option").get("center-curve").get(0).get("coverage").asDouble()).isEqualTo(1.0);
        assertThat(report.resolve(ReportWriter.RELIABILITY_PNG)).isNotEmptyFile();
        assertThat(report.resolve(ReportWriter.RISK_COVERAGE_PNG)).isNotEmptyFile();
        String html = Files.readString(report.resolve("report.html"));
        assertThat(html).contains("ten-crop").contains("data:image/png;base64,")
                .doesNotContain("src=\"http").doesNotContain("href=\"http").doesNotContain("<link")
                .doesNotContain("<script");
        assertThat(html.indexOf("top-1")).isLessThan(html.indexOf("Per class"));   // summary first
        if (ev.get("metrics").get("top1").asDouble() > 0) {     // a right image is shown with its heat map
            assertThat(html).contains("Where the network looked").contains("class=\"cam\"");
        }
        if (ev.get("metrics").get("top1").asDouble() < 1) {     // and so is every wrong one
            assertThat(html).contains("Grad-CAM heat map for the predicted class");
        }
        assertThat(Files.readString(report.resolve("report.md"))).contains("## Summary")
                .contains("![confusion matrix](confusion-matrix.png)");
        assertThat(m.toString()).doesNotContain(tmp.toString() + "/data/");   // images are named relatively
    }

    @Test
    void aOneCropProtocolIsAnnouncedInTheSingular() {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("blue", 1, "green", 1, "red", 1));
        Path dir = bundle(data, List.of());
        Cli.Result r = Cli.run("evaluate", "--model", dir.toString(), "--data", data.toString(), "--reports-dir",
                tmp.resolve("reports").toString(), "--protocol", "center");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("(1 crop per image,").doesNotContain("crops per image");
    }

    @Test
    void withoutDataTheBundlesRecordedTestSplitIsUsed() throws Exception {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("blue", 2, "green", 2, "red", 2));
        Path dir = bundle(data, List.of("green/green_01.png", "red/red_00.png"));
        Cli.Result r = Cli.run("evaluate", "--model", dir.toString(), "--protocol", "center", "--reports-dir",
                tmp.resolve("reports").toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("center").contains("report: ");
        Path report = Path.of(r.out().lines().filter(l -> l.startsWith("report: ")).findFirst().orElseThrow()
                .substring(8).split(" ")[0]);
        JsonNode m = Json.mapper().readTree(report.resolve("metrics.json").toFile());
        assertThat(m.get("evaluation").get("images").asInt()).isEqualTo(2);
        assertThat(m.get("data").asText()).startsWith("test split of ");
    }

    @Test
    void unknownClassFoldersAndProtocolsAreUsageErrors() {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("blue", 1, "purple", 1));
        Path dir = bundle(data, List.of());
        Cli.Result r = Cli.run("evaluate", "--model", dir.toString(), "--data", data.toString(), "--reports-dir",
                tmp.resolve("reports").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("class folder(s) purple are not classes of the bundle");

        Cli.Result p = Cli.run("evaluate", "--model", dir.toString(), "--protocol", "eleven-crop");
        assertThat(p.exitCode()).isEqualTo(2);
        assertThat(p.err()).contains("--protocol eleven-crop: no such protocol");

        Cli.Result a = Cli.run("evaluate", "--model", dir.toString(), "--average", "median");
        assertThat(a.exitCode()).isEqualTo(2);
        assertThat(a.err()).contains("--average median: unknown averaging");

        Cli.Result none = Cli.run("evaluate", "--model", dir.toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("records no test split");
    }
}
