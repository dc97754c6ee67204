package org.finetune4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.finetune4j.core.DataException;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.Predictor;

/**
 * {@code predict} on Spark: every image under a folder (any Hadoop file system) classified by a bundle on the
 * executors, with the single-machine {@link Predictor} (each executor loads the bundle once per JVM), written as one
 * row per image and rank: {@code (path, rank, label, probability, error)} — Parquet, or CSV when the output name ends
 * in {@code .csv} (a folder of CSV parts with a header, as Spark writes it). An unreadable image gets one row with rank
 * 0 and its reason in {@code error}.
 * <pre>{@code
 * SparkPredict.run(spark, new SparkPredict.Config("photos-spark", Path.of("models"), "hdfs:///incoming", 5, 32, 256,
 *         "hdfs:///predictions/incoming.csv"), System.err::println);
 * }</pre>
 */
public final class SparkPredict {

    /** The rows written. */
    public static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("rank", DataTypes.IntegerType, false)
            .add("label", DataTypes.StringType, true)
            .add("probability", DataTypes.DoubleType, true)
            .add("error", DataTypes.StringType, true);

    /**
     * What to predict.
     *
     * @param model       the bundle: a name under {@code modelsDir} or its folder
     * @param modelsDir   where bundles are found
     * @param folder      the images (URI or local path), searched recursively
     * @param topK        classes per image, at least 1
     * @param batchSize   images per forward pass, at least 1
     * @param chunkImages images per Spark task, at least 1
     * @param out         the output (a {@code .csv} name for CSV, else Parquet)
     */
    public record Config(String model, Path modelsDir, String folder, int topK, int batchSize, int chunkImages,
                         String out) {
        public Config {
            if (topK < 1) {
                throw new UsageException("--top-k " + topK + ": expected at least 1.");
            }
            if (batchSize < 1) {
                throw new UsageException("--batch-size " + batchSize + ": expected at least 1.");
            }
            if (chunkImages < 1) {
                throw new UsageException("--chunk-images " + chunkImages + ": expected at least 1.");
            }
        }
    }

    /**
     * What {@code predict} did.
     *
     * @param bundle  the bundle's name
     * @param images  images found
     * @param failed  images that could not be read
     * @param out     where the rows are
     * @param seconds wall-clock seconds
     */
    public record Result(String bundle, long images, long failed, String out, double seconds) {
    }

    /** One image to classify. */
    record ImageRef(String uri, String name) implements Serializable {
    }

    private SparkPredict() {
    }

    /**
     * Runs {@code predict}.
     *
     * @throws UsageException for an unknown bundle or a folder without images
     */
    public static Result run(SparkSession spark, Config cfg, Consumer<String> log) {
        long started = System.nanoTime();
        Shipped bundle = Shipped.bundle(spark, cfg.model(), cfg.modelsDir(), "predict");
        List<ImageRef> images = list(spark, cfg.folder());
        if (images.isEmpty()) {
            throw new UsageException(cfg.folder() + ": no images found. Supported extensions: "
                    + String.join(", ", ImageFolder.EXTENSIONS) + ". Name a folder that holds images.");
        }
        List<List<ImageRef>> chunks = new ArrayList<>();
        for (int i = 0; i < images.size(); i += cfg.chunkImages()) {
            chunks.add(new ArrayList<>(images.subList(i, Math.min(images.size(), i + cfg.chunkImages()))));
        }
        log.accept("predict: " + images.size() + " images under " + cfg.folder() + " in " + chunks.size()
                + " task(s) with " + bundle.name());
        HadoopFiles files = HadoopFiles.of(spark.sparkContext().hadoopConfiguration());
        int topK = cfg.topK();
        int batchSize = cfg.batchSize();
        JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(chunks, chunks.size())
                .mapPartitions(it -> predict(it, bundle, files, topK, batchSize));
        Dataset<Row> df = spark.createDataFrame(rows, SCHEMA);
        if (cfg.out().endsWith(".csv")) {
            df.write().mode(SaveMode.Overwrite).option("header", "true").csv(cfg.out());
        } else {
            df.write().mode(SaveMode.Overwrite).parquet(cfg.out());
        }
        Dataset<Row> written = cfg.out().endsWith(".csv")
                ? spark.read().option("header", "true").schema(SCHEMA).csv(cfg.out())
                : spark.read().parquet(cfg.out());
        long failed = written.filter("rank = 0").count();
        return new Result(bundle.name(), images.size(), failed, cfg.out(),
                (System.nanoTime() - started) / 1e9);
    }

    private static Iterator<Row> predict(Iterator<List<ImageRef>> chunks, Shipped bundle, HadoopFiles files,
                                         int topK, int batchSize) {
        BundleStore.Loaded loaded = bundle.load();
        ModelBundle meta = loaded.bundle();
        ImageDecoder decoder = new ImageDecoder(meta.preprocessing().input().channels(),
                ImageDecoder.DEFAULT_MAX_PIXELS);
        List<Row> rows = new ArrayList<>();
        while (chunks.hasNext()) {
            List<ImageRef> chunk = chunks.next();
            Path scratch = Shipped.scratch();
            try {
                List<Path> local = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (int i = 0; i < chunk.size(); i++) {
                    local.add(files.local(chunk.get(i).uri(), scratch, i + "-" + Path.of(chunk.get(i).name())
                            .getFileName()));
                    names.add(chunk.get(i).name());
                }
                List<Predictor.Prediction> predictions;
                synchronized (loaded) {   // tasks of one JVM share the network; DL4J graphs are not thread-safe
                    predictions = new Predictor(loaded, decoder).predict(local, names, topK, batchSize);
                }
                for (Predictor.Prediction p : predictions) {
                    if (p.error() != null) {
                        rows.add(RowFactory.create(p.file(), 0, null, null, p.error()));
                    }
                    for (int r = 0; r < p.top().size(); r++) {
                        rows.add(RowFactory.create(p.file(), r + 1, p.top().get(r).label(),
                                p.top().get(r).probability(), null));
                    }
                }
            } finally {
                HadoopFiles.deleteScratch(scratch);
            }
        }
        return rows.iterator();
    }

    /** The images under a folder, sorted by path, named relative to it. */
    static List<ImageRef> list(SparkSession spark, String folder) {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(folder);
        try {
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(root)) {
                throw new UsageException(folder + ": no such folder. Expected a folder of images (a path or an "
                        + "hdfs://, s3a:// or file: URI).");
            }
            String base = fs.getFileStatus(root).getPath().toUri().getPath();
            List<ImageRef> out = new ArrayList<>();
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) {
                LocatedFileStatus st = it.next();
                String name = st.getPath().getName();
                if (name.startsWith(".") || !ImageFolder.hasImageExtension(Path.of(name))) {
                    continue;
                }
                String rel = st.getPath().toUri().getPath().substring(base.length()).replaceFirst("^/", "");
                out.add(new ImageRef(st.getPath().toUri().toString(), rel));
            }
            out.sort(java.util.Comparator.comparing(ImageRef::name));
            return out;
        } catch (IOException e) {
            throw new DataException(folder + ": cannot list the folder: " + e.getMessage() + ". Check the URI and "
                    + "the file system's configuration.");
        }
    }
}
