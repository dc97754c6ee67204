package org.finetune4j.spark.bench;

import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.ShapesConfig;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.FeatureTrainer;
import org.finetune4j.model.WeightsSettings;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.spark.Main;
import org.finetune4j.spark.SparkFeaturizer;
import org.finetune4j.stage.FeaturesStage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (tag {@code bench}, left out of {@code mvn test}): featurize throughput of Spark in
 * {@code local[2]} against the single-machine {@code features} stage on the same images, backbone, batch size and
 * decoding threads, each from an empty cache. Prints images/s of both and their ratio (the engine's overhead); the
 * first round of each warms up (JIT, native kernels) and is not counted.
 * <pre>
 * mvn -f spark/pom.xml test -Dspark.tests.excluded= -Dtest=FeaturizeBench -Dbench.perClass=100 -Dbench.rounds=2
 *     [-Dbench.chunkBatches=2] [-Dbench.batchSize=32] [-Dbench.model=vgg16 -Dbench.weights=FILE]
 *     [-Dbench.master=local[1]] [-Dbench.taskCpus=2]
 * </pre>
 * {@code -Dbench.taskCpus} is {@code spark.task.cpus} (default 1: as many concurrent tasks as the master has cores);
 * with VGG16 set it to the master's cores, one task at a time with all of them, as docs/spark.md sizes executors.
 * {@code -Dbench.weights} takes a weights file of the model's layout with any checksum, as {@code --weights FILE
 * --weights-md5 any}: for VGG16 offline, the full-size file with random values that the main module's
 * {@code FineTuneBench} writes ({@code target/perf/finetune/vgg16_weights_tf_dim_ordering_tf_kernels.h5}).
 */
@Tag("bench")
class FeaturizeBench {

    @TempDir
    Path tmp;

    @Test
    void localTwoVersusSingleMachine() throws Exception {
        int perClass = Integer.getInteger("bench.perClass", 200);
        int rounds = Integer.getInteger("bench.rounds", 3);
        String model = System.getProperty("bench.model", "mini-vgg-shapes");
        int batch = Integer.getInteger("bench.batchSize", 32);
        // batches per Spark task: enough tasks that the last wave does not leave a slot idle
        int chunkBatches = Integer.getInteger("bench.chunkBatches", 2);
        Path data = ShapesGenerator.ensure(new ShapesConfig(ShapesConfig.defaults().sourcePerClass(), perClass,
                ShapesConfig.defaults().minSidePx(), ShapesConfig.defaults().maxSidePx(), 12345L),
                tmp.resolve("data")).target().dir();
        Path models = Path.of("..", "models");
        var run = Main.featureRun(data.toString(), model, batch, SplitConfig.defaults(), BadImagePolicy.SKIP, 2,
                false, false, 12345L);
        String weights = System.getProperty("bench.weights");
        if (weights != null) {
            // a weights file of the model's layout, any checksum (e.g. VGG16 with random values: speed does not
            // depend on them), as --weights FILE --weights-md5 any
            var b = run.backbone();
            run = new TrainConfig(run.mode(), run.name(), new TrainConfig.BackboneSettings(b.model(),
                    b.freezeUntil(), b.architecture(), new WeightsSettings(Path.of(weights).toAbsolutePath()
                    .toString(), null, null, WeightsSettings.ANY_MD5)), run.fineTune(), run.data(), run.seed(),
                    run.balance());
        }
        SparkSession spark = SparkSession.builder().master(System.getProperty("bench.master", "local[2]")).appName("featurize-bench")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.task.cpus", System.getProperty("bench.taskCpus", "1")).getOrCreate();
        try {
            double singleSum = 0;
            double sparkSum = 0;
            for (int r = 0; r <= rounds; r++) {
                ExtractionConfig ex = new ExtractionConfig(null, "auto", tmp.resolve("cache" + r).toString(), null, 0,
                        batch);
                FeatureTrainer.Featurized f = FeaturesStage.run(run, ex, models, null, s -> { }, false).features();
                double single = f.stats().imagesPerSecond();
                SparkFeaturizer.Result s = SparkFeaturizer.run(spark, new SparkFeaturizer.Config(run, ex, null,
                        tmp.resolve("out" + r).toString(), chunkBatches, models), m -> { });
                double local2 = s.imagesPerSecond();
                System.out.printf(Locale.ROOT, "round %d%s: %d images, single machine %.1f img/s, %s %.1f img/s"
                        + " (%d tasks, spark.task.cpus %s), ratio %.2f%n", r, r == 0 ? " (warm-up)" : "", s.computed(),
                        single, spark.sparkContext().master(), local2, s.tasks(),
                        spark.sparkContext().getConf().get("spark.task.cpus"), local2 / single);
                if (r > 0) {
                    singleSum += single;
                    sparkSum += local2;
                }
            }
            System.out.printf(Locale.ROOT, "mean over %d rounds: single machine %.1f img/s, local[2] %.1f img/s, "
                    + "ratio %.2f%n", rounds, singleSum / rounds, sparkSum / rounds, sparkSum / singleSum);
        } finally {
            spark.stop();
        }
    }
}
