package org.finetune4j.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.DataSettings;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.model.WeightsSettings;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.Mode;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.testing.TestBundles;
import org.finetune4j.testing.TestFolders;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class FeatureTrainerTest {

    @TempDir
    Path tmp;

    private Path models;
    private Path data;
    private Path cache;

    @BeforeEach
    void backboneAndData() {
        models = tmp.resolve("models");
        cache = tmp.resolve("cache");
        TestBundles.saveBackbone(models.resolve("tiny-backbone"), TestBundles.tinyVgg(5, true), 11,
                List.of("p", "q", "r", "s", "t"));
        data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("a", 10, "b", 10, "c", 10));
    }

    private TrainConfig run(String name) {
        return new TrainConfig(Mode.FEATURES, name,
                new TrainConfig.BackboneSettings("tiny-backbone", null, ArchitectureSettings.defaults(), WeightsSettings.defaults()),
                new TrainConfig.FineTuneSettings(HeadSpec.defaults(), OptimizerConfig.defaults(), new TrainConfig.Schedule(1, 8, EarlyStopping.defaults()), null), new DataSettings(data.toString(), SplitConfig.defaults(), "flip-crop",
                        BadImagePolicy.SKIP, 2), 42);
    }

    private ExtractionConfig extraction(String layer, String pool, int copies) {
        return new ExtractionConfig(layer, pool, cache.toString(), copies > 0 ? "flip-crop" : null, copies, 8);
    }

    private FeatureTrainer trainer() {
        return new FeatureTrainer(models, line -> { }, false);
    }

    @Test
    void bundlePredictionsEqualTheClassifierOnTheCachedFeatures() {
        // pooled conv features, and (pool none) conv features flattened in the network's layout
        for (List<String> c : List.of(List.of("logreg", "avg"), List.of("svm", "avg"), List.of("logreg", "none"))) {
            String kind = c.get(0);
            String pool = c.get(1);
            ClassifierConfig cc = new ClassifierConfig(kind, "l2", "squared-hinge", 3,
                    ClassifierConfig.parseGrid("1e-2:1e2:3"), 300, new ScalingConfig(true, 4, 0, true));
            FeatureTrainResult r = trainer().run(new FeatureTrainConfig(run("feat-" + kind + "-" + pool),
                    extraction("block2_pool", pool, 1), cc));
            FeatureTrainer.Featurized cached = trainer().featurize(run("feat-" + kind + "-" + pool),
                    extraction("block2_pool", pool, 1));
            assertThat(cached.stats().computed()).as("all from the cache").isZero();
            BundleStore.Loaded bundle = BundleStore.load(r.train().bundleDir());
            assertThat(bundle.bundle().mode()).isEqualTo("features");
            assertThat(bundle.bundle().featureLayer()).isEqualTo("block2_pool");
            assertThat(bundle.bundle().testSplit()).hasSize(cached.data().split().test().size());
            assertThat(bundle.bundle().dataRoot()).isEqualTo(data.toString());

            Preprocessing pre = bundle.bundle().preprocessing();
            ImageDecoder decoder = ImageDecoder.defaults();
            FeatureSet test = cached.test();
            List<Mat> mats = new ArrayList<>();
            for (String rel : test.paths()) {
                Mat m = decoder.decode(data.resolve(rel), rel);
                mats.add(pre.fit(m));
                m.close();
            }
            INDArray out = bundle.graph().outputSingle(pre.toInput(mats));
            LinearModel folded = r.transform().fold(r.model());
            double[][] rows = test.x().toDoubleRows();
            for (int i = 0; i < rows.length; i++) {
                double[] expected = folded.probabilities(rows[i]);
                double[] scoresOnTransformed = r.model().probabilities(r.transform().apply(rows[i]));
                for (int k = 0; k < expected.length; k++) {
                    assertThat(out.getDouble(i, k)).as(kind + " row " + i + " class " + k)
                            .isCloseTo(expected[k], within(1e-4));
                    assertThat(scoresOnTransformed[k]).isCloseTo(expected[k], within(1e-9));
                }
                assertThat(LinearModel.argmax(out.getRow(i).toDoubleVector())).isEqualTo(folded.predict(rows[i]));
            }
            assertThat(r.train().testAccuracy()).isEqualTo(folded.accuracy(rows, test.y()));
        }
    }

    @Test
    void secondRunDoesNoNetworkWorkAndOnlyTheBatchOfAnEditedImageIsRecomputed() throws Exception {
        FeatureTrainer.Featurized first = trainer().featurize(run("x"), extraction("fc1", "auto", 0));
        assertThat(first.stats().computed()).isEqualTo(30);
        assertThat(first.stats().forwardPasses()).isPositive();
        FeatureTrainer.Featurized second = trainer().featurize(run("x"), extraction("fc1", "auto", 0));
        assertThat(second.stats().forwardPasses()).isZero();
        assertThat(second.stats().fromCache()).isEqualTo(30);
        assertThat(second.train().x().toDoubleRows()).isDeepEqualTo(first.train().x().toDoubleRows());

        // a rename keeps the entry, an edit misses
        Path a0 = data.resolve("a").resolve("a_00.png");
        Files.move(a0, data.resolve("a").resolve("a_renamed.png"));
        Path b0 = data.resolve("b").resolve("b_00.png");
        TestImages.write(b0, TestImages.noise(13, 11, 99), "png");
        // the edited image's batch (8 images at most, a fixed run of its split's list) is computed whole, in one pass,
        // so that its features are the bits an extraction without a cache gives
        FeatureTrainer.Featurized third = trainer().featurize(run("x"), extraction("fc1", "auto", 0));
        assertThat(third.stats().forwardPasses()).isEqualTo(1);
        assertThat(third.stats().computed()).isBetween(1, 8);
        assertThat(third.stats().fromCache()).isEqualTo(30 - third.stats().computed());

        // another layer is another key: everything is computed for it, nothing of fc1 is touched
        FeatureTrainer.Featurized pooled = trainer().featurize(run("x"), extraction("block2_pool", "max", 0));
        assertThat(pooled.stats().computed()).isEqualTo(30);
        assertThat(pooled.extractor().dimension()).isEqualTo(8);
        assertThat(trainer().featurize(run("x"), extraction("fc1", "auto", 0)).stats().computed()).isZero();
    }

    /** As after a crash mid-extraction: every third entry is gone; the features come back bit for bit. */
    @Test
    void anExtractionResumedFromAPartlyFilledCacheGivesTheFeaturesOfAnUninterruptedOne() throws Exception {
        FeatureTrainer.Featurized first = trainer().featurize(run("x"), extraction("fc1", "auto", 0));
        List<Path> entries;
        try (java.util.stream.Stream<Path> s = Files.walk(cache)) {
            entries = s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith(".json"))
                    .sorted().toList();
        }
        assertThat(entries).hasSize(30);
        for (int i = 0; i < entries.size(); i += 3) {
            Files.delete(entries.get(i));
        }
        FeatureTrainer.Featurized resumed = trainer().featurize(run("x"), extraction("fc1", "auto", 0));
        assertThat(resumed.stats().computed()).isGreaterThanOrEqualTo(10);
        assertThat(resumed.train().x().toDoubleRows()).isDeepEqualTo(first.train().x().toDoubleRows());
        assertThat(resumed.val().x().toDoubleRows()).isDeepEqualTo(first.val().x().toDoubleRows());
        assertThat(resumed.test().x().toDoubleRows()).isDeepEqualTo(first.test().x().toDoubleRows());
    }

    @Test
    void augmentedCopiesAreSeededCachedAndDifferFromTheCentreView() {
        FeatureTrainer.Featurized f = trainer().featurize(run("x"), extraction("fc1", "none", 2));
        int n = f.data().split().train().size();
        assertThat(f.train().size()).isEqualTo(3 * n);
        // an image's copy can equal its centre view (no flip drawn, crop at the centre: the draw depends on the image's
        // content hash, and the test images' pixels on the temporary folder's path), but not most images' copies
        long differing = java.util.stream.IntStream.range(0, n)
                .filter(i -> !java.util.Arrays.equals(f.train().x().row(n + i), f.train().x().row(i))).count();
        assertThat(differing).as("augmented copies that differ from their centre view").isGreaterThan(n / 2);
        assertThat(f.train().augmented()[n]).isTrue();
        assertThat(f.train().group()[n]).isEqualTo(f.train().group()[0]);
        FeatureTrainer.Featurized again = trainer().featurize(run("x"), extraction("fc1", "none", 2));
        assertThat(again.stats().computed()).isZero();
        assertThat(again.train().x().toDoubleRows()).isDeepEqualTo(f.train().x().toDoubleRows());
    }

    @Test
    void badLayerOrPoolingIsAUsageErrorNamingTheOption() {
        assertThatThrownBy(() -> trainer().featurize(run("x"), extraction("block9_pool", "auto", 0)))
                .isInstanceOf(UsageException.class).hasMessageContaining("--layer block9_pool")
                .hasMessageContaining("block2_pool");
        assertThatThrownBy(() -> trainer().featurize(run("x"), extraction("fc1", "avg", 0)))
                .isInstanceOf(UsageException.class).hasMessageContaining("--pool avg")
                .hasMessageContaining("not convolutional");
    }
}
