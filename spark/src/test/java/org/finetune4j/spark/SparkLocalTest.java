package org.finetune4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ShapesConfig;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.FeatureSet;
import org.finetune4j.features.FeatureTrainConfig;
import org.finetune4j.features.FeatureTrainResult;
import org.finetune4j.features.FeatureTrainer;
import org.finetune4j.features.ScalingConfig;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.NativeInference;
import org.finetune4j.model.Predictor;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.stage.EvaluateStage;
import org.finetune4j.stage.FeaturesStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark stages in {@code local[2]} (a driver and two executor threads in this JVM) against the single-machine
 * code on the synthetic target set and the shipped {@code mini-vgg-shapes} backbone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkLocalTest {

    /** The repository's models folder (the spark module's tests run in spark/). */
    static final Path MODELS = Path.of("..", "models");
    static final long SEED = 12345L;
    static final int BATCH = 32;

    @TempDir
    static Path tmp;

    static SparkSession spark;
    static Path data;
    static Path models;
    static String features;

    @BeforeAll
    static void setUp() throws Exception {
        data = ShapesGenerator.ensure(ShapesConfig.defaults(), tmp.resolve("data")).target().dir();
        models = tmp.resolve("models");
        Files.createDirectories(models);
        copyTree(MODELS.resolve("mini-vgg-shapes"), models.resolve("mini-vgg-shapes"));
        features = tmp.resolve("features").toString();
        spark = TestSpark.local(2);
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    static TrainConfig run() {
        return Main.featureRun(data.toString(), "mini-vgg-shapes", BATCH, SplitConfig.defaults(),
                BadImagePolicy.SKIP, 2, false, false, SEED);
    }

    static ExtractionConfig extraction(Path cache) {
        return new ExtractionConfig(null, "auto", cache.toString(), null, 0, BATCH);
    }

    @Test
    @Order(1)
    void featuresEqualTheSingleMachineOnesBitForBit() {
        FeatureTrainer.Featurized single = FeaturesStage.run(run(), extraction(tmp.resolve("cache")), models, null,
                s -> { }, false).features();
        // 2 batches per task: 500 images make several tasks per split, run by two executor threads
        List<String> notes = new java.util.ArrayList<>();
        SparkFeaturizer.Result r = SparkFeaturizer.run(spark, new SparkFeaturizer.Config(run(),
                extraction(tmp.resolve("unused")), null, features, 2, models), notes::add);
        assertThat(r.tasks()).isGreaterThan(2);
        // local[2] with spark.task.cpus 1: two tasks share the network, and the run says how to give each all cores
        assertThat(notes).anySatisfy(n -> assertThat(n).contains("2 tasks at a time")
                .contains("--conf spark.task.cpus=2"));
        assertThat(SparkFeaturizer.taskSlotAdvice(4, 4)).isEmpty();
        assertThat(SparkFeaturizer.taskSlotAdvice(1, 0)).as("cores not known").isEmpty();
        assertThat(SparkFeaturizer.taskSlotAdvice(2, 8)).get().asString().contains("4 tasks at a time");
        assertThat(r.computed()).isEqualTo(single.train().size() + single.val().size() + single.test().size());

        Map<String, Row> rows = rowsByPath(features);
        assertThat(rows).hasSize((int) r.computed());
        for (Map.Entry<String, FeatureSet> part : Map.of("train", single.train(), "val", single.val(), "test",
                single.test()).entrySet()) {
            FeatureSet fs = part.getValue();
            for (int i = 0; i < fs.size(); i++) {
                Row row = rows.get(fs.paths().get(i));
                assertThat(row).as(fs.paths().get(i)).isNotNull();
                assertThat(row.<String>getAs("split")).isEqualTo(part.getKey());
                assertThat(row.<Integer>getAs("position")).isEqualTo(fs.group()[i]);
                assertThat(row.<Integer>getAs("label_index")).isEqualTo(fs.y()[i]);
                assertThat(floats(row)).as(fs.paths().get(i)).isEqualTo(fs.x().row(i));
            }
        }
    }

    @Test
    @Order(2)
    void aSecondRunComputesNothingAndKeepsEveryVector() {
        Map<String, Row> before = rowsByPath(features);
        SparkFeaturizer.Result r = SparkFeaturizer.run(spark, new SparkFeaturizer.Config(run(),
                extraction(tmp.resolve("unused")), null, features, 2, models), s -> { });
        assertThat(r.computed()).isZero();
        assertThat(r.tasks()).isZero();
        assertThat(r.reused()).isEqualTo(before.size());
        Map<String, Row> after = rowsByPath(features);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((path, row) -> assertThat(floats(after.get(path))).isEqualTo(floats(row)));
    }

    @Test
    @Order(3)
    void fitMatchesTrainModeFeaturesAndTheBundlePredictsAsMllib() {
        SparkFit.Result fit = SparkFit.run(spark, new SparkFit.Config(features, "spark-features", "l2", 0.5, 2,
                List.of(0.003, 0.01), 1000, true, SEED, models), s -> { });
        assertThat(fit.cvAccuracy()).containsOnlyKeys(0.003, 0.01);
        assertThat(fit.model().summary().totalIterations()).as("MLlib converged").isLessThan(1000);
        // train --mode features --standardize at the C the cross-validation chose: the same objective
        FeatureTrainResult single = new FeatureTrainer(models, s -> { }, false).run(new FeatureTrainConfig(
                run().withName("single-features"), extraction(tmp.resolve("cache")), new ClassifierConfig("logreg",
                "l2", "squared-hinge", 5, List.of(fit.c()), 1000, new ScalingConfig(true, 0, 0, false))));
        // measured 2026-12-03 on shapes-target, seed 12345: 0.680 and 0.680 at C 0.01, 0.660 and 0.660 at C 0.1
        assertThat(fit.testAccuracy()).isCloseTo(single.train().testAccuracy(),
                org.assertj.core.data.Offset.offset(0.02));

        // the bundle, run on the test images, gives MLlib's predictions on their vectors
        BundleStore.Loaded bundle = BundleStore.load(fit.bundleDir());
        List<Row> test = fit.model().transform(SparkFit.rows(spark, features, "test")).orderBy("position")
                .select("path", "prediction", "probability").collectAsList();
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Row row : test) {
            files.add(data.resolve(row.getString(0)));
            names.add(row.getString(0));
        }
        List<Predictor.Prediction> predicted = new Predictor(bundle, ImageDecoder.defaults()).predict(files, names,
                10, BATCH);
        assertThat(predicted).hasSize(test.size()).isNotEmpty();
        List<String> labels = bundle.bundle().labels();
        for (int i = 0; i < test.size(); i++) {
            Predictor.Prediction p = predicted.get(i);
            int mllib = (int) test.get(i).getDouble(1);
            Vector probs = test.get(i).getAs(2);
            assertThat(p.top().get(0).label()).as(names.get(i)).isEqualTo(labels.get(mllib));
            for (Predictor.Scored s : p.top()) {
                assertThat(s.probability()).as(names.get(i) + " " + s.label())
                        .isCloseTo(probs.apply(labels.indexOf(s.label())), org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    @Order(4)
    void evaluateSumsToTheSingleMachineMetrics() {
        SparkEvaluate.Result r = SparkEvaluate.run(spark, new SparkEvaluate.Config("spark-features", models, null,
                null, "ten-crop", "probs", 32, 16), s -> { });
        BundleStore.Loaded bundle = BundleStore.load(models.resolve("spark-features"));
        EvaluateStage.Images images = EvaluateStage.fromBundle(bundle.bundle());
        Evaluation single = new MultiCropEvaluator(bundle.bundle().preprocessing(), CropProtocolLoader.load(
                "ten-crop"), MultiCropEvaluator.Averaging.of("probs"), 32).evaluate(images.images(),
                bundle.bundle().labels(), ImageDecoder.defaults(), NativeInference.of(bundle.graph())::output,
                () -> { });
        assertThat(r.tasks()).isGreaterThan(1);
        assertThat(r.images()).isEqualTo(single.images().size());
        assertThat(r.metrics().confusion()).isEqualTo(single.protocolMetrics().confusion());
        assertThat(r.metrics()).usingRecursiveComparison().isEqualTo(single.protocolMetrics());
        assertThat(r.center()).usingRecursiveComparison().isEqualTo(single.centerMetrics());
    }

    @Test
    @Order(5)
    void predictWritesTheTopClassesOfEveryImage() {
        String out = tmp.resolve("predictions.csv").toString();
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(spark, new PrintWriter(o), new PrintWriter(e), "predict", "--model", "spark-features",
                "--models-dir", models.toString(), "--top-k", "3", "--chunk-images", "64", "--out", out,
                data.resolve("kite").toString());
        assertThat(code).as(e.toString()).isZero();
        List<Row> rows = spark.read().option("header", "true").schema(SparkPredict.SCHEMA).csv(out).collectAsList();
        long images = rows.stream().map(r -> r.getString(0)).distinct().count();
        assertThat(images).isEqualTo(countImages(data.resolve("kite")));
        assertThat(rows).hasSize((int) images * 3);
        assertThat(o.toString()).contains("predicted " + images + " images (0 unreadable)");
    }

    @Test
    @Order(6)
    void badOptionsAreUsageErrorsNamingTheOption() {
        assertThatThrownBy(() -> new SparkFit.Config(features, "x", "l3", 0.5, 5, List.of(1.0), 10, false, 1,
                models)).isInstanceOf(UsageException.class).hasMessageContaining("--penalty l3");
        StringWriter e = new StringWriter();
        int code = Main.run(spark, new PrintWriter(new StringWriter()), new PrintWriter(e), "features", "--data",
                data.toString(), "--model", "mini-vgg-shapes", "--models-dir", models.toString(), "--out",
                data.toString());
        assertThat(code).isEqualTo(Main.EXIT_USAGE);
        assertThat(e.toString()).contains("--out " + data + ": the folder exists and holds no finetune4j features");
    }

    static long countImages(Path dir) {
        try (var s = Files.list(dir)) {
            return s.filter(p -> org.finetune4j.data.ImageFolder.hasImageExtension(p)).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Map<String, Row> rowsByPath(String dir) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : spark.read().parquet(dir).collectAsList()) {
            assertThat(m.put(r.getString(0), r)).as("one row per path").isNull();
        }
        return m;
    }

    static float[] floats(Row row) {
        List<Float> l = row.getList(row.fieldIndex("features"));
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }

    static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
