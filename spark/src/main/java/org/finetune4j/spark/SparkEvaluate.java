package org.finetune4j.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.finetune4j.core.DataException;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.eval.ConfusionMatrix;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.Metrics;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.NativeInference;
import org.finetune4j.stage.EvaluateStage;

/**
 * {@code evaluate} on Spark: the images {@code evaluate} would take (the bundle's recorded test split, or the class
 * folders of {@code --data}) split into tasks; each task runs the single-machine {@link MultiCropEvaluator} on its
 * images and returns counts only — the confusion matrix of the protocol and of the centre crop, and how many images had
 * their class in the top five — which the driver sums and turns into the same {@link Metrics} as {@code evaluate}
 * ({@link Metrics#of(List, ConfusionMatrix, Double)}). Nothing per image travels back, so it scales with the classes,
 * not the images.
 * <pre>{@code
 * SparkEvaluate.Result r = SparkEvaluate.run(spark, new SparkEvaluate.Config("photos-spark", Path.of("models"), null,
 *         null, "ten-crop", "probs", 32, 64), System.err::println);
 * }</pre>
 */
public final class SparkEvaluate {

    /**
     * What to evaluate.
     *
     * @param model       the bundle
     * @param modelsDir   where bundles are found
     * @param data        a folder of class folders as the driver sees it, or null for the bundle's test split
     * @param dataUri     the same folder as the executors read it, or null for its {@code file:} URI (for the
     *                    bundle's test split: the URI the bundle records when it records one)
     * @param protocol    a protocol name or YAML file
     * @param average     {@code probs} or {@code log-probs}
     * @param batchSize   crops per forward pass, at least 1
     * @param chunkImages images per Spark task, at least 1
     */
    public record Config(String model, Path modelsDir, String data, String dataUri, String protocol, String average,
                         int batchSize, int chunkImages) {
        public Config {
            if (batchSize < 1) {
                throw new UsageException("--batch-size " + batchSize + ": expected at least 1 crop per forward "
                        + "pass.");
            }
            if (chunkImages < 1) {
                throw new UsageException("--chunk-images " + chunkImages + ": expected at least 1.");
            }
        }
    }

    /**
     * What {@code evaluate} found.
     *
     * @param bundle   the bundle's name
     * @param protocol the protocol's name
     * @param crops    crops per image
     * @param metrics  the protocol's metrics
     * @param center   the centre crop's metrics
     * @param images   images evaluated
     * @param bad      images that could not be read
     * @param tasks    Spark tasks
     * @param seconds  wall-clock seconds
     */
    public record Result(String bundle, String protocol, int crops, Metrics metrics, Metrics center, long images,
                         long bad, int tasks, double seconds) {
    }

    /** One image to evaluate. */
    record ImageRef(String uri, String path, int classIndex) implements Serializable {
    }

    /** What a task sends back: counts only. */
    record Counts(long[][] protocol, long[][] center, long protocolTop5, long centerTop5, long bad)
            implements Serializable {
        Counts plus(Counts o) {
            return new Counts(add(protocol, o.protocol), add(center, o.center), protocolTop5 + o.protocolTop5,
                    centerTop5 + o.centerTop5, bad + o.bad);
        }

        private static long[][] add(long[][] a, long[][] b) {
            long[][] s = new long[a.length][];
            for (int i = 0; i < a.length; i++) {
                s[i] = a[i].clone();
                for (int j = 0; j < s[i].length; j++) {
                    s[i][j] += b[i][j];
                }
            }
            return s;
        }
    }

    private SparkEvaluate() {
    }

    /**
     * Runs {@code evaluate}.
     *
     * @throws UsageException for a bad protocol, averaging or bundle
     */
    public static Result run(SparkSession spark, Config cfg, Consumer<String> log) {
        long started = System.nanoTime();
        MultiCropEvaluator.Averaging.of(cfg.average());
        CropProtocol protocol = CropProtocolLoader.load(cfg.protocol());
        Shipped shipped = Shipped.bundle(spark, cfg.model(), cfg.modelsDir(), "evaluate");
        ModelBundle meta = BundleStore.readMeta(Path.of(shipped.dir()));
        protocol.crops(meta.preprocessing());
        if (HadoopImageFolder.isUri(cfg.data())) {
            throw new UsageException("--data " + cfg.data() + ": evaluate lists --data on the driver's disks. Give "
                    + "a path the driver sees (and --data-uri for the executors), or leave --data out to evaluate "
                    + "the bundle's recorded test split, which is read from the URI it was featurized from.");
        }
        // a bundle fitted on features of a folder named by URI: its test split is read from that URI
        boolean listed = cfg.data() == null && HadoopImageFolder.isUri(meta.dataRoot());
        EvaluateStage.Images found = cfg.data() != null ? EvaluateStage.fromFolder(Path.of(cfg.data()), meta)
                : listed ? EvaluateStage.recordedTestSplit(meta) : EvaluateStage.fromBundle(meta);
        String dataUri = cfg.dataUri() != null ? cfg.dataUri() : listed ? meta.dataRoot() : null;
        List<ImageRef> refs = new ArrayList<>();
        for (LabeledImage im : found.images()) {
            refs.add(new ImageRef(SparkFeaturizer.uri(dataUri, im), im.relativePath(), im.classIndex()));
        }
        List<List<ImageRef>> chunks = new ArrayList<>();
        for (int i = 0; i < refs.size(); i += cfg.chunkImages()) {
            chunks.add(new ArrayList<>(refs.subList(i, Math.min(refs.size(), i + cfg.chunkImages()))));
        }
        log.accept("evaluate: " + shipped.name() + " on " + refs.size() + " images (" + found.description()
                + "), protocol " + protocol.name() + " (" + protocol.cropCount() + " crops), " + chunks.size()
                + " task(s)");
        HadoopFiles files = HadoopFiles.of(spark.sparkContext().hadoopConfiguration());
        String protocolSpec = cfg.protocol();
        String average = cfg.average();
        int batchSize = cfg.batchSize();
        Counts sum = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(chunks, chunks.size())
                .map(chunk -> evaluate(chunk, shipped, files, protocolSpec, average, batchSize))
                .reduce(Counts::plus);
        List<String> labels = meta.labels();
        ConfusionMatrix protocolCm = ConfusionMatrix.of(sum.protocol());
        ConfusionMatrix centerCm = ConfusionMatrix.of(sum.center());
        long n = protocolCm.total();
        if (n == 0) {
            throw new DataException("none of the " + refs.size() + " images could be read. Expected readable "
                    + "images; check the data folder and --data-uri.");
        }
        boolean top5 = labels.size() > 5;
        Metrics metrics = Metrics.of(labels, protocolCm, top5 ? sum.protocolTop5() / (double) n : null);
        Metrics center = Metrics.of(labels, centerCm, top5 ? sum.centerTop5() / (double) n : null);
        return new Result(shipped.name(), protocol.name(), protocol.cropCount(), metrics, center, n, sum.bad(),
                chunks.size(), (System.nanoTime() - started) / 1e9);
    }

    /** Runs on an executor: the counts of one task's images. */
    private static Counts evaluate(List<ImageRef> chunk, Shipped shipped, HadoopFiles files, String protocolSpec,
                                   String average, int batchSize) {
        BundleStore.Loaded loaded = shipped.load();
        ModelBundle b = loaded.bundle();
        MultiCropEvaluator ev = new MultiCropEvaluator(b.preprocessing(), CropProtocolLoader.load(protocolSpec),
                MultiCropEvaluator.Averaging.of(average), batchSize);
        ImageDecoder decoder = new ImageDecoder(b.preprocessing().input().channels(), ImageDecoder.DEFAULT_MAX_PIXELS);
        Path scratch = Shipped.scratch();
        try {
            List<LabeledImage> images = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                ImageRef r = chunk.get(i);
                images.add(new LabeledImage(files.local(r.uri(), scratch, i + "-" + Path.of(r.path()).getFileName()),
                        r.path(), r.classIndex()));
            }
            Evaluation e;
            synchronized (loaded) {   // tasks of one JVM share the network; DL4J graphs are not thread-safe
                // the forward pass of the single-machine evaluate (stage.EvaluateStage)
                try (NativeInference inference = NativeInference.of(loaded.graph())) {
                    e = ev.evaluate(images, b.labels(), decoder, inference::output, () -> { });
                }
            }
            long protocolTop5 = 0;
            long centerTop5 = 0;
            for (Evaluation.ImageResult r : e.images()) {
                protocolTop5 += Metrics.rank(r.probabilities(), r.trueClass()) < 5 ? 1 : 0;
                centerTop5 += Metrics.rank(r.centerProbabilities(), r.trueClass()) < 5 ? 1 : 0;
            }
            return new Counts(e.protocolMetrics().confusion(), e.centerMetrics().confusion(), protocolTop5,
                    centerTop5, e.badImages().size());
        } finally {
            HadoopFiles.deleteScratch(scratch);
        }
    }
}
