package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.finetune4j.core.Json;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AugmentPreviewCommandTest {

    @TempDir
    Path tmp;

    Path data;

    @BeforeEach
    void makeData() {
        data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("cat", 2, "dog", 2));
    }

    @Test
    void writesThePngAndPrintsWhatEachVersionDrew() {
        Path out = tmp.resolve("grid.png");
        Cli.Result r = Cli.run("augment-preview", "--augment", "resnet-scale", "--data", data.toString(), "--out",
                out.toString(), "--images", "2", "--versions", "3", "--input-size", "32");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(out).exists();
        assertThat(r.out()).contains("2 image(s) x 3 version(s) of recipe augment/resnet-scale.yaml at input 32x32")
                .contains("cat/cat_00.png (cat, ").contains("epoch 2: short side ");
    }

    @Test
    void cropsAreDrawnAtTheInputSizeOfTheModelTrainWouldUse() throws IOException {
        Path out = tmp.resolve("grid.png");
        // a folder of one's own images: train's default backbone is vgg16, 224x224
        Cli.Result r = Cli.run("augment-preview", "--data", data.toString(), "--out", out.toString(), "--images", "1",
                "--versions", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("at input 224x224");

        // a sample set written by sample-data keeps the demo backbone, mini-vgg-shapes, which takes 32x32
        java.nio.file.Files.writeString(data.resolve(org.finetune4j.data.ShapesGenerator.COMPLETE_MARKER), "1\n");
        Cli.Result sample = Cli.run("augment-preview", "--data", data.toString(), "--out", out.toString(),
                "--images", "1", "--versions", "1");
        assertThat(sample.exitCode()).as(sample.err()).isZero();
        assertThat(sample.out()).contains("at input 32x32");

        Cli.Result named = Cli.run("augment-preview", "--data", data.toString(), "--out", out.toString(), "--images",
                "1", "--versions", "1", "--model", "vgg16");
        assertThat(named.exitCode()).as(named.err()).isZero();
        assertThat(named.out()).contains("at input 224x224");

        Cli.Result unknown = Cli.run("augment-preview", "--data", data.toString(), "--out", out.toString(),
                "--model", "nope");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("--model nope");
    }

    @Test
    void printsJsonForScripts() throws IOException {
        Path out = tmp.resolve("grid.png");
        Cli.Result r = Cli.run("augment-preview", "--data", data.toString(), "--out", out.toString(), "--json",
                "--size", "24x32", "--versions", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = Json.mapper().readTree(r.out());
        assertThat(json.get("recipe").asText()).isEqualTo("augment/flip-crop.yaml");
        assertThat(json.get("input-size").get("height").asInt()).isEqualTo(24);
        assertThat(json.get("rows")).hasSize(4);
    }

    @Test
    void anInvalidRecipeIsAUsageErrorNamingFileAndLineAndNothingIsWritten() throws IOException {
        Path recipe = tmp.resolve("my.yaml");
        Files.writeString(recipe, """
                version: 1
                # mine
                steps:
                  - step: scale-short-side
                    short-side-px: [256, 480]
                  - step: random-crop
                  - step: hflp
                """);
        Path out = tmp.resolve("grid.png");
        Cli.Result r = Cli.run("augment-preview", "--augment", recipe.toString(), "--data", data.toString(), "--out",
                out.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("finetune4j: " + recipe + " line 7: unknown step \"hflp\". Known steps: ")
                .doesNotContain("Exception");
        assertThat(out).doesNotExist();
    }

    @Test
    void anEmptyRangeAndABadProbabilityAreUsageErrors() throws IOException {
        Path recipe = tmp.resolve("my.yaml");
        Files.writeString(recipe, "version: 1\nsteps:\n  - step: rotate\n    degrees: [10, -10]\n");
        Cli.Result r = Cli.run("augment-preview", "--augment", recipe.toString(), "--data", data.toString(), "--out",
                tmp.resolve("g.png").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("line 4: \"degrees\" of step \"rotate\" is an empty range");
        Files.writeString(recipe, "version: 1\nsteps:\n  - step: vflip\n    probability: 50\n");
        r = Cli.run("augment-preview", "--augment", recipe.toString(), "--data", data.toString(), "--out",
                tmp.resolve("g.png").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("line 4: probability of step \"vflip\" is outside [0, 1]");
    }

    @Test
    void badOptionsAreUsageErrors() {
        String out = tmp.resolve("g.png").toString();
        assertThat(Cli.run("augment-preview", "--augment", "fancy", "--data", data.toString(), "--out", out)
                .err()).contains("--augment fancy: no such recipe");
        assertThat(Cli.run("augment-preview", "--augment", "fancy", "--data", data.toString(), "--out", out)
                .exitCode()).isEqualTo(2);
        Cli.Result both = Cli.run("augment-preview", "--data", data.toString(), "--out", out, "--size", "32x32",
                "--input-size", "32");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--size 32x32: given together with --input-size");
        Cli.Result badSize = Cli.run("augment-preview", "--data", data.toString(), "--out", out, "--size", "32by32");
        assertThat(badSize.exitCode()).isEqualTo(2);
        assertThat(badSize.err()).contains("--size 32by32: not a size");
        assertThat(Cli.run("augment-preview", "--data", data.toString()).exitCode()).isEqualTo(2);   // no --out
        assertThat(Cli.run("augment-preview", "--data", data.toString(), "--out", out, "--images", "0")
                .exitCode()).isEqualTo(2);
    }

    @Test
    void aBadImageIsSkippedOrUnderFailStopsWithExitOne() throws IOException {
        Files.write(data.resolve("cat/cat_00.png"), new byte[0]);
        Path out = tmp.resolve("g.png");
        Cli.Result skip = Cli.run("augment-preview", "--data", data.toString(), "--out", out.toString());
        assertThat(skip.exitCode()).as(skip.err()).isZero();
        assertThat(skip.out()).contains("skipped cat/cat_00.png: empty file (0 bytes)");
        Cli.Result fail = Cli.run("augment-preview", "--data", data.toString(), "--out", tmp.resolve("f.png")
                .toString(), "--on-bad-image", "fail");
        assertThat(fail.exitCode()).isEqualTo(1);
        assertThat(fail.err()).contains("cat/cat_00.png: empty file (0 bytes) (--on-bad-image fail)");
    }
}
