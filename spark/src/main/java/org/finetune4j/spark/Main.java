package org.finetune4j.spark;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.DataSettings;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.WeightsSettings;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.Mode;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.run.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * The {@code spark-submit} entry point:
 * {@code spark-submit --class org.finetune4j.spark.Main finetune4j-spark.jar features|fit|predict|evaluate …} with
 * the option names of the {@code finetune4j} command line. Parses, calls one stage, prints; results on stdout, notes
 * on stderr; exit code 0 ok, 1 failure (bad data), 2 usage (bad options).
 */
@Command(name = "finetune4j-spark", mixinStandardHelpOptions = true,
        subcommands = {Main.FeaturesCommand.class, Main.FitCommand.class, Main.PredictCommand.class,
                Main.EvaluateCommand.class},
        description = "finetune4j on Apache Spark: featurize, fit, predict and evaluate (docs/spark.md).")
public final class Main implements Callable<Integer> {

    /** Exit code: done. */
    public static final int EXIT_OK = 0;
    /** Exit code: the data could not be used (or another failure). */
    public static final int EXIT_FAILURE = 1;
    /** Exit code: bad options or files named in them. */
    public static final int EXIT_USAGE = 2;

    private SparkSession session;

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return EXIT_USAGE;
    }

    /** Runs a command line in a Spark application of its own ({@code spark-submit} sets the master). */
    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().appName("finetune4j " + String.join(" ", args.length > 0
                ? List.of(args[0]) : List.of())).getOrCreate();
        int code;
        try {
            code = run(spark, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        } finally {
            spark.stop();
        }
        System.exit(code);
    }

    /**
     * Runs a command line in a given Spark session (tests, notebooks).
     *
     * @return the exit code
     */
    public static int run(SparkSession spark, PrintWriter out, PrintWriter err, String... args) {
        Main main = new Main();
        main.session = spark;
        CommandLine cl = new CommandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            Throwable t = e;
            while (t.getCause() != null && !(t instanceof UsageException) && !(t instanceof DataException)) {
                t = t.getCause();
            }
            err.println("finetune4j-spark: " + (t instanceof UsageException || t instanceof DataException
                    ? t.getMessage() : e.toString()));
            if (!(t instanceof UsageException) && !(t instanceof DataException)) {
                e.printStackTrace(err);
            }
            err.flush();
            return t instanceof UsageException ? EXIT_USAGE : EXIT_FAILURE;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Options every command shares. */
    abstract static class Base implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--seed", paramLabel = "N", description = "Root seed (the split and the folds). Default: "
                + "${DEFAULT-VALUE}.")
        long seed = Seeds.DEFAULT_SEED;

        @Option(names = {"-q", "--quiet"}, description = "No notes on stderr.")
        boolean quiet;

        @Option(names = "--models-dir", paramLabel = "DIR", description = "Where bundles are found and written. "
                + "Default: ${DEFAULT-VALUE}.")
        Path modelsDir = Backbones.MODELS_DIR;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        Consumer<String> log() {
            PrintWriter err = spec.commandLine().getErr();
            return quiet ? s -> { } : s -> {
                err.println("finetune4j-spark: " + s);
                err.flush();
            };
        }

        SparkSession spark() {
            return parent.session;
        }
    }

    /** {@code features}: the vectors of every image of a folder, as Parquet. */
    @Command(name = "features", description = "Runs the frozen backbone up to --layer on every image of --data "
            + "(train, val and test splits, the split `train` uses for the seed) on the executors and writes "
            + "Parquet rows (path, hash, label, split, features) to --out; a re-run computes only images whose "
            + "content has no vector yet.")
    static final class FeaturesCommand extends Base {
        @Option(names = "--data", paramLabel = "DIR", required = true, description = "The image folder "
                + "(ROOT/<class>/<image> or ROOT/train|val|test/<class>/<image>): a path the driver reads, or a URI "
                + "(hdfs://…, s3a://…, file:///…) the driver lists through Hadoop while the executors read the "
                + "files to screen and hash them.")
        String data;

        @Option(names = "--data-uri", paramLabel = "URI", description = "The same folder as the executors read "
                + "it through Hadoop (hdfs://…, s3a://…). Default: --data when it is a URI, else its file: URI.")
        String dataUri;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "The features folder to write "
                + "(any Hadoop URI or a path).")
        String outDir;

        @Option(names = "--model", paramLabel = "M", required = true, description = "The backbone: vgg16, vgg19, a "
                + "bundle name under --models-dir (e.g. mini-vgg-shapes) or a bundle folder.")
        String model;

        @Option(names = "--layer", paramLabel = "LAYER", description = "The feature layer. Default: the backbone's.")
        String layer;

        @Option(names = "--pool", paramLabel = "P", description = "auto, none, avg or max. Default: "
                + "${DEFAULT-VALUE}.")
        String pool = "auto";

        @Option(names = "--batch-size", paramLabel = "N", description = "Images per forward pass. Default: "
                + "${DEFAULT-VALUE}.")
        int batchSize = ExtractionConfig.defaults().batchSize();

        @Option(names = "--chunk-batches", paramLabel = "N", description = "Batches per Spark task. Default: "
                + "${DEFAULT-VALUE}.")
        int chunkBatches = 8;

        @Option(names = "--val-fraction", paramLabel = "F", description = "Validation fraction. Default: "
                + "${DEFAULT-VALUE}.")
        double valFraction = SplitConfig.defaults().valFraction();

        @Option(names = "--test-fraction", paramLabel = "F", description = "Test fraction. Default: "
                + "${DEFAULT-VALUE}.")
        double testFraction = SplitConfig.defaults().testFraction();

        @Option(names = "--on-bad-image", paramLabel = "POLICY", description = "skip or fail. Default: skip.")
        String onBadImage = "skip";

        @Option(names = "--threads", paramLabel = "N", description = "Image decoding threads per task. Default: "
                + "${DEFAULT-VALUE}.")
        int threads = DataSettings.DEFAULT_THREADS;

        @Option(names = "--drop-empty-classes", description = "Leave out a class without usable training images.")
        boolean dropEmptyClasses;

        @Option(names = "--keep-duplicates-together", description = "Put all copies of an image into one part of "
                + "the split.")
        boolean keepDuplicatesTogether;

        @Override
        public Integer call() {
            TrainConfig run = featureRun(data, model, batchSize, new SplitConfig(valFraction, testFraction),
                    BadImagePolicy.valueOf(onBadImage.toUpperCase(Locale.ROOT)), threads, dropEmptyClasses,
                    keepDuplicatesTogether, seed);
            ExtractionConfig ex = new ExtractionConfig(layer, pool, null, null, 0, batchSize);
            SparkFeaturizer.Result r = SparkFeaturizer.run(spark(), new SparkFeaturizer.Config(run, ex, dataUri,
                    outDir, chunkBatches, modelsDir), log());
            out().printf(Locale.ROOT, "features of %s: layer %s (%s pooling), %d values per image; %d images: %d "
                            + "computed in %d task(s), %d stored before, %d bad%n", data, r.space().layer(),
                    r.space().pooling(), r.space().dimension(), r.images(), r.computed(), r.tasks(), r.reused(),
                    r.bad());
            if (r.computed() > 0) {
                out().printf(Locale.ROOT, "throughput: %.1f images/s over the Spark job (%.1f s)%n",
                        r.imagesPerSecond(), r.computeSeconds());
            }
            out().println("out: " + r.out());
            return EXIT_OK;
        }
    }

    /** {@code fit}: MLlib logistic regression on a features folder, written as a bundle. */
    @Command(name = "fit", description = "Fits MLlib's multinomial logistic regression on the training rows of "
            + "--features, C chosen by seeded k-fold cross-validation, scores validation and test, and writes a "
            + "finetune4j bundle (cut backbone + softmax layer) to --models-dir/--name.")
    static final class FitCommand extends Base {
        @Option(names = "--features", paramLabel = "DIR", required = true, description = "A folder written by "
                + "`features`.")
        String features;

        @Option(names = "--name", paramLabel = "NAME", required = true, description = "The bundle's name.")
        String name;

        @Option(names = "--penalty", paramLabel = "P", description = "l2, l1 or elastic-net. Default: "
                + "${DEFAULT-VALUE}.")
        String penalty = "l2";

        @Option(names = "--l1-ratio", paramLabel = "A", description = "The elastic net's L1 share α in (0, 1) "
                + "(with --penalty elastic-net). Default: ${DEFAULT-VALUE}.")
        double l1Ratio = 0.5;

        @Option(names = "--folds", paramLabel = "K", description = "Cross-validation folds. Default: "
                + "${DEFAULT-VALUE}.")
        int folds = ClassifierConfig.defaults().folds();

        @Option(names = {"--c-grid", "--c"}, paramLabel = "GRID", description = "Values of C: a list (0.1,1,10) or "
                + "LOW:HIGH:COUNT (log-spaced). Default: ${DEFAULT-VALUE}.")
        String cGrid = ClassifierConfig.DEFAULT_GRID;

        @Option(names = "--max-iterations", paramLabel = "N", description = "Optimiser iterations. Default: "
                + "${DEFAULT-VALUE}.")
        int maxIterations = ClassifierConfig.defaults().maxIterations();

        @Option(names = "--standardize", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Standardise the features for the penalty (MLlib returns the coefficients on the raw "
                + "features, so it is folded into the head); --no-standardize penalises the raw coefficients, which "
                + "MLlib's L-BFGS converges on poorly for sparse ReLU features (docs/spark.md). Default: on.")
        boolean standardize = true;

        @Override
        public Integer call() {
            SparkFit.Result r = SparkFit.run(spark(), new SparkFit.Config(features, name, penalty, l1Ratio, folds,
                    ClassifierConfig.parseGrid(cGrid), maxIterations, standardize, seed, modelsDir), log());
            out().printf(Locale.ROOT, "fitted %s on %d training rows: C %s (regParam %.3g), validation accuracy "
                    + "%.3f, test accuracy %.3f (loss %.3f) in %.1f s%n", name, r.trainRows(), r.c(), r.regParam(),
                    r.valAccuracy(), r.testAccuracy(), r.testLoss(), r.seconds());
            out().println("bundle: " + r.bundleDir());
            return EXIT_OK;
        }
    }

    /** {@code predict}: top-k classes of every image of a folder. */
    @Command(name = "predict", description = "Classifies every image under IMAGE_FOLDER (any Hadoop URI) with a "
            + "bundle on the executors and writes the top-k classes per image to --out (.csv for CSV, else "
            + "Parquet).")
    static final class PredictCommand extends Base {
        @Option(names = "--model", paramLabel = "M", required = true, description = "The bundle: a name under "
                + "--models-dir or a folder.")
        String model;

        @Option(names = "--top-k", paramLabel = "K", description = "Classes per image. Default: ${DEFAULT-VALUE}.")
        int topK = 5;

        @Option(names = "--batch-size", paramLabel = "N", description = "Images per forward pass. Default: "
                + "${DEFAULT-VALUE}.")
        int batchSize = 32;

        @Option(names = "--chunk-images", paramLabel = "N", description = "Images per Spark task. Default: "
                + "${DEFAULT-VALUE}.")
        int chunkImages = 256;

        @Option(names = "--out", paramLabel = "PATH", required = true, description = "Where the predictions go "
                + "(a .csv name for CSV, else a Parquet folder).")
        String outPath;

        @Parameters(paramLabel = "IMAGE_FOLDER", description = "The images (searched recursively).")
        String folder;

        @Override
        public Integer call() {
            SparkPredict.Result r = SparkPredict.run(spark(), new SparkPredict.Config(model, modelsDir, folder,
                    topK, batchSize, chunkImages, outPath), log());
            out().printf(Locale.ROOT, "predicted %d images (%d unreadable) with %s in %.1f s (%.1f images/s)%n",
                    r.images(), r.failed(), r.bundle(), r.seconds(), r.images() / Math.max(1e-9, r.seconds()));
            out().println("out: " + r.out());
            return EXIT_OK;
        }
    }

    /** {@code evaluate}: multi-crop evaluation of a bundle on its test split (or a folder). */
    @Command(name = "evaluate", description = "Evaluates a bundle with a crop protocol on the executors: per-task "
            + "confusion matrices are summed into the metrics `evaluate` reports.")
    static final class EvaluateCommand extends Base {
        @Option(names = "--model", paramLabel = "M", required = true, description = "The bundle.")
        String model;

        @Option(names = "--data", paramLabel = "DIR", description = "The image folder (ROOT/<class>/<image>) as "
                + "the driver sees it. Default: the bundle's data folder, its recorded test split.")
        String data;

        @Option(names = "--data-uri", paramLabel = "URI", description = "The same folder as the executors read it. "
                + "Default: the file: URI of the folder; for the bundle's test split, the URI the bundle records "
                + "when its features were made from --data URI.")
        String dataUri;

        @Option(names = "--protocol", paramLabel = "P", description = "center, ten-crop, multi-scale or a YAML "
                + "file. Default: ${DEFAULT-VALUE}.")
        String protocol = "ten-crop";

        @Option(names = "--average", paramLabel = "A", description = "How crops are averaged: probs or logits. "
                + "Default: ${DEFAULT-VALUE}.")
        String average = "probs";

        @Option(names = "--batch-size", paramLabel = "N", description = "Crops per forward pass. Default: "
                + "${DEFAULT-VALUE}.")
        int batchSize = 32;

        @Option(names = "--chunk-images", paramLabel = "N", description = "Images per Spark task. Default: "
                + "${DEFAULT-VALUE}.")
        int chunkImages = 64;

        @Override
        public Integer call() {
            SparkEvaluate.Result r = SparkEvaluate.run(spark(), new SparkEvaluate.Config(model, modelsDir, data,
                    dataUri, protocol, average, batchSize, chunkImages), log());
            out().printf(Locale.ROOT, "%-12s %6s %7s %7s %9s%n", "protocol", "crops", "top-1", "top-5", "macro-F1");
            out().printf(Locale.ROOT, "%-12s %6d %7.3f %7s %9.3f%n", r.protocol(), r.crops(), r.metrics().top1(),
                    r.metrics().top5() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.metrics().top5()),
                    r.metrics().macroF1());
            out().printf(Locale.ROOT, "%-12s %6d %7.3f %7s %9.3f%n", "center", 1, r.center().top1(),
                    r.center().top5() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.center().top5()),
                    r.center().macroF1());
            out().printf(Locale.ROOT, "%d images in %d task(s), %d unreadable, %.1f s%n", r.images(), r.tasks(),
                    r.bad(), r.seconds());
            return EXIT_OK;
        }
    }

    /**
     * The run {@code features} describes, as the single-machine {@code features} command builds it.
     *
     * @param data the image folder: a local path, or a URI ({@code hdfs://…}) kept as given
     * @return a features-mode run of {@code model} on {@code data}
     */
    public static TrainConfig featureRun(String data, String model, int batchSize, SplitConfig split,
                                         BadImagePolicy onBadImage, int threads, boolean dropEmptyClasses,
                                         boolean keepDuplicatesTogether, long seed) {
        String folder;
        String name;
        if (HadoopImageFolder.isUri(data)) {   // kept as given: Path.of would fold "hdfs://" into "hdfs:/"
            folder = data;
            name = new org.apache.hadoop.fs.Path(data).getName();
            name = name.isEmpty() ? "data" : name;
        } else {
            Path dir = Path.of(data);
            folder = dir.toString();
            name = dir.getFileName() == null ? "data" : dir.getFileName().toString();
        }
        return new TrainConfig(Mode.FEATURES, name + "-features",
                new TrainConfig.BackboneSettings(model, null, ArchitectureSettings.defaults(),
                        WeightsSettings.defaults()),
                new TrainConfig.FineTuneSettings(HeadSpec.defaults(), OptimizerConfig.defaults(),
                        new TrainConfig.Schedule(1, batchSize, EarlyStopping.defaults()), null),
                new DataSettings(folder, split, null, onBadImage, threads, dropEmptyClasses,
                        keepDuplicatesTogether), seed);
    }
}
