package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.Json;
import org.finetune4j.core.RunInfo;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.TestBundles;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class LayersAndPredictCommandTest {

    @TempDir
    Path tmp;

    @Test
    void layersOfVgg16ListsNamesShapesAndParamsOffline() {
        Cli.Result r = Cli.run("layers", "--model", "vgg16");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("block4_pool").contains("14x14x512").contains("<- default --freeze-until")
                .contains("fc2").contains("parameters: 138,357,544");
    }

    @Test
    void unknownModelListsTheValidNames() {
        Cli.Result r = Cli.run("layers", "--model", "vgg61");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--model vgg61: no such backbone or bundle").contains("vgg16, vgg19, mini-vgg");
    }

    private Path bundle() {
        ComputationGraph g = TestBundles.tinyVgg(3, false).build(3);
        ModelBundle meta = new ModelBundle(ModelBundle.FORMAT_VERSION, "t", List.of("red", "green", "blue"), Preprocessing.vgg(new InputShape(16, 16, 3)),
                new ModelBundle.Origin("tiny", null, null, "scratch", null),
                new ModelBundle.DataOrigin(null, null, List.of()), Map.of(), RunInfo.current(1), null);
        Path dir = tmp.resolve("bundle");
        BundleStore.save(dir, g, meta);
        return dir;
    }

    @Test
    void predictGivesTopKPerImageMatchingTheNetworkAndReportsBadFilesWithoutStopping() throws Exception {
        Path dir = bundle();
        Path a = TestImages.write(tmp.resolve("imgs/a.png"), TestImages.solid(30, 20, Color.RED), "png");
        TestImages.write(tmp.resolve("imgs/sub/b.jpg"), TestImages.pattern(25, 25, 4), "jpg");
        TestImages.empty(tmp.resolve("imgs/c.png"));

        Cli.Result r = Cli.run("predict", "--model", dir.toString(), "--top-k", "2", "--json",
                tmp.resolve("imgs").toString());
        assertThat(r.exitCode()).isEqualTo(1);   // one image could not be classified
        assertThat(r.err()).contains("1 of 3 file(s) could not be classified");
        JsonNode n = Json.mapper().readTree(r.out());
        assertThat(n).hasSize(3);
        assertThat(n.get(0).get("file").asText()).endsWith("a.png");
        assertThat(n.get(0).get("top")).hasSize(2);
        assertThat(n.get(1).get("error").asText()).isEqualTo("empty file (0 bytes)");
        assertThat(n.get(2).get("top")).hasSize(2);

        // the probabilities are the network's on the preprocessed image (the same path training uses)
        BundleStore.Loaded loaded = BundleStore.load(dir);
        Preprocessing p = loaded.bundle().preprocessing();
        try (Mat m = ImageDecoder.defaults().decode(a, "a.png"); Mat fitted = p.fit(m)) {
            INDArray probs = loaded.graph().outputSingle(p.toInput(fitted));
            int best = probs.argMax(1).getInt(0);
            assertThat(n.get(0).get("top").get(0).get("label").asText())
                    .isEqualTo(List.of("red", "green", "blue").get(best));
            assertThat(n.get(0).get("top").get(0).get("probability").asDouble())
                    .isCloseTo(probs.getDouble(0, best), org.assertj.core.data.Offset.offset(1e-6));
        }

        Cli.Result text = Cli.run("predict", "--model", dir.toString(), a.toString());
        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).matches("(?s).*a\\.png:  \\w+ [01]\\.\\d{3}  \\w+ [01]\\.\\d{3}  \\w+ [01]\\.\\d{3}\\s*");
    }

    @Test
    void minConfidenceAnswersUnknownWithTheTopKStillListedAndTheExitCodeUnchanged() throws Exception {
        Path dir = bundle();
        Path a = TestImages.write(tmp.resolve("imgs/a.png"), TestImages.solid(30, 20, Color.RED), "png");
        TestImages.write(tmp.resolve("imgs/b.png"), TestImages.pattern(25, 25, 4), "png");
        JsonNode all = Json.mapper().readTree(Cli.run("predict", "--model", dir.toString(), "--json",
                tmp.resolve("imgs").toString()).out());
        double top0 = all.get(0).get("top").get(0).get("probability").asDouble();
        double top1 = all.get(1).get("top").get(0).get("probability").asDouble();
        assertThat(all.get(0).get("label").asText()).isEqualTo(all.get(0).get("top").get(0).get("label").asText());
        // A threshold between the two images' top probabilities: the less confident one becomes "unknown".
        double threshold = (top0 + top1) / 2;
        int unsure = top0 < top1 ? 0 : 1;
        Cli.Result r = Cli.run("predict", "--model", dir.toString(), "--json", "--min-confidence",
                String.valueOf(threshold), tmp.resolve("imgs").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode n = Json.mapper().readTree(r.out());
        assertThat(n.get(unsure).has("label")).isTrue();
        assertThat(n.get(unsure).get("label").isNull()).isTrue();
        assertThat(n.get(unsure).get("top")).hasSize(3);
        assertThat(n.get(1 - unsure).get("label").isNull()).isFalse();
        Cli.Result text = Cli.run("predict", "--model", dir.toString(), "--min-confidence", "1", a.toString());
        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).contains("a.png:  unknown (below 1.000):");
        Cli.Result bad = Cli.run("predict", "--model", dir.toString(), "--min-confidence", "1.5", a.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--min-confidence 1.5: not a probability");
    }

    @Test
    void predictExplainWritesAHeatMapPerClassifiedImage() throws Exception {
        Path dir = bundle();
        TestImages.write(tmp.resolve("imgs/a.png"), TestImages.pattern(30, 20, 3), "png");
        TestImages.write(tmp.resolve("imgs/b.jpg"), TestImages.pattern(25, 25, 4), "jpg");
        TestImages.empty(tmp.resolve("imgs/c.png"));
        Path out = tmp.resolve("heat");
        Cli.Result r = Cli.run("predict", "--model", dir.toString(), "--explain", "--explain-dir", out.toString(),
                tmp.resolve("imgs").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("heat maps: 2 PNG(s) in " + out);
        List<Path> pngs;
        try (var s = java.nio.file.Files.list(out)) {
            pngs = s.sorted().toList();
        }
        assertThat(pngs).hasSize(2);
        assertThat(pngs.get(0).getFileName().toString()).matches("0001-a-(red|green|blue)\\.png");
        try (Mat m = ImageDecoder.defaults().decode(pngs.get(0), "heat map")) {
            assertThat(m.cols()).isEqualTo(2 * m.rows());     // the picture and its overlay, side by side
            assertThat(m.rows()).isEqualTo(224);
        }
        Cli.Result bad = Cli.run("predict", "--model", dir.toString(), "--explain", "--explain-layer", "fc1",
                "--explain-dir", out.toString(), tmp.resolve("imgs/a.png").toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--explain-layer fc1: not a layer with a convolutional output");
    }

    @Test
    void predictWithABackboneInsteadOfABundleIsAUsageError() {
        TestImages.write(tmp.resolve("a.png"), TestImages.solid(8, 8, Color.RED), "png");
        Cli.Result r = Cli.run("predict", "--model", "vgg16", tmp.resolve("a.png").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("a backbone, not a trained bundle");
    }

    @Test
    void aMistypedBundleNameSuggestsTheClosestTrainedBundleAndNoBackbones() {
        TestImages.write(tmp.resolve("a.png"), TestImages.solid(8, 8, Color.RED), "png");
        Cli.Result r = Cli.run("predict", "--model", "mini-vgg-shape", tmp.resolve("a.png").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--model mini-vgg-shape: no such bundle. Did you mean mini-vgg-shapes?")
                .contains("mini-vgg-shapes").doesNotContain("vgg16").doesNotContain("vgg19");
    }

    @Test
    void aBadValueIsBlamedOnTheOptionNameTheUserTyped() {
        Cli.Result r = Cli.run("train", "--lr", "abc");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("'--lr'").doesNotContain("--learning-rate");
        Cli.Result eq = Cli.run("train", "--lr=abc");
        assertThat(eq.err()).contains("'--lr'").doesNotContain("--learning-rate");
        Cli.Result longName = Cli.run("train", "--learning-rate", "abc");
        assertThat(longName.err()).contains("'--learning-rate'");
    }
}
