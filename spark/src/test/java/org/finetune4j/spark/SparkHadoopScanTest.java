package org.finetune4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.DataSettings;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.data.ShapesConfig;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.data.ShapesSet;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.data.SplitName;
import org.finetune4j.data.TrainingData;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.NativeInference;
import org.finetune4j.stage.EvaluateStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code features --data URI} in {@code local[2]}: the driver lists the folder through Hadoop and the executors screen
 * and hash its files, and the result is the one of {@code --data PATH} on the same folder: the same split, bad files,
 * duplicates, fingerprint and vectors.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkHadoopScanTest {

    static final long SEED = 12345L;

    @TempDir
    static Path tmp;

    static SparkSession spark;
    static Path data;
    static Path models;

    @BeforeAll
    static void setUp() throws Exception {
        // a copy of shapes-target: 10 classes of 36 images
        data = ShapesGenerator.ensureSet(ShapesConfig.defaults(), tmp.resolve("data"), ShapesSet.TARGET,
                ShapesGenerator.Listener.NONE).dir();
        models = tmp.resolve("models");
        Files.createDirectories(models);
        SparkLocalTest.copyTree(SparkLocalTest.MODELS.resolve("mini-vgg-shapes"), models.resolve("mini-vgg-shapes"));
        spark = TestSpark.local(2);
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** The {@code file:///} URI of a local folder, as a user on a cluster would type an {@code hdfs://} one. */
    static String uriOf(Path dir) {
        return "file://" + dir.toAbsolutePath().normalize();
    }

    static int features(String dataArg, String out, StringWriter err, String... more) {
        List<String> args = new ArrayList<>(List.of("features", "--data", dataArg, "--model", "mini-vgg-shapes",
                "--models-dir", models.toString(), "--out", out, "--batch-size", "32", "--chunk-batches", "2",
                "--threads", "2", "--seed", Long.toString(SEED)));
        args.addAll(List.of(more));
        return Main.run(spark, new PrintWriter(new StringWriter()), new PrintWriter(err), args.toArray(String[]::new));
    }

    static String byUri;

    @Test
    @Order(1)
    void featuresOfAUriGiveTheSplitAndVectorsOfTheLocalPathBitForBit() {
        String byPath = tmp.resolve("features-path").toString();
        byUri = tmp.resolve("features-uri").toString();
        StringWriter e1 = new StringWriter();
        assertThat(features(data.toString(), byPath, e1)).as(e1.toString()).isZero();
        StringWriter e2 = new StringWriter();
        assertThat(features(uriOf(data), byUri, e2)).as(e2.toString()).isZero();
        assertThat(e2.toString()).contains("through Hadoop");

        Map<String, Row> local = rowsByPath(byPath);
        Map<String, Row> listed = rowsByPath(byUri);
        assertThat(local).hasSizeGreaterThan(300);
        assertThat(listed.keySet()).isEqualTo(local.keySet());
        local.forEach((path, row) -> {
            Row other = listed.get(path);
            for (String column : List.of("hash", "label", "label_index", "split", "position")) {
                assertThat((Object) other.getAs(column)).as(path + " " + column).isEqualTo(row.getAs(column));
            }
            assertThat(SparkLocalTest.floats(other)).as(path).isEqualTo(SparkLocalTest.floats(row));
        });
        for (String split : List.of("train", "val", "test")) {
            assertThat(list(listed, split)).as(split).isEqualTo(list(local, split)).isNotEmpty();
        }
        FeatureSpace a = FeatureSpace.read(byPath, spark.sparkContext().hadoopConfiguration());
        FeatureSpace b = FeatureSpace.read(byUri, spark.sparkContext().hadoopConfiguration());
        assertThat(b.dataFingerprint()).isEqualTo(a.dataFingerprint());
        assertThat(b.classes()).isEqualTo(a.classes());
        assertThat(b.dataRoot()).isEqualTo(uriOf(data));
    }

    @Test
    @Order(2)
    void evaluateReadsTheTestSplitOfABundleFittedOnAUriFromThatUri() {
        assertThat(byUri).as("features by URI ran first").isNotNull();
        SparkFit.Result fit = SparkFit.run(spark, new SparkFit.Config(byUri, "uri-features", "l2", 0.5, 2,
                List.of(0.01), 1000, true, SEED, models), s -> { });
        BundleStore.Loaded bundle = BundleStore.load(fit.bundleDir());
        assertThat(bundle.bundle().dataRoot()).isEqualTo(uriOf(data));

        SparkEvaluate.Result r = SparkEvaluate.run(spark, new SparkEvaluate.Config("uri-features", models, null,
                null, "center", "probs", 32, 16), s -> { });
        // the same images, read from the local copy on one machine
        List<LabeledImage> test = EvaluateStage.recordedTestSplit(bundle.bundle()).images().stream()
                .map(im -> new LabeledImage(data.resolve(im.relativePath()), im.relativePath(), im.classIndex()))
                .toList();
        Evaluation single = new MultiCropEvaluator(bundle.bundle().preprocessing(), CropProtocolLoader.load(
                "center"), MultiCropEvaluator.Averaging.of("probs"), 32).evaluate(test, bundle.bundle().labels(),
                ImageDecoder.defaults(), NativeInference.of(bundle.graph())::output, () -> { });
        assertThat(r.images()).isEqualTo(test.size()).isPositive();
        assertThat(r.bad()).isZero();
        assertThat(r.metrics()).usingRecursiveComparison().isEqualTo(single.protocolMetrics());

        StringWriter err = new StringWriter();
        int code = Main.run(spark, new PrintWriter(new StringWriter()), new PrintWriter(err), "evaluate", "--model",
                "uri-features", "--models-dir", models.toString(), "--data", uriOf(data));
        assertThat(code).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).contains("--data " + uriOf(data) + ": evaluate lists --data on the driver's "
                + "disks");
    }

    @Test
    void aFolderWithBrokenImagesAndCopiesAcrossClassesIsScreenedAndHashedAsTheLocalOne() throws Exception {
        Path broken = tmp.resolve("broken");
        List<String> classes = ShapesSet.TARGET.classNames().subList(0, 3);
        for (String cls : classes) {
            Path to = Files.createDirectories(broken.resolve(cls));
            try (Stream<Path> s = Files.list(data.resolve(cls))) {
                for (Path p : s.sorted().limit(12).toList()) {
                    Files.copy(p, to.resolve(p.getFileName()));
                }
            }
        }
        Path sample = firstImage(broken.resolve(classes.get(0)));
        byte[] bytes = Files.readAllBytes(sample);
        Files.write(broken.resolve(classes.get(1) + "/cut" + extension(sample)), java.util.Arrays.copyOf(bytes,
                bytes.length / 2));
        Files.write(broken.resolve(classes.get(2) + "/empty.png"), new byte[0]);
        Files.writeString(broken.resolve(classes.get(0) + "/not-an-image.jpg"), "text, not pixels");
        Files.copy(sample, broken.resolve(classes.get(2) + "/copy" + extension(sample)));
        Files.copy(sample, broken.resolve(classes.get(1) + "/another-copy" + extension(sample)));
        Files.writeString(broken.resolve(classes.get(0) + "/notes.txt"), "ignored");
        Files.createDirectories(broken.resolve("empty-class"));

        DataSettings local = new DataSettings(broken.toString(), SplitConfig.defaults(), null,
                BadImagePolicy.SKIP, 2, false, false);
        List<String> localLog = new ArrayList<>();
        TrainingData a = TrainingData.prepare(local, Seeds.of(SEED), localLog::add);
        List<String> uriLog = new ArrayList<>();
        TrainingData b = HadoopImageFolder.prepare(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                uriOf(broken), local, Seeds.of(SEED), uriLog::add);

        assertThat(b.classes()).isEqualTo(a.classes()).containsExactlyElementsOf(classes);
        for (SplitName n : SplitName.values()) {
            assertThat(paths(b.split().part(n))).as(n.label()).isEqualTo(paths(a.split().part(n)));
        }
        assertThat(b.badImages().list()).isEqualTo(a.badImages().list()).hasSize(3);
        assertThat(b.duplicates()).isEqualTo(a.duplicates()).hasSize(1);
        assertThat(b.duplicates().get(0).classes()).containsExactlyElementsOf(classes);
        assertThat(b.sha256()).isEqualTo(a.sha256());
        assertThat(b.fingerprint()).isEqualTo(a.fingerprint());
        assertThat(b.folder().ignoredFiles()).containsExactlyInAnyOrderElementsOf(a.folder().ignoredFiles());
        // the driver holds no local file for any image: only the executors read them
        assertThat(b.folder().images()).allSatisfy(im -> assertThat(im.file()).isNull());
        assertThat(uriLog).filteredOn(l -> l.startsWith("warning:"))
                .isEqualTo(localLog.stream().filter(l -> l.startsWith("warning:"))
                        .map(l -> l.replace(broken.toString(), uriOf(broken))).toList());
    }

    @Test
    void aSchemeAndASlashMakeAUriAnythingElseIsAPath() {
        for (String uri : List.of("hdfs://nn:8020/data", "s3a://bucket/photos", "file:///mnt/photos", "file:/mnt/p")) {
            assertThat(HadoopImageFolder.isUri(uri)).as(uri).isTrue();
        }
        for (String path : List.of("photos", "/mnt/photos", "../data/shapes-target", "C:\\photos", "photos:2024")) {
            assertThat(HadoopImageFolder.isUri(path)).as(path).isFalse();
        }
        assertThat(HadoopImageFolder.isUri(null)).isFalse();
    }

    @Test
    void aMissingUriIsAUsageErrorNamingIt() {
        String missing = uriOf(tmp.resolve("no-such-folder"));
        StringWriter err = new StringWriter();
        int code = features(missing, tmp.resolve("features-missing").toString(), err);
        assertThat(code).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).contains("--data " + missing + ": no such folder");
    }

    @Test
    void aUriWithOneClassIsTheErrorOfTheLocalPathNamingTheUri() throws Exception {
        Path one = tmp.resolve("one-class");
        String cls = ShapesSet.TARGET.classNames().get(0);
        Files.createDirectories(one.resolve(cls));
        Files.copy(firstImage(data.resolve(cls)), one.resolve(cls).resolve("a.png"));
        StringWriter local = new StringWriter();
        int localCode = features(one.toString(), tmp.resolve("features-one-a").toString(), local);
        StringWriter byUri = new StringWriter();
        int uriCode = features(uriOf(one), tmp.resolve("features-one-b").toString(), byUri);
        assertThat(uriCode).isEqualTo(localCode).isNotZero();
        assertThat(byUri.toString()).contains(uriOf(one) + ": found only one class (" + cls + "/)");
        assertThat(local.toString()).contains(one + ": found only one class (" + cls + "/)");
    }

    static Path firstImage(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(org.finetune4j.data.ImageFolder::hasImageExtension).sorted().findFirst().orElseThrow();
        }
    }

    static String extension(Path file) {
        String name = file.getFileName().toString();
        return name.substring(name.lastIndexOf('.'));
    }

    static List<String> paths(List<LabeledImage> part) {
        return part.stream().map(im -> im.relativePath() + " " + im.classIndex()).toList();
    }

    /** A split's list as {@code features} stored it: paths in position order. */
    static List<String> list(Map<String, Row> rows, String split) {
        return rows.values().stream().filter(r -> split.equals(r.getAs("split")))
                .sorted(java.util.Comparator.comparingInt(r -> r.<Integer>getAs("position")))
                .map(r -> r.getString(0)).toList();
    }

    static Map<String, Row> rowsByPath(String dir) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : spark.read().parquet(dir).collectAsList()) {
            assertThat(m.put(r.getString(0), r)).as("one row per path").isNull();
        }
        return m;
    }
}
