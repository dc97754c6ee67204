package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.TestBundles;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanCommandTest {

    @TempDir
    Path tmp;

    private Path models;
    private Path data;

    @BeforeEach
    void backboneAndData() {
        models = tmp.resolve("models");
        TestBundles.saveBackbone(models.resolve("tiny"), TestBundles.tinyVgg(4, false), 1,
                List.of("p", "q", "r", "s"));
        data = TestFolders.imageFolder(tmp.resolve("photos"), Map.of("cat", 12, "dog", 12));
    }

    private static List<String> listing(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p) + " " + p.toFile().length()).sorted().toList();
        }
    }

    @Test
    void writesThePageTheRankedFilesAndTheRelabelListAndTouchesNoImage() throws Exception {
        Files.copy(data.resolve("cat").resolve(Files.list(data.resolve("cat")).sorted().findFirst().orElseThrow()
                .getFileName()), data.resolve("dog/copy-of-a-cat.png"));
        List<String> before = listing(data);
        Path out = tmp.resolve("out");
        Path relabel = tmp.resolve("relabel.csv");
        Cli.Result r = Cli.run("clean", "--model", "tiny", "--models-dir", models.toString(), "--data",
                data.toString(), "--cache", tmp.resolve("cache").toString(), "--layer", "block2_pool", "--folds", "3",
                "--out", out.toString(), "--write-relabel", relabel.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("25 images, 2 classes").contains("likely label errors:")
                .contains("near-duplicate groups:").contains("copy-of-a-cat.png").contains("outliers:")
                .contains("page: ");
        for (String f : List.of("clean.html", "clean.json", "label-issues.csv", "near-duplicates.csv", "outliers.csv",
                "images.csv")) {
            assertThat(out.resolve(f)).as(f).exists();
        }
        assertThat(Files.readAllLines(out.resolve("images.csv"))).hasSize(26);
        assertThat(Files.readString(out.resolve("near-duplicates.csv"))).contains("dog/copy-of-a-cat.png")
                .contains(",true,");     // filed under two classes
        assertThat(Files.readString(out.resolve("clean.html"))).contains("Likely label errors")
                .contains("Near-duplicates").contains("Outliers").contains("data:image/png;base64,")
                .contains("Map of the data").contains("<svg class=\"map\"").doesNotContain("<script");
        assertThat(Files.readString(out.resolve("clean.html")).split("<g class=\"pt\">", -1)).hasSize(26);
        assertThat(Files.readAllLines(relabel).get(2)).isEqualTo("path,given,suggested,score");
        assertThat(listing(data)).isEqualTo(before);
    }

    @Test
    void rejectsTooFewFoldsNamingTheOption() {
        Cli.Result r = Cli.run("clean", "--model", "tiny", "--models-dir", models.toString(), "--data",
                data.toString(), "--folds", "1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--folds 1: too few. Expected at least 2");
    }
}
