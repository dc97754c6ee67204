package org.finetune4j.stage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.finetune4j.core.DataException;
import org.finetune4j.core.RunInfo;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.core.Progress;
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
     * @param protocol   a protocol name or YAML file (eval/README.md)
     * @param average    how crop predictions are combined: {@code probs} or {@code log-probs}
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
     */
    public record Result(Evaluation evaluation, Path report) {
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
        this.averaging = MultiCropEvaluator.Averaging.of(settings.average());
        this.protocol = CropProtocolLoader.load(settings.protocol());
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
        if (Backbones.find(model).isPresent()) {
            throw new UsageException("--model " + model + ": a backbone, not a trained bundle; it knows no labels of "
                    + "yours. Train a bundle first (`finetune4j train`), then evaluate it.");
        }
        Path dir = Backbones.findBundle(model, modelsDir)
                .orElseThrow(() -> Backbones.unknownBundle(model, modelsDir, "evaluate"));
        BundleStore.Loaded loaded = BundleStore.load(dir);
        protocol.crops(loaded.bundle().preprocessing());
        Images images = settings.data() != null ? fromFolder(settings.data(), loaded.bundle())
                : fromBundle(loaded.bundle());
        onStart.accept(new Plan(loaded.bundle().name(), images.images().size(), images.description(),
                protocol.name(), protocol.cropCount(), averaging.key()));
        Evaluation e = evaluate(loaded, images.images(), protocol, averaging, settings.batchSize(), !progress);
        String run = runName(loaded.bundle().name() + "-" + protocol.name());
        Path report = ReportWriter.write(settings.reportsDir().resolve(run), new ReportContent(run, loaded.bundle(),
                images.description(), e, settings.topWrong(), null, RunInfo.current(settings.seed())));
        return new Result(e, report);
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
        if (bundle.testSplit().isEmpty() || bundle.dataRoot() == null) {
            throw new UsageException("--data: not given, and the bundle " + bundle.name() + " records no test split. "
                    + "Expected --data FOLDER (a folder of class folders); received nothing. Name the images to "
                    + "evaluate with --data.");
        }
        Path root = Path.of(bundle.dataRoot());
        if (!Files.isDirectory(root)) {
            throw new UsageException("--data: not given, and the folder the bundle " + bundle.name() + " was trained "
                    + "on (" + bundle.dataRoot() + ", relative to the working folder) is not there. Run from the "
                    + "folder you trained in, or name the images with --data FOLDER.");
        }
        List<LabeledImage> out = new ArrayList<>();
        for (String rel : bundle.testSplit()) {
            Path file = root.resolve(rel);
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

    /** Runs the evaluation pass with a progress display. */
    static Evaluation evaluate(BundleStore.Loaded loaded, List<LabeledImage> images, CropProtocol protocol,
                               MultiCropEvaluator.Averaging averaging, int batchSize, boolean quiet) {
        ModelBundle b = loaded.bundle();
        MultiCropEvaluator ev = new MultiCropEvaluator(b.preprocessing(), protocol, averaging, batchSize);
        ImageDecoder decoder = new ImageDecoder(b.preprocessing().input().channels(), ImageDecoder.DEFAULT_MAX_PIXELS);
        Evaluation e;
        try (Progress p = Progress.start("evaluating " + protocol.name(), images.size(), " img", !quiet)) {
            e = ev.evaluate(images, b.labels(), decoder, loaded.graph()::outputSingle, p::step);
        }
        if (e.images().isEmpty()) {
            throw new DataException("none of the " + images.size() + " images could be read (first: "
                    + e.badImages().get(0).relativePath() + ": " + e.badImages().get(0).reason() + "). Expected "
                    + "readable images; check the data folder.");
        }
        return e;
    }
}
