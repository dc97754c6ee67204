package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.finetune4j.core.Json;
import org.finetune4j.testing.Cli;
import org.finetune4j.tune.TuneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturesSearchTest {

    @TempDir
    Path tmp;

    @Test
    void searchesCResumesReusesTheCacheAndTrainRefitsTheBestC() throws IOException {
        Path models = TuneFixtures.backbone(tmp.resolve("models"));
        Path data = TuneFixtures.colourFolder(tmp.resolve("data"), 10);
        Path reports = tmp.resolve("reports");
        String[] common = {"--mode", "features", "--data", data.toString(), "--model", "tiny-backbone",
            "--models-dir", models.toString(), "--reports-dir", reports.toString(), "--cache",
            tmp.resolve("cache").toString(), "--layer", "block2_pool", "--folds", "3", "--standardize",
            "--max-trials", "5", "--coarse-trials", "3", "--c-range", "1e-3:1e2"};
        String[] search = concat(new String[] {"search", "--name", "s"}, common);

        Cli.Result first = Cli.run(search);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).contains("3-fold cross-validation of logreg (L2)").contains("trial 0 (1/5)")
                .contains("fine stage: C ").contains("trial 4 (5/5)");
        assertThat(first.out()).contains("cv acc").contains("5 trials (5 run now, 0 read back)")
                .contains("computed in").doesNotContain("lr ");
        Path folder = reports.resolve("s");
        assertThat(folder.resolve("trials-scatter.png")).exists();
        assertThat(folder.resolve("trials")).doesNotExist();
        assertThat(Files.readAllLines(folder.resolve("trials.csv"))).hasSize(6)
                .first().isEqualTo("rank,trial,stage,c,cv-accuracy,cv-loss,seconds,error");
        JsonNode options = Json.mapper().readTree(folder.resolve("search.json").toFile());
        assertThat(options.path("base").path("mode").asText()).isEqualTo("features");
        assertThat(options.path("classifier").path("folds").asInt()).isEqualTo(3);
        assertThat(options.path("extraction").path("layer").asText()).isEqualTo("block2_pool");
        assertThat(options.path("space").path("c-min").asDouble()).isEqualTo(1e-3);
        assertThat(options.path("space").has("lr-min")).as("no learning rate in features mode").isFalse();

        Cli.Result again = Cli.run(concat(search, new String[] {"--json"}));
        assertThat(again.exitCode()).as(again.err()).isZero();
        JsonNode resumed = Json.mapper().readTree(again.out());
        assertThat(resumed.path("ran-now").asInt()).isZero();
        assertThat(resumed.path("featurization").isNull()).as("nothing to score: features not even loaded").isTrue();
        JsonNode best = resumed.path("best");

        Cli.Result other = Cli.run(concat(new String[] {"search", "--name", "s2"}, common));
        assertThat(other.exitCode()).as(other.err()).isZero();
        assertThat(other.out()).as("a second search reads every feature from the cache")
                .contains("0 computed in 0 forward passes (no network work)");

        Cli.Result changed = Cli.run(concat(search, new String[] {"--whiten"}));
        assertThat(changed.exitCode()).isEqualTo(2);
        assertThat(changed.err()).contains("holds a search with other options").contains("classifier");

        Path bestConfig = folder.resolve("best-config.yaml");
        JsonNode yaml = Json.yaml().readTree(bestConfig.toFile());
        assertThat(yaml.path("mode").asText()).isEqualTo("features");
        assertThat(yaml.path("c-grid").asDouble()).isEqualTo(best.path("params").path("c").asDouble());
        Cli.Result train = Cli.run("train", "--config", bestConfig.toString(), "--models-dir", models.toString(),
                "--reports-dir", reports.resolve("train").toString(), "--name", "from-search");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(train.out()).contains("(no network work)");
        JsonNode metrics = Json.mapper().readTree(find(reports.resolve("train"), "metrics.json").toFile());
        assertThat(metrics.path("chosen-c").asDouble()).isEqualTo(best.path("params").path("c").asDouble());
        assertThat(metrics.path("cross-validation").path("points").get(0).path("mean-accuracy").asDouble())
                .as("train's cross-validation at that C reproduces the trial's score")
                .isEqualTo(best.path("score").path("score").asDouble());
        assertThat(metrics.path("config").path("classifier").path("scaling").path("standardize").asBoolean())
                .isTrue();
    }

    @Test
    void gradientProbesAndMismatchedOptionsAreUsageErrors() {
        Cli.Result check = Cli.run("check", "--mode", "features");
        assertThat(check.exitCode()).isEqualTo(2);
        assertThat(check.err()).contains("--mode features: `check` probes gradient training")
                .contains("search --mode features");
        Cli.Result lr = Cli.run("lr-find", "--mode", "features");
        assertThat(lr.exitCode()).isEqualTo(2);
        assertThat(lr.err()).contains("`lr-find`");
        assertThat(Cli.run("search", "--mode", "features", "--lr-range", "1e-4:1e-2").err())
                .contains("--lr-range: applies to fine-tuning trials");
        assertThat(Cli.run("search", "--c-range", "1e-2:1").err()).contains("--c-range: applies to --mode features");
        assertThat(Cli.run("search", "--mode", "features", "--c-grid", "1,2").err()).contains("--c-range MIN:MAX");
        assertThat(Cli.run("search", "--mode", "features", "--c-range", "1:0.1").err())
                .contains("--c-range 1.0:0.1: expected 0 < MIN <= MAX");
    }

    private static String[] concat(String[] a, String[] b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    private static Path find(Path root, String name) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
        }
    }
}
