package org.finetune4j.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.Backend;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Json;
import org.finetune4j.core.RunInfo;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.extract.FeatureCache;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.features.LinearHead;
import org.finetune4j.features.LinearModel;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;

/**
 * {@code fit} on Spark: MLlib's multinomial {@link LogisticRegression} on the training rows of a features folder, its
 * strength chosen by a seeded k-fold {@link CrossValidator} over a grid of {@code C}, scored on the validation and test
 * rows, and written as a normal finetune4j bundle: the cut backbone of the features run plus one softmax layer holding
 * MLlib's coefficients ({@link LinearHead#attach}), so {@code predict}, {@code evaluate}, {@code serve} and the
 * library use it unchanged.
 *
 * <p>Strength: {@code train --mode features} minimises {@code (1/n) Σ loss + λ·½‖W‖²} with {@code λ = 1/(C n)};
 * MLlib minimises {@code (1/n) Σ loss + regParam·((1-α)·½‖W‖² + α‖W‖₁)}. So {@code regParam = 1/(C n)} with
 * {@code n} the training rows, and α = 0 ({@code --penalty l2}) is the same objective; {@code l1} is α = 1,
 * {@code elastic-net} takes α from {@code --l1-ratio}. With {@code standardize} (the command's default) MLlib penalises
 * the coefficients of the standardised features and returns them on the original scale, which is the standardisation
 * folded into the head — the objective of {@code train --mode features --standardize}. Without it MLlib penalises the
 * raw coefficients; its L-BFGS then converges poorly on sparse ReLU features (docs/spark.md).
 * <pre>{@code
 * SparkFit.Result r = SparkFit.run(spark, new SparkFit.Config("hdfs:///features/photos", "photos-spark", "l2", 0.5,
 *         5, List.of(0.01, 0.1, 1.0), 1000, false, 12345L, Path.of("models")), System.err::println);
 * }</pre>
 */
public final class SparkFit {

    /**
     * What to fit.
     *
     * @param features      the features folder written by {@code features}
     * @param name          the bundle's name ({@code models/<name>})
     * @param penalty       {@code l2}, {@code l1} or {@code elastic-net}
     * @param l1Ratio       α of the elastic net, in (0, 1) (used with {@code elastic-net})
     * @param folds         cross-validation folds on the training rows, at least 2
     * @param cGrid         inverse strengths to try, all positive
     * @param maxIterations MLlib's maximum iterations, at least 1
     * @param standardize   let MLlib standardise the features (the coefficients come back on the original scale)
     * @param seed          the root seed: the folds come from its {@code classifier} stream
     * @param modelsDir     where the bundle is written
     */
    public record Config(String features, String name, String penalty, double l1Ratio, int folds, List<Double> cGrid,
                         int maxIterations, boolean standardize, long seed, Path modelsDir) {
        public Config {
            if (name == null || name.isBlank() || name.contains("/") || name.startsWith(".")) {
                throw new UsageException("--name " + name + ": expected a plain folder name for models/<name>, e.g. "
                        + "photos-spark.");
            }
            if (!List.of("l2", "l1", "elastic-net").contains(penalty)) {
                throw new UsageException("--penalty " + penalty + ": unknown penalty. Expected l2, l1 or "
                        + "elastic-net.");
            }
            if (!(l1Ratio > 0 && l1Ratio < 1)) {
                throw new UsageException("--l1-ratio " + l1Ratio + ": expected a number strictly between 0 and 1.");
            }
            if (folds < 2) {
                throw new UsageException("--folds " + folds + ": expected at least 2.");
            }
            if (cGrid == null || cGrid.isEmpty() || cGrid.stream().anyMatch(c -> !(c > 0))) {
                throw new UsageException("--c-grid " + cGrid + ": expected one or more positive values.");
            }
            cGrid = cGrid.stream().sorted().distinct().toList();
            if (maxIterations < 1) {
                throw new UsageException("--max-iterations " + maxIterations + ": expected at least 1.");
            }
        }

        /** @return α of MLlib's elastic net for this penalty */
        public double elasticNetParam() {
            return switch (penalty) {
                case "l1" -> 1.0;
                case "elastic-net" -> l1Ratio;
                default -> 0.0;
            };
        }
    }

    /**
     * What {@code fit} did.
     *
     * @param bundleDir     the bundle written
     * @param bundle        its metadata
     * @param c             the chosen C
     * @param regParam      MLlib's regParam for it ({@code 1/(C n)})
     * @param cvAccuracy    mean cross-validation accuracy per C, in grid order
     * @param trainRows     training rows
     * @param valAccuracy   validation accuracy (NaN without validation rows)
     * @param testAccuracy  test accuracy (NaN without test rows)
     * @param testLoss      test cross-entropy (NaN without test rows)
     * @param model         MLlib's fitted model
     * @param linear        the same classifier as a finetune4j linear model on the raw features
     * @param seconds       wall-clock seconds
     */
    public record Result(Path bundleDir, ModelBundle bundle, double c, double regParam, Map<Double, Double> cvAccuracy,
                         long trainRows, double valAccuracy, double testAccuracy, double testLoss,
                         LogisticRegressionModel model, LinearModel linear, double seconds) {
    }

    private SparkFit() {
    }

    /**
     * The rows of a features folder with an MLlib vector column {@code vector} and a double label column {@code y}.
     *
     * @param split {@code train}, {@code val} or {@code test}
     */
    public static Dataset<Row> rows(SparkSession spark, String features, String split) {
        return spark.read().parquet(features).filter(functions.col("split").equalTo(split))
                .withColumn("vector", org.apache.spark.ml.functions.array_to_vector(functions.col("features")))
                .withColumn("y", functions.col("label_index").cast("double"));
    }

    /**
     * Runs {@code fit}.
     *
     * @param log one-line notes for the user
     * @throws DataException when the features have no training rows or miss a class
     */
    public static Result run(SparkSession spark, Config cfg, Consumer<String> log) {
        long started = System.nanoTime();
        FeatureSpace space = FeatureSpace.read(cfg.features(), spark.sparkContext().hadoopConfiguration());
        Dataset<Row> train = rows(spark, cfg.features(), "train").cache();
        long n = train.count();
        if (n < cfg.folds()) {
            throw new DataException("--features " + cfg.features() + ": " + n + " training rows for " + cfg.folds()
                    + " folds. Expected at least as many rows as folds; use fewer --folds or more data.");
        }
        List<Integer> present = train.select("label_index").distinct().as(Encoders.INT()).collectAsList();
        if (present.size() != space.classes().size()) {
            List<String> missing = new ArrayList<>();
            for (int k = 0; k < space.classes().size(); k++) {
                if (!present.contains(k)) {
                    missing.add(space.classes().get(k));
                }
            }
            throw new DataException("--features " + cfg.features() + ": no training rows of class(es) " + missing
                    + ". Expected every class in the training split; featurize again after fixing the data.");
        }
        LogisticRegression lr = new LogisticRegression().setFamily("multinomial").setFeaturesCol("vector")
                .setLabelCol("y").setMaxIter(cfg.maxIterations()).setTol(1e-6)
                .setStandardization(cfg.standardize()).setElasticNetParam(cfg.elasticNetParam());
        double[] regParams = cfg.cGrid().stream().mapToDouble(c -> 1.0 / (c * n)).toArray();
        ParamMap[] grid = new ParamGridBuilder().addGrid(lr.regParam(), regParams).build();
        MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator().setLabelCol("y")
                .setMetricName("accuracy");
        long foldSeed = Seeds.of(cfg.seed()).value("classifier");
        log.accept("fit: MLlib multinomial logistic regression (" + cfg.penalty() + ", elastic-net α "
                + cfg.elasticNetParam() + ") cross-validated over " + regParams.length + " values of C with "
                + cfg.folds() + " folds on " + n + " training rows (regParam = 1/(C·n))");
        CrossValidatorModel cv = new CrossValidator().setEstimator(lr).setEstimatorParamMaps(grid)
                .setEvaluator(accuracy).setNumFolds(cfg.folds()).setSeed(foldSeed).setParallelism(1).fit(train);
        Map<Double, Double> cvAccuracy = new LinkedHashMap<>();
        int best = 0;
        for (int i = 0; i < regParams.length; i++) {
            cvAccuracy.put(cfg.cGrid().get(i), cv.avgMetrics()[i]);
            if (cv.avgMetrics()[i] > cv.avgMetrics()[best]) {
                best = i;
            }
        }
        LogisticRegressionModel model = (LogisticRegressionModel) cv.bestModel();
        double c = cfg.cGrid().get(best);
        LinearModel linear = linear(model, space.classes().size());

        Dataset<Row> val = rows(spark, cfg.features(), "val");
        Dataset<Row> test = rows(spark, cfg.features(), "test");
        double valAcc = score(model, val, accuracy);
        double testAcc = score(model, test, accuracy);
        double testLoss = score(model, test, new MulticlassClassificationEvaluator().setLabelCol("y")
                .setMetricName("logLoss"));
        train.unpersist();
        List<String> testPaths = test.orderBy("position").select("path").as(Encoders.STRING()).collectAsList();

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("test-accuracy", testAcc);
        metrics.put("test-loss", testLoss);
        metrics.put("val-accuracy", valAcc);
        metrics.put("cv-accuracy", cv.avgMetrics()[best]);
        metrics.put("c", c);
        metrics.values().removeIf(v -> v == null || v.isNaN());
        Path dir = cfg.modelsDir().resolve(cfg.name());
        ModelBundle written = writeBundle(spark, cfg, space, linear, c, regParams[best], testPaths, metrics, dir);
        log.accept("fit: C " + c + " (regParam " + regParams[best] + "), validation accuracy " + valAcc
                + ", test accuracy " + testAcc);
        return new Result(dir, written, c, regParams[best], cvAccuracy, n, valAcc, testAcc, testLoss, model, linear,
                (System.nanoTime() - started) / 1e9);
    }

    private static double score(LogisticRegressionModel model, Dataset<Row> rows,
                                MulticlassClassificationEvaluator evaluator) {
        return rows.isEmpty() ? Double.NaN : evaluator.evaluate(model.transform(rows));
    }

    /** MLlib's coefficients (classes × features, on the raw features) and intercepts as a finetune4j model. */
    static LinearModel linear(LogisticRegressionModel model, int classes) {
        Matrix m = model.coefficientMatrix();
        double[][] w = new double[classes][m.numCols()];
        double[] b = new double[classes];
        for (int k = 0; k < classes; k++) {
            for (int j = 0; j < m.numCols(); j++) {
                w[k][j] = m.apply(k, j);
            }
            b[k] = model.interceptVector().apply(k);
        }
        return new LinearModel(w, b);
    }

    private static ModelBundle writeBundle(SparkSession spark, Config cfg, FeatureSpace space, LinearModel linear,
                                           double c, double regParam, List<String> testPaths,
                                           Map<String, Double> metrics, Path dir) {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("finetune4j-fit");
            Path local = scratch.resolve(FeatureSpace.EXTRACTOR_FILE);
            FeatureSpace.copyExtractor(cfg.features(), local, spark.sparkContext().hadoopConfiguration());
            Backend.setUp();
            ComputationGraph cut = BundleStore.readZip(local);
            FeatureExtractor fx = FeatureExtractor.of(cut, space.preprocessing(), space.layer(), space.pooling(),
                    FeatureCache.of(scratch.resolve("unused-cache")));
            ComputationGraph graph = LinearHead.attach(fx, linear);
            ObjectNode runConfig = Json.mapper().valueToTree(cfg);
            runConfig.remove("models-dir");
            runConfig.put("engine", "spark-mllib " + spark.version());
            runConfig.set("labels", Json.mapper().valueToTree(space.classes()));
            runConfig.put("backbone", space.backbone());
            runConfig.put("feature-layer", space.layer());
            runConfig.put("pooling", space.pooling());
            runConfig.put("feature-dimension", space.dimension());
            runConfig.put("chosen-c", c);
            runConfig.put("reg-param", regParam);
            runConfig.set("preprocessing", Json.mapper().valueToTree(space.preprocessing()));
            runConfig.put("scores", "softmax probabilities of the logistic regression");
            String frozenTop = "none".equals(space.pooling()) ? space.layer() : FeatureExtractor.POOL_VERTEX;
            ModelBundle meta = new ModelBundle(ModelBundle.FORMAT_VERSION, cfg.name(), space.classes(),
                    space.preprocessing(), new ModelBundle.Origin(space.backbone(), frozenTop, space.layer(),
                    "features", runConfig), new ModelBundle.DataOrigin(space.dataRoot(), space.dataFingerprint(),
                    testPaths), metrics, RunInfo.current(space.seed()), null);
            return BundleStore.save(dir, graph, meta);
        } catch (IOException e) {
            throw new UncheckedIOException("fit: cannot make the bundle: " + e.getMessage(), e);
        } finally {
            if (scratch != null) {
                HadoopFiles.deleteScratch(scratch);
            }
        }
    }
}
