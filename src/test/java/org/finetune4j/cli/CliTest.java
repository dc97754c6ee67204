package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.finetune4j.core.Json;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.TestFolders;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    @TempDir
    Path tmp;

    @Test
    void versionPrintsTheVersionsAndExitsZero() {
        Cli.Result r = Cli.run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("finetune4j ").contains("Deeplearning4j 1.0.0-M2.1");
    }

    @Test
    void helpWorksOnTheRootAndEveryCommand() {
        Cli.Result root = Cli.run("--help");
        assertThat(root.exitCode()).isZero();
        assertThat(root.out()).contains("inspect");
        picocli.CommandLine cl = new picocli.CommandLine(new Finetune4j());
        for (String name : cl.getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            Cli.Result r = Cli.run(name, "--help");
            assertThat(r.exitCode()).as(name).isZero();
            assertThat(r.out()).as(name).contains("Usage: finetune4j " + name);
        }
    }

    @Test
    void trainHelpGroupsItsOptionsUnderHeadingsWithExamplesAndUnsplitValues() throws Exception {
        Cli.Result r = Cli.run("train", "--help");
        assertThat(r.exitCode()).isZero();
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "train-help.txt"), r.out());
        String out = r.out();
        List<String> headings = List.of("Data:", "Model and head:", "Optimisation and schedule:", "Augmentation and the frozen-layer cache:",
                "Evaluation:", "Features mode (--mode features):", "General:", "Examples:");
        int last = -1;
        for (String h : headings) {
            int at = out.indexOf("\n" + h + "\n");
            assertThat(at).as(h).isGreaterThan(last);
            last = at;
        }
        assertThat(out.indexOf("--val-fraction")).isLessThan(out.indexOf("Model and head:"));
        assertThat(out).contains("~/.finetune4j/weights").contains("--keep-duplicates-together")
                .contains("--drop-empty-classes");
        assertThat(out.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(HelpLayout.WIDTH));
        assertThat(out).contains("models/README.md").contains("models/<name>.checkpoint/")
                .contains("~/.finetune4j/features").contains("1e-3:1e3:13");
        Cli.Result search = Cli.run("search", "--help");
        assertThat(search.out()).contains("1e-3:1e3");
    }

    @Test
    void checkAndLrFindDoNotListOptionsTheyIgnoreAndPretrainSpeaksOfNoStagesOrHeads() {
        for (String cmd : List.of("check", "lr-find")) {
            String out = Cli.run(cmd, "--help").out();
            assertThat(out).as(cmd).doesNotContain("--resume").doesNotContain("--protocol")
                    .doesNotContain("--average").doesNotContain("--epochs").doesNotContain("--patience")
                    .contains("Examples:");
        }
        assertThat(Cli.run("check", "--epochs", "3").exitCode()).isEqualTo(2);
        // the option names --head-* stay (shared with train); the words around them speak of no stage or head
        String pretrain = Cli.run("pretrain", "--help").out().toLowerCase(java.util.Locale.ROOT)
                .replaceAll("--head-[a-z-]+", "--option");
        assertThat(pretrain).doesNotContain("stage").doesNotContain("head");
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Result r = Cli.run();
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing command");
    }

    @Test
    void unknownCommandIsAUsageErrorWithSuggestions() {
        Cli.Result r = Cli.run("inspekt");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("inspekt").contains("inspect");
    }

    @Test
    void unknownOptionIsAUsageError() {
        Cli.Result r = Cli.run("inspect", "--dta", "x");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--dta");
    }

    @Test
    void badOptionValueIsAUsageErrorNamingTheOption() {
        Cli.Result r = Cli.run("inspect", "--data", tmp.toString(), "--val-fraction", "abc");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--val-fraction");
    }

    @Test
    void outOfRangeFractionIsAUsageErrorWithoutStackTrace() {
        TestFolders.imageFolder(tmp, Map.of("a", 3, "b", 3));
        Cli.Result r = Cli.run("inspect", "--data", tmp.toString(), "--val-fraction", "1.5");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("finetune4j: --val-fraction").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void missingDataFolderIsAUsageError() {
        Cli.Result r = Cli.run("inspect", "--data", tmp.resolve("nope").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no such folder");
        assertThat(tmp.resolve("nope")).doesNotExist();
    }

    @Test
    void unusableDataIsAFailureWithExitCodeOne() {
        TestFolders.imageFolder(tmp, Map.of("only", 3));
        Cli.Result r = Cli.run("inspect", "--data", tmp.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("only one class");
    }

    @Test
    void inspectPrintsCountsBadFilesAndLeaksAsTextAndJson() throws Exception {
        TestFolders.imageFolder(tmp, Map.of("cat", 10, "dog", 10));
        TestImages.empty(tmp.resolve("cat/zero.jpg"));
        java.nio.file.Files.copy(tmp.resolve("dog/dog_00.png"), tmp.resolve("cat/dup.png"));

        Cli.Result text = Cli.run("inspect", "--data", tmp.toString(), "--quiet");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("22 image files in 2 classes (class-folders layout); 21 usable").contains("cat/zero.jpg: empty file (0 bytes)")
                .contains("LABEL CONFLICT").contains("dog/dog_00.png");

        Cli.Result json = Cli.run("inspect", "--data", tmp.toString(), "--json");
        assertThat(json.exitCode()).isZero();
        JsonNode n = Json.mapper().readTree(json.out());
        assertThat(n.get("image-count").asInt()).isEqualTo(22);
        assertThat(n.get("classes").get(0).get("name").asText()).isEqualTo("cat");
        assertThat(n.get("bad-images").get(0).get("relative-path").asText()).isEqualTo("cat/zero.jpg");
        assertThat(n.get("duplicates")).hasSize(1);
    }

    @Test
    void debugShowsTheStackTraceOnlyWhenAsked() {
        Cli.Result plain = Cli.run("inspect", "--data", tmp.toString(), "--test-fraction", "-1");
        assertThat(plain.err()).doesNotContain("\tat ");
        Cli.Result debug = Cli.run("--debug", "inspect", "--data", tmp.toString(), "--test-fraction", "-1");
        assertThat(debug.exitCode()).isEqualTo(2);
        assertThat(debug.err()).contains("\tat ");
    }
}
