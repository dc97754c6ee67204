package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.finetune4j.core.Json;
import org.finetune4j.data.DataSettings;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.testing.Cli;
import org.finetune4j.tune.BestConfig;
import org.finetune4j.tune.Trial;
import org.finetune4j.tune.TrialParams;
import org.finetune4j.tune.TrialScore;
import org.finetune4j.tune.TuneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TuneCommandsTest {

    @TempDir
    Path tmp;

    private static TrainCommand parseTrain(String... args) {
        CommandLine cmd = new CommandLine(new Finetune4j());
        ConfigDefaults.install(cmd, args);
        CommandLine.ParseResult pr = cmd.parseArgs(args);
        return (TrainCommand) pr.subcommand().commandSpec().userObject();
    }

    @Test
    void configFileValuesBecomeDefaultsAndTheCommandLineWins() throws IOException {
        Path file = Files.writeString(tmp.resolve("c.yaml"), "lr: 0.003\nl2: 1e-5\nepochs: 7\n"
                + "freeze-until: block3_pool\nhead-hidden: [64, 32]\nhead-batch-norm: true\n");
        TrainCommand t = parseTrain("train", "--config", file.toString(), "--epochs", "3");
        assertThat(t.train.learningRate).isEqualTo(0.003);
        assertThat(t.train.l2).isEqualTo(1e-5);
        assertThat(t.train.epochs).as("the command line wins").isEqualTo(3);
        assertThat(t.backbone.freezeUntil).isEqualTo("block3_pool");
        assertThat(t.train.headHidden).containsExactly(64, 32);
        assertThat(t.train.headBatchNorm).isTrue();
        assertThat(t.train.batchSize).as("not in the file: the built-in default").isEqualTo(32);
    }

    @Test
    void anUnknownConfigKeyIsAUsageErrorNamingTheFileAndTheKey() throws IOException {
        Path file = Files.writeString(tmp.resolve("c.yaml"), "lr: 0.003\nlearning-rat: 0.1\n");
        Cli.Result r = Cli.run("train", "--config", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("c.yaml").contains("unknown key \"learning-rat\"").contains("learning-rate")
                .contains("freeze-until");
        Cli.Result missing = Cli.run("train", "--config", tmp.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.yaml: no such file");
    }

    @Test
    void theBestConfigASearchWritesResolvesToTheSearchedValues() throws IOException {
        Trial best = new Trial(4, "fine", new TrialParams(0.0031234567891, 2.5e-5, 0.35, 64, "block2_pool", null),
                new TrialScore(0.9, 0.3, Double.NaN, 1, null));
        var fixture = TuneFixtures.config(tmp.resolve("data"), 1e-3, 5);
        var base = new TrainConfig(fixture.mode(), fixture.name(),
                new TrainConfig.BackboneSettings(fixture.model(), fixture.freezeUntil(), fixture.architecture(), fixture.weights()),
                new TrainConfig.FineTuneSettings(fixture.head(), fixture.optimizer(), fixture.schedule(), fixture.stage2()), new DataSettings(fixture.data().folder(),
                        new org.finetune4j.data.SplitConfig(0.2, 0.1), fixture.data().augment(),
                        fixture.data().onBadImage(), fixture.data().threads()), fixture.seed(),
                new org.finetune4j.run.ClassBalance("balanced", "balanced"));
        Path file = Files.writeString(tmp.resolve("best-config.yaml"), BestConfig.yaml(best, base, 10));
        TrainCommand t = parseTrain("train", "--config", file.toString());
        assertThat(t.train.learningRate).isEqualTo(0.0031234567891);
        assertThat(t.train.l2).isEqualTo(2.5e-5);
        assertThat(t.train.dropout).isEqualTo(0.35);
        assertThat(t.train.headHidden).containsExactly(64);
        assertThat(t.backbone.freezeUntil).isEqualTo("block2_pool");
        assertThat(t.backbone.model.model).isEqualTo("tiny-backbone");
        assertThat(t.data.data).isEqualTo(tmp.resolve("data"));
        assertThat(t.data.valFraction).isEqualTo(0.2);   // the split the trials were scored on
        assertThat(t.data.testFraction).isEqualTo(0.1);
        assertThat(t.backbone.augment()).isEqualTo("none");
        assertThat(t.common.seed).isEqualTo(42);
        assertThat(t.train.balance()).as("the trials' class weights and sampler")
                .isEqualTo(new org.finetune4j.run.ClassBalance("balanced", "balanced"));
    }

    @Test
    void badSearchOptionsAreUsageErrors() {
        assertThat(Cli.run("search", "--lr-range", "1e-3").err()).contains("--lr-range 1e-3: expected MIN:MAX");
        assertThat(Cli.run("search", "--time-budget", "ten").exitCode()).isEqualTo(2);
        assertThat(Cli.run("lr-find", "--start-lr", "1", "--end-lr", "0.1").err()).contains("--start-lr 1.0");
    }

    @Test
    void checkLrFindSearchAndTrainWithTheBestConfig() throws IOException {
        Path models = TuneFixtures.backbone(tmp.resolve("models"));
        Path data = TuneFixtures.colourFolder(tmp.resolve("data"), 10);
        Path reports = tmp.resolve("reports");
        String[] common = {"--data", data.toString(), "--model", "tiny-backbone", "--models-dir", models.toString(),
            "--reports-dir", reports.toString(), "--freeze-until", "none", "--batch-size", "8", "--dropout", "0",
            "--augment", "none"};

        Cli.Result bad = Cli.run(concat(new String[] {"check", "--lr", "1e-9", "--overfit-images", "9",
            "--overfit-iterations", "20", "--check-images", "12"}, common));
        assertThat(bad.exitCode()).as(bad.err()).isEqualTo(1);
        assertThat(bad.out()).contains("overfit-tiny-subset").contains("fail").contains("usual causes");
        JsonNode check = Json.mapper().readTree(find(reports, "check.json").toFile());
        assertThat(check.path("failed").asBoolean()).isTrue();
        assertThat(find(reports, "overfit-loss.png")).exists();

        Cli.Result lr = Cli.run(concat(new String[] {"lr-find", "--iterations", "30", "--start-lr", "1e-5",
            "--end-lr", "1"}, common));
        assertThat(lr.exitCode()).as(lr.err()).isZero();
        assertThat(lr.out()).contains("suggested learning rate");
        assertThat(find(reports, "lr-find.png")).exists();

        String[] search = concat(new String[] {"search", "--name", "s", "--max-trials", "2", "--coarse-trials", "2",
            "--trial-epochs", "1", "--lr-range", "1e-3:1e-2", "--l2-range", "1e-6:1e-4"}, common);
        Cli.Result s = Cli.run(search);
        assertThat(s.exitCode()).as(s.err()).isZero();
        assertThat(s.err()).contains("trial 0 (1/2)").contains("trial 1 (2/2)");
        assertThat(folder(reports).resolve("trials")).doesNotExist();
        Path folder = reports.resolve("s");
        assertThat(folder.resolve("trials-scatter.png")).exists();
        assertThat(Files.readAllLines(folder.resolve("trials.csv"))).hasSize(3);
        Cli.Result again = Cli.run(search);
        assertThat(again.out()).contains("0 run now, 2 read back");

        Path best = folder.resolve("best-config.yaml");
        Cli.Result train = Cli.run("train", "--config", best.toString(), "--models-dir", models.toString(),
            "--reports-dir", reports.resolve("train").toString(), "--epochs", "1", "--freeze-until", "none",
            "--dropout", "0", "--batch-size", "8", "--name", "from-search");
        assertThat(train.exitCode()).as(train.err()).isZero();
        JsonNode cfg = Json.mapper().readTree(find(reports.resolve("train"), "metrics.json").toFile()).path("config");
        JsonNode chosen = Json.yaml().readTree(best.toFile());
        assertThat(cfg.path("fine-tune").path("optimizer").path("learning-rate").asDouble())
                .isEqualTo(chosen.path("learning-rate").asDouble());
        assertThat(cfg.path("fine-tune").path("optimizer").path("l2").asDouble()).isEqualTo(chosen.path("l2").asDouble());
        assertThat(cfg.path("data").path("folder").asText()).isEqualTo(data.toString());
    }

    private static Path folder(Path reports) {
        return reports.resolve("s");
    }

    private static String[] concat(String[] a, String[] b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    private static Path find(Path root, String name) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().equals(name)).toList();
            assertThat(found).as(name).hasSize(1);
            return found.get(0);
        }
    }
}
