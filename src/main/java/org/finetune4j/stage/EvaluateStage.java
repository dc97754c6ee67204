package org.finetune4j.stage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.finetune4j.core.DataException;
import org.finetune4j.core.RunInfo;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.eval.CalibrationSummary;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.Headline;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.eval.ProtocolChoice;
import org.finetune4j.eval.RiskCoverage;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.core.Progress;
import org.finetune4j.model.NativeInference;
import org.finetune4j.run.Imbalance;
import org.finetune4j.report.ReportContent;
import org.finetune4j.report.ReportWriter;

/**
 * The {@code evaluate} stage: loads a trained bundle, evaluates it on labelled images with a crop protocol (and the
 * centre crop in the same pass) and writes the report. Also the evaluation steps training shares: finding the
 * images and the pass.
 * <pre>
 * EvaluateStage.Result r = new EvaluateStage(settings).run(plan -&gt; log(plan), true);
 * r.evaluation().protocolMetrics().top1();   // the report is in r.report()
 * </pre>
 */
public final class EvaluateStage {

    /** Crops per forward pass when training evaluates its new bundle. */
    static final int TRAINING_BATCH_SIZE = 64;

    /**
     * What {@code evaluate} evaluates and where the report goes.
     *
     * @param model      a trained bundle: its name under {@code modelsDir} or its folder
     * @param data       a folder of class folders, or null for the test split the bundle records
     * @param protocol   a protocol name or YAML file (eval/README.md), or null for the bundle's chosen one (or,
     *                   when it records none, the best on its validation split)
     * @param average    how crop predictions are combined: {@code probs} or {@code log-probs}; null for
     *                   {@code probs} with a named protocol, or the chosen one
     * @param batchSize  most crops per forward pass, at least 1
     * @param topWrong   most confidently wrong images in the report, 0 or more
     * @param modelsDir  where bundles are looked up by name
     * @param reportsDir where the run's report folder is written
     * @param seed       recorded in the report's run info
     */
    public record Settings(String model, Path data, String protocol, String average, int batchSize, int topWrong,
                           Path modelsDir, Path reportsDir, long seed) {
    }

    /**
     * What is about to be evaluated, for the command's start line.
     *
     * @param bundle    the bundle's name
     * @param images    images to evaluate
     * @param data      the data as the report names it
     * @param protocol  the protocol's name
     * @param crops     crops per image
     * @param averaging how crop predictions are combined
     */
    public record Plan(String bundle, int images, String data, String protocol, int crops, String averaging) {
    }

    /**
     * What {@code evaluate} found.
     *
     * @param evaluation the evaluation of the protocol and the centre crop
     * @param report     the report folder written
     * @param trust      calibration, the reject option and how the protocol was chosen
     */
    public record Result(Evaluation evaluation, Path report, Trust trust) {
    }

    /**
     * The images to evaluate and how to name them in the report.
     *
     * @param images      the images, class indices into the bundle's labels
     * @param description the data as the report names it
     */
    public record Images(List<LabeledImage> images, String description) {
    }

    private final Settings settings;
    private final CropProtocol protocol;
    private final MultiCropEvaluator.Averaging averaging;

    /**
     * Checks the settings and loads the protocol, before any work.
     *
     * @throws UsageException for a bad protocol, averaging, batch size or number of wrong images
     */
    public EvaluateStage(Settings settings) {
        if (settings.topWrong() < 0) {
            throw new UsageException("--top-wrong " + settings.topWrong() + ": expected 0 or more images.");
        }
        if (settings.batchSize() < 1) {
            throw new UsageException("--batch-size " + settings.batchSize() + ": expected at least 1 crop per "
                    + "forward pass.");
        }
        this.settings = settings;
        this.averaging = settings.average() == null ? null : MultiCropEvaluator.Averaging.of(settings.average());
        this.protocol = settings.protocol() == null ? null : CropProtocolLoader.load(settings.protocol());
    }

    /**
     * Loads the bundle, evaluates it and writes the report.
     *
     * @param onStart  told what is about to be evaluated, once the bundle and images are known
     * @param progress whether to show a progress display
     * @throws UsageException if the model is a backbone or no bundle, or the data does not fit the bundle
     */
    public Result run(Consumer<Plan> onStart, boolean progress) {
        String model = settings.model();
        Path modelsDir = settings.modelsDir();
        Path dir = Backbones.requireBundle(model, modelsDir, "evaluate");
        BundleStore.Loaded loaded = BundleStore.load(dir);
        if (protocol != null) {
            protocol.crops(loaded.bundle().preprocessing());
        }
        Images images = settings.data() != null ? fromFolder(settings.data(), loaded.bundle())
                : fromBundle(loaded.bundle());
        Resolved r = resolve(loaded, protocol, averaging, settings.batchSize(), !progress, false);
        onStart.accept(new Plan(loaded.bundle().name(), images.images().size(), images.description(),
                r.protocol().name(), r.protocol().cropCount(), r.averaging().key()));
        Evaluation e = evaluate(loaded, images.images(), r.protocol(), r.averaging(), settings.batchSize(),
                !progress);
        Trust trust = trust(loaded, e, r, settings.batchSize(), !progress, null);
        String run = runName(loaded.bundle().name() + "-" + r.protocol().name());
        Path report = ReportWriter.write(settings.reportsDir().resolve(run), new ReportContent(run, loaded.bundle(),
                images.description(), e, settings.topWrong(), null, RunInfo.current(settings.seed()),
                trust.calibration(), trust.reject(), trust.choice(), ReportHeatMaps.of(loaded, e,
                settings.topWrong())));
        return new Result(e, report, trust);
    }

    /**
     * The protocol and averaging to evaluate with, and how they were chosen.
     *
     * @param protocol   the protocol
     * @param averaging  the averaging rule
     * @param choice     how they were chosen
     * @param validation the protocol's evaluation of the validation split when choosing made one, else null
     */
    record Resolved(CropProtocol protocol, MultiCropEvaluator.Averaging averaging, ProtocolChoice choice,
                    Evaluation validation) {
    }

    /**
     * Decides the protocol: the one named (forced), else the bundle's recorded choice, else the best on the
     * validation split (recorded in the bundle when {@code record}), else the default.
     *
     * @param forced          the protocol named by the user, or null
     * @param forcedAveraging the averaging named by the user, or null
     * @param record          write a choice made here into the bundle's {@code bundle.json}
     */
    static Resolved resolve(BundleStore.Loaded loaded, CropProtocol forced,
                            MultiCropEvaluator.Averaging forcedAveraging, int batchSize, boolean quiet,
                            boolean record) {
        if (forced != null) {
            MultiCropEvaluator.Averaging a = forcedAveraging != null ? forcedAveraging
                    : MultiCropEvaluator.Averaging.PROBABILITIES;
            return new Resolved(forced, a, ProtocolChoice.of(forced.name(), a.key(), ProtocolChoice.How.FORCED),
                    null);
        }
        ModelBundle b = loaded.bundle();
        ModelBundle.EvaluationProtocol recorded = b.evaluationProtocol();
        if (recorded != null) {
            MultiCropEvaluator.Averaging a = forcedAveraging != null ? forcedAveraging
                    : MultiCropEvaluator.Averaging.of(recorded.averaging());
            return new Resolved(CropProtocolLoader.load(recorded.protocol()), a,
                    ProtocolChoice.of(recorded.protocol(), a.key(), ProtocolChoice.How.RECORDED), null);
        }
        Optional<Images> val = validationFromBundle(b);
        if (val.isPresent()) {
            ProtocolChooser.Chosen c = ProtocolChooser.choose(loaded, val.get().images(), forcedAveraging, batchSize,
                    quiet);
            if (record) {
                BundleStore.saveMeta(loaded.dir(), BundleStore.readMeta(loaded.dir())
                        .withEvaluationProtocol(ProtocolChooser.record(c.choice())));
            }
            MultiCropEvaluator.Averaging a = MultiCropEvaluator.Averaging.of(c.choice().averaging());
            return new Resolved(CropProtocolLoader.load(c.choice().protocol()), a, c.choice(), c.validation());
        }
        MultiCropEvaluator.Averaging a = forcedAveraging != null ? forcedAveraging
                : MultiCropEvaluator.Averaging.PROBABILITIES;
        return new Resolved(CropProtocolLoader.load(CropProtocolLoader.DEFAULT_PROTOCOL), a,
                ProtocolChoice.of(CropProtocolLoader.DEFAULT_PROTOCOL, a.key(), ProtocolChoice.How.DEFAULT), null);
    }

    /** @return a run name: {@code <prefix>-<local time>} */
    public static String runName(String prefix) {
        return prefix + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss"));
    }

    /**
     * The images of a folder of class folders (the test part of a pre-split folder), their classes mapped onto the
     * bundle's labels.
     *
     * @throws UsageException if a class folder is not one of the bundle's classes
     */
    public static Images fromFolder(Path dir, ModelBundle bundle) {
        ImageFolder folder = ImageFolder.scan(dir);
        List<LabeledImage> part = folder.presplit().map(s -> s.test()).orElse(folder.images());
        List<String> labels = bundle.labels();
        List<String> unknown = folder.classes().stream().filter(c -> !labels.contains(c)).toList();
        if (!unknown.isEmpty()) {
            throw new UsageException("--data " + dir + ": class folder(s) " + String.join(", ", unknown) + " are not "
                    + "classes of the bundle " + bundle.name() + ". Expected class folders named after the bundle's "
                    + "classes (" + String.join(", ", labels) + "); received " + String.join(", ",
                    folder.classes()) + ". Rename or remove those folders.");
        }
        List<LabeledImage> out = new ArrayList<>();
        for (LabeledImage im : part) {
            out.add(new LabeledImage(im.file(), im.relativePath(), labels.indexOf(folder.classes()
                    .get(im.classIndex()))));
        }
        if (out.isEmpty()) {
            throw new DataException("--data " + dir + ": no images to evaluate" + (folder.isPresplit()
                    ? " in its test/ folder" : "") + ". Expected at least one image in a class folder.");
        }
        return new Images(out, dir.toString().replace('\\', '/') + (folder.isPresplit() ? " (test/)" : ""));
    }

    /**
     * The held-out test split recorded in the bundle, read from the data folder it names.
     *
     * @throws UsageException if the bundle records no test split or its data folder is gone
     */
    public static Images fromBundle(ModelBundle bundle) {
        requireTestSplit(bundle);
        Path root = Path.of(bundle.dataRoot());
        if (!Files.isDirectory(root)) {
            throw new UsageException("--data: not given, and the folder the bundle " + bundle.name() + " was trained "
                    + "on (" + bundle.dataRoot() + ", relative to the working folder) is not there. Run from the "
                    + "folder you trained in, or name the images with --data FOLDER.");
        }
        return recordedTestSplit(bundle, root);
    }

    /**
     * The held-out test split recorded in a bundle whose data folder is not on this machine's disks (a URI it was
     * listed under, e.g. {@code hdfs://…}): the images have their relative paths and labels but no local file; whatever
     * reads them resolves the paths against {@link ModelBundle#dataRoot()}.
     *
     * @throws UsageException if the bundle records no test split
     */
    public static Images recordedTestSplit(ModelBundle bundle) {
        requireTestSplit(bundle);
        return recordedTestSplit(bundle, null);
    }

    private static void requireTestSplit(ModelBundle bundle) {
        if (bundle.testSplit().isEmpty() || bundle.dataRoot() == null) {
            throw new UsageException("--data: not given, and the bundle " + bundle.name() + " records no test split. "
                    + "Expected --data FOLDER (a folder of class folders); received nothing. Name the images to "
                    + "evaluate with --data.");
        }
    }

    private static Images recordedTestSplit(ModelBundle bundle, Path root) {
        List<LabeledImage> out = new ArrayList<>();
        for (String rel : bundle.testSplit()) {
            Path file = root == null ? null : root.resolve(rel);
            Path parent = Path.of(rel).getParent();
            int c = parent == null ? -1 : bundle.labels().indexOf(parent.getFileName().toString());
            if (c < 0) {
                throw new DataException(bundle.dataRoot() + "/" + rel + ": its folder names none of the bundle's "
                        + "classes (" + String.join(", ", bundle.labels()) + "). The bundle's test split does not "
                        + "match its data; evaluate with --data FOLDER instead.");
            }
            out.add(new LabeledImage(file, rel, c));
        }
        return new Images(out, "test split of " + bundle.dataRoot());
    }

    /**
     * The validation split recorded in the bundle, read from the data folder it names.
     *
     * @return the images, or empty when the bundle records none or its data folder is not there
     */
    static Optional<Images> validationFromBundle(ModelBundle bundle) {
        if (bundle.validationSplit().isEmpty() || bundle.dataRoot() == null
                || !Files.isDirectory(Path.of(bundle.dataRoot()))) {
            return Optional.empty();
        }
        Path root = Path.of(bundle.dataRoot());
        List<LabeledImage> out = new ArrayList<>();
        for (String rel : bundle.validationSplit()) {
            Path parent = Path.of(rel).getParent();
            int c = parent == null ? -1 : bundle.labels().indexOf(parent.getFileName().toString());
            if (c < 0 || !Files.isRegularFile(root.resolve(rel))) {
                return Optional.empty();   // the folder changed since training: no validation numbers
            }
            out.add(new LabeledImage(root.resolve(rel), rel, c));
        }
        return Optional.of(new Images(out, "validation split of " + bundle.dataRoot()));
    }

    /**
     * What the report shows beyond the scores: calibration (the bundle's temperature, its validation fit, the test
     * scores before and after) and the reject option (risk–coverage curves, thresholds chosen on the validation split
     * with the same protocol, when the bundle records one).
     *
     * @param loaded the bundle evaluated
     * @param test   its evaluation on the test images
     * @param r      the protocol it was evaluated with and how it was chosen
     * @param fit    the validation fit when this run made it, else null (then read from the bundle)
     */
    static Trust trust(BundleStore.Loaded loaded, Evaluation test, Resolved r, int batchSize, boolean quiet,
                       CalibrationSummary.Fit fit) {
        ModelBundle b = loaded.bundle();
        CalibrationSummary calibration = CalibrationSummary.of(test, Calibrator.temperature(b),
                fit != null ? fit : Calibrator.recordedFit(b));
        Evaluation validation = r.validation() != null ? r.validation() : validationFromBundle(b)
                .map(v -> evaluate(loaded, v.images(), r.protocol(), r.averaging(), batchSize, quiet,
                        "validation " + r.protocol().name())).orElse(null);
        return new Trust(calibration, RiskCoverage.Summary.of(test, validation, RiskCoverage.DEFAULT_TARGETS),
                r.choice(), Headline.of(test.protocolMetrics(), Imbalance.of(b)));
    }

    /**
     * Calibration, the reject option and the protocol choice of an evaluation.
     *
     * @param calibration the calibration scores
     * @param reject      the risk–coverage curves and thresholds
     * @param choice      how the protocol was chosen
     * @param headline    the metric the output leads with (balanced accuracy when the training split was
     *                    imbalanced), and why
     */
    public record Trust(CalibrationSummary calibration, RiskCoverage.Summary reject, ProtocolChoice choice,
                        Headline headline) {
    }

    /** Runs the evaluation pass with a progress display. */
    static Evaluation evaluate(BundleStore.Loaded loaded, List<LabeledImage> images, CropProtocol protocol,
                               MultiCropEvaluator.Averaging averaging, int batchSize, boolean quiet) {
        return evaluate(loaded, images, protocol, averaging, batchSize, quiet, "evaluating " + protocol.name());
    }

    /** Runs the evaluation pass with a progress display labelled {@code what}. */
    static Evaluation evaluate(BundleStore.Loaded loaded, List<LabeledImage> images, CropProtocol protocol,
                               MultiCropEvaluator.Averaging averaging, int batchSize, boolean quiet, String what) {
        ModelBundle b = loaded.bundle();
        MultiCropEvaluator ev = new MultiCropEvaluator(b.preprocessing(), protocol, averaging, batchSize);
        ImageDecoder decoder = new ImageDecoder(b.preprocessing().input().channels(), ImageDecoder.DEFAULT_MAX_PIXELS);
        Evaluation e;
        try (Progress p = Progress.start(what, images.size(), " img", !quiet);
             NativeInference inference = NativeInference.of(loaded.graph())) {
            e = ev.evaluate(images, b.labels(), decoder, inference::output, p::step);
        }
        if (e.images().isEmpty()) {
            throw new DataException("none of the " + images.size() + " images could be read (first: "
                    + e.badImages().get(0).relativePath() + ": " + e.badImages().get(0).reason() + "). Expected "
                    + "readable images; check the data folder.");
        }
        return e;
    }
}
