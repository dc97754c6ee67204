package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Json;
import org.finetune4j.core.Progress;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;

/** The evaluation steps {@code evaluate} and {@code train} share: finding the images, the pass, the summary table. */
final class EvaluationRun {

    /**
     * The images to evaluate and how to name them in the report.
     *
     * @param images      the images, class indices into the bundle's labels
     * @param description the data as the report names it
     */
    record Images(List<LabeledImage> images, String description) {
    }

    private EvaluationRun() {
    }

    /** @return a run name: {@code <prefix>-<local time>} */
    static String runName(String prefix) {
        return prefix + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss"));
    }

    /**
     * The images of a folder of class folders (the test part of a pre-split folder), their classes mapped onto the
     * bundle's labels.
     *
     * @throws UsageException if a class folder is not one of the bundle's classes
     */
    static Images fromFolder(Path dir, ModelBundle bundle) {
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
    static Images fromBundle(ModelBundle bundle) {
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

    /** Prints the protocol-versus-centre table. */
    static void printTable(Evaluation e, PrintWriter out) {
        out.printf(Locale.ROOT, "%-14s %6s %7s %7s %9s %10s%n", "protocol", "crops", "top-1", "top-5", "macro-F1",
                "images/s");
        out.println(row("center", 1, e.centerMetrics(), e.centerImagesPerSecond()));
        if (e.cropsPerImage() > 1 || !e.protocol().equals("center")) {
            out.println(row(e.protocol(), e.cropsPerImage(), e.protocolMetrics(), e.protocolImagesPerSecond()));
            out.printf(Locale.ROOT, "%s vs center: top-1 %+.1f points (%s averaging, %d images)%n", e.protocol(),
                    100 * (e.protocolMetrics().top1() - e.centerMetrics().top1()), e.averaging(), e.images().size());
        }
        if (!e.badImages().isEmpty()) {
            out.println("left out " + e.badImages().size() + " unreadable file(s):");
            e.badImages().forEach(b -> out.println("  " + b.relativePath() + ": " + b.reason()));
        }
    }

    private static String row(String name, int crops, org.finetune4j.eval.Metrics m, double rate) {
        return String.format(Locale.ROOT, "%-14s %6d %7.3f %7s %9.3f %10.1f", name, crops, m.top1(),
                m.top5() == null ? "-" : String.format(Locale.ROOT, "%.3f", m.top5()), m.macroF1(), rate);
    }

    /** @return the headline numbers as a JSON-ready map */
    static Map<String, Object> summary(Evaluation e, Path report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("report", report.toString());
        m.put("protocol", e.protocol());
        m.put("averaging", e.averaging());
        m.put("images", e.images().size());
        m.put("crops-per-image", e.cropsPerImage());
        m.put("top1", e.protocolMetrics().top1());
        m.put("top5", e.protocolMetrics().top5());
        m.put("center-top1", e.centerMetrics().top1());
        m.put("center-top5", e.centerMetrics().top5());
        m.put("images-per-second", e.protocolImagesPerSecond());
        m.put("center-images-per-second", e.centerImagesPerSecond());
        m.put("bad-images", e.badImages());
        return m;
    }

    static String json(Evaluation e, Path report) {
        return Json.write(summary(e, report));
    }
}
