package org.finetune4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImageLog;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.data.SplitName;
import org.finetune4j.data.TrainingData;
import org.finetune4j.extract.FeatureCache;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.FeatureTrainer;
import org.finetune4j.model.BackboneLoader;
import org.finetune4j.model.BundleStore;
import org.finetune4j.run.PreparedRun;
import org.finetune4j.run.RunSetup;
import org.finetune4j.run.TrainConfig;

/**
 * {@code features} on Spark: the driver scans and splits the folder exactly as {@code train --mode features} does
 * (same seed, same screening, same lists; a folder named by URI is listed through Hadoop and its files screened and
 * hashed on the executors, {@link HadoopImageFolder}), loads the backbone and cuts it after the feature layer; the
 * executors load the cut network once per JVM and run the same {@link FeatureExtractor} on the images, read through
 * Hadoop's file systems. The result is a Parquet folder of {@link #SCHEMA} rows, one per usable image, plus
 * {@code _finetune4j/} ({@link FeatureSpace}).
 *
 * <p>Units of work are runs of whole batches of a split's image list ({@code chunkBatches} batches each), so every
 * image is in the same forward pass as on one machine and its vector is the same bit for bit (oneDNN's kernels make the
 * last bits of a vector depend on its batch). A re-run reads the stored vectors and computes only the units that hold
 * an image whose content (SHA-256) has no vector under the same extractor; the others' rows are copied, under their
 * current path, split and label. The new folder is written beside the old one and swapped in when complete.
 * <pre>{@code
 * SparkFeaturizer.Result r = SparkFeaturizer.run(spark, new SparkFeaturizer.Config(run, extraction, null,
 *         "hdfs:///features/photos", 8, Path.of("models")), System.err::println);
 * }</pre>
 */
public final class SparkFeaturizer {

    /** The rows of a features folder. {@code position} is the image's index in its split's list. */
    public static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("hash", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, false)
            .add("label_index", DataTypes.IntegerType, false)
            .add("split", DataTypes.StringType, false)
            .add("position", DataTypes.IntegerType, false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    /**
     * What to featurize and where to put it.
     *
     * @param run          data, backbone, seed and decoding threads, as {@code features} takes them
     * @param extraction   layer, pooling and batch size ({@code --augment-copies} must be 0)
     * @param dataUri      the data folder as the executors read it ({@code hdfs://…}, {@code s3a://…}); null for
     *                     {@code run.data().folder()} itself when that is a URI, else for its {@code file:} URI
     * @param out          the features folder (any Hadoop file system URI or a local path)
     * @param chunkBatches batches per unit of work (a Spark task), at least 1
     * @param modelsDir    where bundle backbones are found
     */
    public record Config(TrainConfig run, ExtractionConfig extraction, String dataUri, String out, int chunkBatches,
                         Path modelsDir) {
        public Config {
            if (chunkBatches < 1) {
                throw new UsageException("--chunk-batches " + chunkBatches + ": expected at least 1.");
            }
            if (extraction.augmentCopies() > 0) {
                throw new UsageException("--augment-copies " + extraction.augmentCopies() + ": the Spark features "
                        + "stage computes centre views only. Expected 0; run `train --mode features "
                        + "--augment-copies N` on one machine for augmented copies.");
            }
            if (out == null || out.isBlank()) {
                throw new UsageException("--out: missing. Expected the features folder to write, e.g. "
                        + "--out hdfs:///features/photos.");
            }
        }
    }

    /**
     * What {@code features} did.
     *
     * @param out             the features folder
     * @param space           its extractor record
     * @param images          usable images listed (all splits)
     * @param computed        vectors computed in this run
     * @param reused          vectors copied from the previous run
     * @param bad             images left out because they could not be decoded
     * @param tasks           Spark tasks (units of work) run
     * @param computeSeconds  wall-clock seconds of the Spark job
     * @param seconds         wall-clock seconds in all
     */
    public record Result(String out, FeatureSpace space, long images, long computed, long reused, long bad,
                         int tasks, double computeSeconds, double seconds) {
        /** @return images computed per second of the Spark job, NaN when nothing was computed */
        public double imagesPerSecond() {
            return computed == 0 ? Double.NaN : computed / computeSeconds;
        }
    }

    /** One image as an executor needs it. */
    record ImageRef(String path, String uri, String hash, String label, int labelIndex, int position)
            implements Serializable {
    }

    /** A unit of work: consecutive whole batches of one split's list. */
    record Chunk(String split, List<ImageRef> images) implements Serializable {
    }

    private SparkFeaturizer() {
    }

    /**
     * Runs {@code features} on Spark.
     *
     * @param log one-line notes for the user
     * @throws UsageException for bad options or an output folder that holds something else
     */
    public static Result run(SparkSession spark, Config cfg, Consumer<String> log) {
        long started = System.nanoTime();
        TrainConfig run = cfg.run();
        ExtractionConfig ex = cfg.extraction();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        checkOutput(cfg.out(), hadoop);

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        RunSetup setup = new RunSetup(cfg.modelsDir(), log);
        String dataRoot = run.data().folder();
        boolean listed = HadoopImageFolder.isUri(dataRoot);
        // a folder named by URI is listed through Hadoop and its files read by the executors; the driver reads none
        PreparedRun prepared = listed ? setup.prepare(run, (settings, seeds) -> HadoopImageFolder.prepare(jsc,
                dataRoot, settings, seeds, log)) : setup.prepare(run);
        TrainingData data = prepared.data();
        BackboneLoader.Loaded backbone = setup.backbone(prepared);
        String layer = ex.layer() != null ? ex.layer()
                : new FeatureTrainer(cfg.modelsDir(), log, false).defaultLayer(run.backbone().model(), backbone.graph());
        Path scratch = scratch();
        try {
            FeatureExtractor fx = FeatureExtractor.of(backbone.graph(), backbone.preprocessing(), layer, ex.pool(),
                    FeatureCache.of(scratch.resolve("unused-cache")));
            Path extractorFile = scratch.resolve(FeatureSpace.EXTRACTOR_FILE);
            // stored, parameters in bulk (BundleStore.writeZip): ModelSerializer's deflate took half a minute for
            // VGG16's cut, a cost every job paid before its first image; plain DL4J still restores the file
            String extractorSha = BundleStore.writeZip(fx.network(), extractorFile);
            FeatureSpace space = new FeatureSpace(fx.cacheKey(FeatureExtractor.View.centre()), backbone.name(),
                    layer, fx.pooling().name().toLowerCase(Locale.ROOT), fx.dimension(), backbone.preprocessing(),
                    data.classes(), run.data().folder(), data.fingerprint(), run.seed(), ex.batchSize(),
                    extractorSha);

            Set<String> stored = storedHashes(spark, cfg.out(), space, log);
            String dataUri = cfg.dataUri() != null ? cfg.dataUri() : listed ? dataRoot : null;
            List<Chunk> toCompute = new ArrayList<>();
            List<Row> toReuse = new ArrayList<>();
            long images = 0;
            int unit = ex.batchSize() * cfg.chunkBatches();
            for (SplitName s : SplitName.values()) {
                List<LabeledImage> part = data.split().part(s);
                images += part.size();
                String split = s.name().toLowerCase(Locale.ROOT);
                for (int from = 0; from < part.size(); from += unit) {
                    List<ImageRef> refs = new ArrayList<>();
                    boolean complete = true;
                    for (int i = from; i < Math.min(part.size(), from + unit); i++) {
                        LabeledImage im = part.get(i);
                        String hash = data.sha256().get(im.relativePath());
                        refs.add(new ImageRef(im.relativePath(), uri(dataUri, im), hash,
                                data.classes().get(im.classIndex()), im.classIndex(), i));
                        complete &= stored.contains(hash);
                    }
                    if (complete) {
                        refs.forEach(r -> toReuse.add(RowFactory.create(r.path(), r.hash(), r.label(),
                                r.labelIndex(), split, r.position())));
                    } else {
                        toCompute.add(new Chunk(split, refs));
                    }
                }
            }
            long computing = toCompute.stream().mapToLong(c -> c.images().size()).sum();
            taskSlotAdvice(spark.sparkContext()).ifPresent(log);
            log.accept("features: layer " + layer + ", " + fx.dimension() + " values per image; " + images
                    + " images, " + computing + " to compute in " + toCompute.size() + " task(s) of up to " + unit
                    + ", " + toReuse.size() + " already stored; out " + cfg.out());

            String shipped = "finetune4j-extractor-" + extractorSha.substring(0, 16) + ".zip";
            Path shippedFile = scratch.resolve(shipped);
            Files.copy(extractorFile, shippedFile);
            if (!toCompute.isEmpty()) {
                jsc.addFile(shippedFile.toString());
            }
            LongAccumulator bad = spark.sparkContext().longAccumulator("finetune4j bad images");
            HadoopFiles files = HadoopFiles.of(hadoop);
            int threads = Math.max(1, run.data().threads());
            int batchSize = ex.batchSize();
            String spaceJson = Json.write(space);   // records are not Serializable; JSON is how the space travels
            JavaRDD<Row> computedRows = jsc.parallelize(toCompute, Math.max(1, toCompute.size()))
                    .mapPartitions(it -> extract(it, spaceJson, shipped, files, threads, batchSize, bad));
            Dataset<Row> computed = spark.createDataFrame(computedRows, SCHEMA);
            Dataset<Row> all = computed;
            if (!toReuse.isEmpty()) {
                StructType keys = new StructType(java.util.Arrays.copyOf(SCHEMA.fields(), SCHEMA.fields().length - 1));
                Dataset<Row> vectors = spark.read().parquet(cfg.out()).select("hash", "features")
                        .dropDuplicates("hash");
                all = computed.unionByName(spark.createDataFrame(toReuse, keys).join(vectors, "hash")
                        .select("path", "hash", "label", "label_index", "split", "position", "features"));
            }
            String next = stripSlash(cfg.out()) + ".next";
            long jobStart = System.nanoTime();
            all.write().mode(SaveMode.Overwrite).parquet(next);
            double jobSeconds = (System.nanoTime() - jobStart) / 1e9;
            space.write(next, extractorFile, hadoop);
            swap(next, cfg.out(), hadoop);
            long written = spark.read().parquet(cfg.out()).count();
            return new Result(cfg.out(), space, images, computing - bad.value(), written - (computing - bad.value()),
                    bad.value(), toCompute.size(), jobSeconds, (System.nanoTime() - started) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("features: " + e.getMessage(), e);
        } finally {
            HadoopFiles.deleteScratch(scratch);
        }
    }

    /**
     * A note when an executor runs several tasks at a time: they share its one network, whose forward passes take
     * turns, while each task thread keeps its own native workspaces and decodes ahead (VGG16 on 2 cores: 0.77 of the
     * single machine's throughput with two tasks at a time, 0.94 with one; docs/spark.md).
     *
     * @return the note, or empty when each executor runs one task at a time (or its cores are not known)
     */
    static java.util.Optional<String> taskSlotAdvice(org.apache.spark.SparkContext sc) {
        return taskSlotAdvice(sc.getConf().getInt("spark.task.cpus", 1),
                sc.isLocal() ? sc.defaultParallelism() : sc.getConf().getInt("spark.executor.cores", 0));
    }

    /** @see #taskSlotAdvice(org.apache.spark.SparkContext) */
    static java.util.Optional<String> taskSlotAdvice(int taskCpus, int cores) {
        if (cores <= taskCpus) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("features: each executor runs " + cores / taskCpus + " tasks at a time ("
                + cores + " cores, spark.task.cpus " + taskCpus + "); they share one network and take turns, which "
                + "costs throughput with a large backbone. Expected one task per executor: --conf spark.task.cpus="
                + cores + " (docs/spark.md, Executor sizing)");
    }

    /** Runs on an executor: the vectors of one unit of work. */
    private static Iterator<Row> extract(Iterator<Chunk> chunks, String spaceJson, String shipped,
                                         HadoopFiles files, int threads, int batchSize, LongAccumulator bad)
            throws IOException {
        if (!chunks.hasNext()) {
            return java.util.Collections.emptyIterator();   // an empty partition loads no network
        }
        FeatureSpace space = Json.mapper().readValue(spaceJson, FeatureSpace.class);
        List<Row> rows = new ArrayList<>();
        FeatureExtractor shared = ExecutorModels.extractor(space, shipped);
        while (chunks.hasNext()) {
            Chunk c = chunks.next();
            Path scratch = scratch();
            try {
                List<LabeledImage> images = new ArrayList<>();
                for (int i = 0; i < c.images().size(); i++) {
                    ImageRef r = c.images().get(i);
                    images.add(new LabeledImage(files.local(r.uri(), scratch, i + "-" + fileName(r.path())),
                            r.path(), r.labelIndex()));
                }
                // a scratch cache per task: the extractor's code path is the single-machine one, cache included
                FeatureExtractor fx = shared.withCache(FeatureCache.of(scratch.resolve("cache")));
                BadImageLog badImages = new BadImageLog();
                FeatureExtractor.Extraction e = fx.extract(images, FeatureExtractor.View.centre(),
                        ImageDecoder.defaults(), badImages, threads, batchSize, false);
                for (int i = 0; i < images.size(); i++) {
                    float[] f = e.features()[i];
                    if (f == null) {
                        bad.add(1);
                        continue;
                    }
                    ImageRef r = c.images().get(i);
                    rows.add(RowFactory.create(r.path(), r.hash(), r.label(), r.labelIndex(), c.split(),
                            r.position(), f));
                }
            } finally {
                HadoopFiles.deleteScratch(scratch);
            }
        }
        return rows.iterator();
    }

    /** @return the image's URI as executors read it: under {@code dataUri}, else its own {@code file:} URI */
    static String uri(String dataUri, LabeledImage im) {
        return dataUri == null ? im.file().toAbsolutePath().normalize().toUri().toString()
                : uri(dataUri, im.relativePath());
    }

    /** @return the URI of a file under a folder named by URI */
    static String uri(String dataUri, String relativePath) {
        return new org.apache.hadoop.fs.Path(stripSlash(dataUri) + "/" + relativePath).toUri().toString();
    }

    private static String fileName(String relativePath) {
        return relativePath.substring(relativePath.lastIndexOf('/') + 1);
    }

    /** The hashes that have a vector under the same extractor in an existing output, else none. */
    private static Set<String> storedHashes(SparkSession spark, String out, FeatureSpace space,
                                            Consumer<String> log) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try {
            org.apache.hadoop.fs.Path meta = new org.apache.hadoop.fs.Path(out, FeatureSpace.FOLDER + "/"
                    + FeatureSpace.META_FILE);
            if (!meta.getFileSystem(conf).exists(meta)) {
                return Set.of();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": " + e.getMessage(), e);
        }
        FeatureSpace old = FeatureSpace.read(out, conf);
        if (!old.key().equals(space.key())) {
            log.accept("features: " + out + " holds vectors of another extractor (backbone " + old.backbone()
                    + ", layer " + old.layer() + ", pooling " + old.pooling() + "); computing every vector again");
            return Set.of();
        }
        return new HashSet<>(spark.read().parquet(out).select("hash").distinct().as(Encoders.STRING())
                .collectAsList());
    }

    /** Refuses to replace a folder that is not a features output. */
    private static void checkOutput(String out, Configuration conf) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(out);
            FileSystem fs = p.getFileSystem(conf);
            if (fs.exists(p) && !fs.exists(new org.apache.hadoop.fs.Path(p, FeatureSpace.FOLDER + "/"
                    + FeatureSpace.META_FILE))) {
                throw new UsageException("--out " + out + ": the folder exists and holds no finetune4j features. "
                        + "Expected a new folder or one written by `features`; name another folder.");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": " + e.getMessage(), e);
        }
    }

    /** Puts the complete new folder in place of the old one (renames: atomic on HDFS and local disks). */
    private static void swap(String next, String out, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(out);
        org.apache.hadoop.fs.Path fresh = new org.apache.hadoop.fs.Path(next);
        org.apache.hadoop.fs.Path old = new org.apache.hadoop.fs.Path(stripSlash(out) + ".old");
        FileSystem fs = target.getFileSystem(conf);
        fs.delete(old, true);
        if (fs.exists(target) && !fs.rename(target, old)) {
            throw new IOException("cannot move " + target + " aside to " + old);
        }
        if (!fs.rename(fresh, target)) {
            throw new IOException("cannot move " + fresh + " to " + target);
        }
        fs.delete(old, true);
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static Path scratch() {
        try {
            return Files.createTempDirectory("finetune4j-spark");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a scratch folder: " + e.getMessage(), e);
        }
    }
}
