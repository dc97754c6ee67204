package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.finetune4j.core.Json;
import org.finetune4j.core.RunInfo;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.report.ComparisonReport;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.TestBundles;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest {

    @TempDir
    Path tmp;

    private Path bundle(String name, long seed, List<String> labels, Path data, List<String> testSplit) {
        ModelBundle meta = new ModelBundle(ModelBundle.FORMAT_VERSION, name, labels,
                Preprocessing.vgg(TestBundles.INPUT), new ModelBundle.Origin("tiny", null, null, "scratch", null),
                new ModelBundle.DataOrigin(data == null ? null : data.toString(), null, testSplit), Map.of(),
                RunInfo.current(1), null);
        Path dir = tmp.resolve("models").resolve(name);
        BundleStore.save(dir, TestBundles.tinyVgg(labels.size(), false).build(seed), meta);
        return dir;
    }

    @Test
    void comparesTwoBundlesOnAFolderAndWritesThePage() throws Exception {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("blue", 3, "green", 3, "red", 3));
        List<String> labels = List.of("blue", "green", "red");
        Path a = bundle("a", 1, labels, null, List.of());
        Path b = bundle("b", 2, labels, null, List.of());
        Cli.Result r = Cli.run("compare", a.toString(), b.toString(), "--data", data.toString(), "--protocol",
                "center", "--reports-dir", tmp.resolve("reports").toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("compare: 9 images of").contains("a vs b: A − B")
                .contains("McNemar p").contains("recall per class, A − B (points): blue");
        Path page = Path.of(r.out().lines().filter(l -> l.startsWith("comparison page: ")).findFirst().orElseThrow()
                .substring("comparison page: ".length()));
        Path dir = page.getParent();
        for (String f : ComparisonReport.FILES) {
            assertThat(dir.resolve(f)).isNotEmptyFile();
        }
        JsonNode j = Json.mapper().readTree(dir.resolve("comparison.json").toFile());
        JsonNode pair = j.get("comparison").get("pairs").get(0);
        assertThat(pair.get("both-right").asInt() + pair.get("only-a").asInt() + pair.get("only-b").asInt()
                + pair.get("both-wrong").asInt()).isEqualTo(9);
        assertThat(Files.readString(page)).contains("McNemar").contains("data:image/png;base64,");
    }

    @Test
    void refusesBundlesWhoseLabelsDifferAndNamesThem() {
        Path a = bundle("cats", 1, List.of("cat", "dog"), null, List.of());
        Path b = bundle("birds", 2, List.of("crow", "dog"), null, List.of());
        Cli.Result r = Cli.run("compare", a.toString(), b.toString(), "--quiet");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("the bundles cats and birds have different labels").contains("cat, dog")
                .contains("crow, dog");
        Cli.Result one = Cli.run("compare", a.toString());
        assertThat(one.exitCode()).isEqualTo(2);
    }

    @Test
    void refusesBundlesWithDifferentTestSplitsWithoutData() {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("cat", 2, "dog", 2));
        List<String> labels = List.of("cat", "dog");
        Path a = bundle("a", 1, labels, data, List.of("cat/cat_0.png"));
        Path b = bundle("b", 2, labels, data, List.of("dog/dog_0.png"));
        Cli.Result r = Cli.run("compare", a.toString(), b.toString(), "--quiet");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("record different test splits").contains("--data FOLDER");
    }
}
