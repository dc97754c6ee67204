package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.finetune4j.core.Json;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.EpochStats;
import org.finetune4j.run.History;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.TestBundles;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.BeforeEach;
import org.finetune4j.stage.LearningCurvesPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @TempDir
    Path tmp;

    private Path models;
    private Path data;

    @BeforeEach
    void backboneAndData() {
        models = tmp.resolve("models");
        TestBundles.saveBackbone(models.resolve("tiny"), TestBundles.tinyVgg(4, false), 1,
                List.of("p", "q", "r", "s"));
        data = TestFolders.imageFolder(tmp.resolve("photos"), Map.of("cat", 10, "dog", 10));
    }

    private String[] args(String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--model", "tiny", "--data", data.toString(),
                "--models-dir", models.toString(), "--reports-dir", tmp.resolve("reports").toString(),
                "--epochs", "2", "--batch-size", "8"));
        a.addAll(List.of(extra));
        if (!a.contains("--freeze-until")) {
            a.addAll(List.of("--freeze-until", "block1_pool"));
        }
        return a.toArray(String[]::new);
    }

    @Test
    void trainWritesABundleAReportWithCurvesAndPrintsEpochLines() throws Exception {
        Cli.Result r = Cli.run(args());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("epoch 1/2  train loss").contains("ETA");
        assertThat(r.out()).contains("test accuracy").contains("bundle: ").contains("fit: ");
        assertThat(models.resolve("photos-finetune/bundle.json")).exists();
        Path report;
        try (Stream<Path> s = Files.list(tmp.resolve("reports"))) {
            report = s.findFirst().orElseThrow();
        }
        assertThat(report.resolve("learning-curves.png")).exists();
        JsonNode metrics = Json.mapper().readTree(report.resolve("metrics.json").toFile());
        assertThat(metrics.get("history")).hasSize(2);
        assertThat(metrics.get("frozen-layers").toString()).contains("block1_conv1");
        assertThat(metrics.has("test-accuracy")).isTrue();
        // the new bundle is evaluated on its test split with the protocol chosen on validation, in the same report
        assertThat(report.resolve("report.html")).exists();
        JsonNode bundle = Json.mapper().readTree(models.resolve("photos-finetune/bundle.json").toFile());
        JsonNode chosen = bundle.get("evaluation-protocol");
        assertThat(chosen.get("protocol").asText()).isIn("center", "ten-crop", "multi-scale");
        assertThat(chosen.get("validation-images").asInt()).isPositive();
        assertThat(metrics.get("evaluation").get("protocol").asText()).isEqualTo(chosen.get("protocol").asText());
        assertThat(metrics.get("protocol-choice").get("candidates")).hasSize(5);
        assertThat(r.out()).contains("protocol: " + chosen.get("protocol").asText() + " with "
                + chosen.get("averaging").asText() + " averaging, the best top-1 of 5 protocol/averaging pairs");
        // the test accuracy training measured is the centre crop's; the temperature does not change any argmax
        assertThat(metrics.get("evaluation").get("center-top1").asDouble())
                .isEqualTo(metrics.get("test-accuracy").asDouble(), org.assertj.core.data.Offset.offset(1e-6));
        // calibrated: a temperature recorded with the validation scores, and the reliability diagram written
        assertThat(bundle.get("metrics").get("temperature").asDouble()).isPositive();
        assertThat(bundle.get("validation-split")).isNotEmpty();
        assertThat(report.resolve("reliability-diagram.png")).exists();
        assertThat(r.out()).contains("calibration: temperature ").contains("reject option: thresholds chosen on");
        // the best epoch says which metric chose it, in the terminal, the report and the plot
        assertThat(r.out()).containsPattern("best epoch [12] of 2 by val loss \\d+\\.\\d{3}");
        assertThat(metrics.get("best-epoch-by").asText()).isEqualTo("val-loss");
        assertThat(Files.readString(report.resolve("report.html"))).containsPattern("best epoch [12] of 2 by val loss");

        Cli.Result predict = Cli.run("predict", "--model", models.resolve("photos-finetune").toString(),
                data.resolve("cat").toString());
        assertThat(predict.exitCode()).as(predict.err()).isZero();
        assertThat(predict.out().lines()).hasSize(10);
    }

    @Test
    void anImbalancedSplitMakesBalancedAccuracyTheHeadlineAndTheEarlyStoppingMetric() throws Exception {
        data = TestFolders.imageFolder(tmp.resolve("lopsided"), Map.of("cat", 40, "dog", 8));
        Cli.Result r = Cli.run(args("--class-weights", "balanced", "--sampler", "balanced", "--protocol", "center"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        // 28 cat and 6 dog training images: ratio 4.7, above 3
        assertThat(r.err()).contains("imbalance ratio 4.7 (cat 28 / dog 6 training images) is above 3")
                .contains("early stopping uses val-balanced-accuracy")
                .contains("class weights (balanced): cat 0.607, dog 2.83");
        assertThat(r.out()).containsPattern("headline: balanced accuracy \\d\\.\\d{3} \\[\\d\\.\\d{3}, \\d\\.\\d{3}\\] "
                + "on \\d+ images \\(center\\)").contains("because the training split's imbalance ratio 4.7")
                .containsPattern("by val balanced accuracy \\d\\.\\d{3}");
        Path report;
        try (Stream<Path> s = Files.list(tmp.resolve("reports"))) {
            report = s.findFirst().orElseThrow();
        }
        JsonNode metrics = Json.mapper().readTree(report.resolve("metrics.json").toFile());
        assertThat(metrics.get("best-epoch-by").asText()).isEqualTo("val-balanced-accuracy");
        assertThat(metrics.get("headline").get("metric").asText()).isEqualTo("balanced-accuracy");
        assertThat(metrics.get("headline").get("imbalance-ratio").asDouble()).isCloseTo(28 / 6.0,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(metrics.get("config").get("balance").get("class-weights").asText()).isEqualTo("balanced");
        assertThat(metrics.get("config").get("balance").get("sampler").asText()).isEqualTo("balanced");
        assertThat(metrics.get("evaluation").get("metrics").has("balanced-accuracy-interval")).isTrue();
        assertThat(Files.readString(report.resolve("report.html"))).contains("balanced accuracy · center")
                .contains("Headline: balanced accuracy");
        JsonNode bundle = Json.mapper().readTree(models.resolve("lopsided-finetune/bundle.json").toFile());
        assertThat(bundle.get("config").get("balance").get("class-weights").asText()).isEqualTo("balanced");
        assertThat(bundle.get("config").get("fine-tune").get("schedule").get("early-stopping").get("metric").asText())
                .isEqualTo("val-balanced-accuracy");
        assertThat(bundle.get("metrics").get("train-imbalance-ratio").asDouble()).isGreaterThan(3);

        Cli.Result evaluate = Cli.run("evaluate", "--model", models.resolve("lopsided-finetune").toString(),
                "--protocol", "center", "--reports-dir", tmp.resolve("eval-reports").toString());
        assertThat(evaluate.exitCode()).as(evaluate.err()).isZero();
        assertThat(evaluate.out()).contains("headline: balanced accuracy").contains("(cat 28 / dog 6 training images)");
    }

    @Test
    void aClassWeightsFileWithAnUnknownClassIsAUsageErrorNamingTheFileAndClass() throws Exception {
        Path weights = tmp.resolve("weights.csv");
        Files.writeString(weights, "cat,1\ndgo,3\n");
        Cli.Result r = Cli.run(args("--class-weights", weights.toString()));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains(weights + " line 2: unknown class \"dgo\"").contains("cat, dog");
        assertThat(models.resolve("photos-finetune")).doesNotExist();
        Cli.Result sampler = Cli.run(args("--sampler", "oversample"));
        assertThat(sampler.exitCode()).isEqualTo(2);
        assertThat(sampler.err()).contains("--sampler oversample: unknown sampler. Expected shuffle or balanced.");
    }

    @Test
    void aClassWithoutUsableImagesStopsTrainingAndLeaksAndSkippedFilesAreReported() throws Exception {
        for (int i = 0; i < 3; i++) {
            org.finetune4j.testing.TestImages.empty(data.resolve("bad/empty_" + i + ".png"));
        }
        for (int i = 0; i < 10; i++) {
            String file = String.format("cat_%02d.png", i);
            Files.copy(data.resolve("cat").resolve(file), data.resolve("cat").resolve("copy_" + file));
        }
        Cli.Result stopped = Cli.run(args("--name", "stopped"));
        assertThat(stopped.exitCode()).as(stopped.err()).isEqualTo(1);
        assertThat(stopped.err()).contains("class(es) \"bad\" cannot be learned").contains("--drop-empty-classes")
                .doesNotContain("epoch 1/2");
        assertThat(models.resolve("stopped")).doesNotExist();

        Cli.Result r = Cli.run(args("--name", "dropped", "--drop-empty-classes"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("left out class(es) \"bad\"").contains("straddle the train/validation/test");
        Path report;
        try (Stream<Path> s = Files.list(tmp.resolve("reports"))) {
            report = s.filter(p -> p.getFileName().toString().startsWith("dropped")).findFirst().orElseThrow();
        }
        JsonNode metrics = Json.mapper().readTree(report.resolve("metrics.json").toFile());
        assertThat(metrics.get("leaks")).isNotEmpty();
        assertThat(metrics.get("bad-images")).hasSize(3);
        assertThat(metrics.get("bad-images").get(0).get("reason").asText()).contains("empty");
        String html = Files.readString(report.resolve("report.html"));
        assertThat(html).contains("identical files across the split").contains("bad/empty_0.png (empty");
        JsonNode bundle = Json.mapper().readTree(models.resolve("dropped/bundle.json").toFile());
        assertThat(bundle.get("labels").toString()).isEqualTo("[\"cat\",\"dog\"]");

        Cli.Result together = Cli.run(args("--name", "together", "--drop-empty-classes",
                "--keep-duplicates-together"));
        assertThat(together.exitCode()).as(together.err()).isZero();
        assertThat(together.err()).doesNotContain("straddle");
    }

    @Test
    void learningCurvesNameTheMetricThatChoseTheBestEpoch() {
        org.finetune4j.run.History h = org.finetune4j.run.History.empty()
                .plus(new org.finetune4j.run.EpochStats(1, 1, 0.9, 0.5, 0.6, 0.25, 1e-3, 10, 1, 0.25), 1)
                .plus(new org.finetune4j.run.EpochStats(2, 1, 0.7, 0.6, 0.8, 0.417, 1e-3, 10, 1, 0.4), 1);
        assertThat(TrainingRun.epochLine(h.epochs().get(0), h, 2)).contains("val loss 0.600 acc 0.250  lr")
                .as("balanced accuracy equal to accuracy is not repeated").doesNotContain(" bal ");
        assertThat(TrainingRun.epochLine(h.epochs().get(1), h, 2)).contains("val loss 0.800 acc 0.417 bal 0.400  lr");
        org.finetune4j.run.EarlyStopping byLoss = org.finetune4j.run.EarlyStopping.defaults();
        assertThat(LearningCurvesPlot.curves(h, byLoss).bestEpochBy()).isEqualTo("val loss");
        assertThat(LearningCurvesPlot.bestEpochPhrase(h, byLoss)).isEqualTo("best epoch 1 of 2 by val loss 0.600");
        org.finetune4j.run.EarlyStopping byAcc = new org.finetune4j.run.EarlyStopping("val-accuracy", 5, 0);
        assertThat(LearningCurvesPlot.bestEpochPhrase(h, byAcc)).isEqualTo("best epoch 1 of 2 by val accuracy 0.250");
    }

    @Test
    void wrongFreezeUntilIsAUsageErrorListingTheLayers() {
        Cli.Result r = Cli.run(args("--freeze-until", "block7_pool"));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--freeze-until block7_pool: no such layer").contains("block1_pool");
    }

    @Test
    void averageChoosesHowTheEndOfTrainingEvaluationCombinesCrops() {
        Cli.Result r = Cli.run(args("--protocol", "ten-crop", "--average", "log-probs", "--name", "logprobs"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("ten-crop vs center").contains("(log-probs averaging")
                .contains("protocol: ten-crop with log-probs averaging, as named by --protocol");

        Cli.Result bad = Cli.run(args("--average", "median", "--name", "never"));
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--average median: unknown averaging");
        assertThat(models.resolve("never")).doesNotExist();
    }

    @Test
    void invalidRecipeIsRejectedBeforeAnyWork() throws Exception {
        Path recipe = Files.writeString(tmp.resolve("bad.yaml"), "version: 1\nsteps:\n  - step: hflp\n");
        Cli.Result r = Cli.run(args("--augment", recipe.toString()));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("hflp");
        assertThat(models.resolve("photos-finetune")).doesNotExist();
    }
}
