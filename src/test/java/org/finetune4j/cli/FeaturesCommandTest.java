package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.finetune4j.model.BundleStore;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.TestFolders;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturesCommandTest {

    @TempDir
    Path tmp;

    private Path models;
    private Path data;
    private Path cache;

    @BeforeEach
    void backboneAndData() {
        models = tmp.resolve("models");
        cache = tmp.resolve("cache");
        TestBundles.saveBackbone(models.resolve("tiny"), TestBundles.tinyVgg(4, false), 1,
                List.of("p", "q", "r", "s"));
        data = TestFolders.imageFolder(tmp.resolve("photos"), Map.of("cat", 10, "dog", 10));
    }

    @Test
    void extractsThenReadsFromTheCacheThenClears() throws Exception {
        String[] args = {"features", "--model", "tiny", "--models-dir", models.toString(), "--data", data.toString(),
            "--cache", cache.toString(), "--layer", "block2_pool", "--out", tmp.resolve("f.csv").toString()};
        Cli.Result first = Cli.run(args);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("layer block2_pool + global avg pool, 8 values per image")
                .contains("20 computed").contains("img/s");
        List<String> csv = Files.readAllLines(tmp.resolve("f.csv"));
        assertThat(csv).hasSize(21);
        assertThat(csv.get(0)).startsWith("split,path,label,view,f0,");
        Cli.Result second = Cli.run(args);
        assertThat(second.out()).contains("20 from the cache, 0 computed in 0 forward passes (no network work)");
        Cli.Result clear = Cli.run("features", "--clear", "--cache", cache.toString());
        assertThat(clear.exitCode()).isZero();
        assertThat(clear.out()).contains("cleared").contains("20 entries in 1 key folders");
    }

    @Test
    void trainModeFeaturesWritesABundleThatPredictWorksWith() {
        Cli.Result r = Cli.run("train", "--mode", "features", "--model", "tiny", "--data", data.toString(),
                "--models-dir", models.toString(), "--reports-dir", tmp.resolve("reports").toString(), "--cache",
                cache.toString(), "--classifier", "svm", "--folds", "3", "--c-grid", "0.1,1,10", "--standardize");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("cross-validation of linear SVM (squared hinge, one-vs-rest), 3 folds")
                .contains("test accuracy").contains("bundle: ").contains("cv-accuracy.png")
                .contains("report page: ");
        // the same end-of-run report as fine-tuning: multi-crop evaluation of the test split, with the CV plot
        Path report;
        try (var runs = java.nio.file.Files.list(tmp.resolve("reports"))) {
            report = runs.findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(report.resolve("report.html")).exists();
        assertThat(report.resolve("cv-accuracy.png")).exists();
        assertThat(report.resolve("confusion-matrix.png")).exists();
        assertThat(readString(report.resolve("report.html")))
                .contains("cross-validation accuracy against C").contains("linear SVM");
        assertThat(readString(report.resolve("metrics.json")))
                .contains("\"chosen-c\"").contains("\"evaluation\"");
        Path bundle = models.resolve("photos-features");
        assertThat(BundleStore.readMeta(bundle).mode()).isEqualTo("features");
        Cli.Result predict = Cli.run("predict", "--model", bundle.toString(), data.resolve("cat").toString());
        assertThat(predict.exitCode()).as(predict.err()).isZero();
        assertThat(predict.out()).contains("cat_00.png");
        Cli.Result bad = Cli.run("train", "--mode", "features", "--model", "tiny", "--data", data.toString(),
                "--models-dir", models.toString(), "--cache", cache.toString(), "--pca", "1.5");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--pca 1.5");
    }

    private static String readString(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
