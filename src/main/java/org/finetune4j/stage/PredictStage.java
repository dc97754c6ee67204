package org.finetune4j.stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.GradCam;
import org.finetune4j.model.Predictor;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.report.HeatMaps;

/**
 * The {@code predict} stage: finds the images among the given files and folders (folders searched recursively),
 * loads a trained bundle and classifies them with its {@link Predictor}. A bad image gets an error, the others go on.
 * <pre>
 * PredictStage.Result r = new PredictStage(new PredictStage.Settings("my-photos", Backbones.MODELS_DIR, 3, 16))
 *         .run(List.of(Path.of("photos")));
 * r.predictions().get(0).top();   // r.failed() counts the images that could not be classified
 * </pre>
 */
public final class PredictStage {

    /**
     * What {@code predict} uses.
     *
     * @param model     a trained bundle: its name under {@code modelsDir} or its folder
     * @param modelsDir where bundles are looked up by name
     * @param topK      labels per image, at least 1
     * @param batchSize images per forward pass, at least 1
     * @param minConfidence the reject option: below this top probability the answer is "unknown" (no label); 0
     *                  answers every image
     * @param explain   where and how to write Grad-CAM heat maps ({@code --explain}), or null for none
     */
    public record Settings(String model, Path modelsDir, int topK, int batchSize, double minConfidence,
                           Explain explain) {

        /** Settings that answer every image, without heat maps. */
        public Settings(String model, Path modelsDir, int topK, int batchSize) {
            this(model, modelsDir, topK, batchSize, 0, null);
        }

        /** @throws UsageException for a top-k or batch size below 1, or a minimum confidence outside [0, 1] */
        public Settings {
            if (!(minConfidence >= 0 && minConfidence <= 1)) {
                throw new UsageException("--min-confidence " + minConfidence + ": not a probability. Expected a "
                        + "number from 0 to 1 (the least top probability answered; `finetune4j evaluate` prints "
                        + "thresholds for accuracy targets); received " + minConfidence + ".");
            }
            if (topK < 1) {
                throw new UsageException("--top-k " + topK + ": expected at least 1.");
            }
            if (batchSize < 1) {
                throw new UsageException("--batch-size " + batchSize + ": expected at least 1.");
            }
        }
    }

    /**
     * The answer for one file, as {@code predict} prints it.
     *
     * @param file  the file as the user named it
     * @param label the most probable label, or null when its probability is below {@code --min-confidence}
     *              ("unknown") or the file could not be classified
     * @param top   the top-k labels with probabilities, most probable first (listed also when unknown)
     * @param error why the file could not be classified, or null
     */
    public record Answer(String file, String label, List<Predictor.Scored> top, String error) {
    }

    /**
     * Grad-CAM heat maps of the top class of each image.
     *
     * @param dir   the folder the PNGs are written to ({@code --explain-dir})
     * @param layer the convolutional layer, or null for the last one ({@code --explain-layer})
     */
    public record Explain(Path dir, String layer) {
    }

    /**
     * What {@code predict} found.
     *
     * @param predictions  one per image, in the order found (files as given, folders' images sorted)
     * @param explanations the heat-map PNGs written, one per classified image (empty without {@code --explain})
     */
    public record Result(List<Predictor.Prediction> predictions, double minConfidence, List<Path> explanations) {

        /** @return one answer per image, in order: no label below the minimum confidence */
        public List<Answer> answers() {
            return predictions.stream().map(p -> new Answer(p.file(), p.error() != null || p.top().isEmpty()
                    || p.top().get(0).probability() < minConfidence ? null : p.top().get(0).label(), p.top(),
                    p.error())).toList();
        }

        /** @return how many images were classified but answered "unknown" */
        public long unknown() {
            return answers().stream().filter(a -> a.error() == null && a.label() == null).count();
        }

        /** @return how many images could not be classified */
        public long failed() {
            return predictions.stream().filter(p -> p.error() != null).count();
        }
    }

    /** Short side of the pictures in the heat-map PNGs, in pixels. */
    private static final int EXPLAIN_SIDE_PX = 224;

    private final Settings settings;

    /** @param settings checked on construction */
    public PredictStage(Settings settings) {
        this.settings = settings;
    }

    /**
     * Classifies the images among {@code inputs}.
     *
     * @param inputs image files and folders of images
     * @throws UsageException if an input does not exist, no image is found, or the model is not a trained bundle
     */
    public Result run(List<Path> inputs) {
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                for (Path f : imagesUnder(in)) {
                    files.add(f);
                    names.add(f.toString());
                }
            } else if (Files.exists(in) || Files.isSymbolicLink(in)) {
                files.add(in);
                names.add(in.toString());
            } else {
                throw new UsageException(in + ": no such file or folder. Give image files or folders of images.");
            }
        }
        if (files.isEmpty()) {
            throw new UsageException(inputs + ": no images found (extensions " + String.join(", ",
                    new TreeSet<>(ImageFolder.EXTENSIONS)) + ").");
        }
        Path dir = Backbones.requireBundle(settings.model(), settings.modelsDir(), "predict");
        BundleStore.Loaded bundle = BundleStore.load(dir);
        ImageDecoder decoder = new ImageDecoder(bundle.bundle().preprocessing().input().channels(),
                ImageDecoder.DEFAULT_MAX_PIXELS);
        List<Predictor.Prediction> predictions = new Predictor(bundle, decoder).predict(files, names,
                settings.topK(), settings.batchSize());
        List<Path> explanations = settings.explain() == null ? List.of()
                : explain(bundle, decoder, files, names, predictions, settings.explain());
        return new Result(predictions, settings.minConfidence(), explanations);
    }

    /** Writes {@code <n>-<file name>-<label>.png} per classified image: the picture and its heat map. */
    private static List<Path> explain(BundleStore.Loaded bundle, ImageDecoder decoder, List<Path> files,
                                      List<String> names, List<Predictor.Prediction> predictions, Explain explain) {
        Preprocessing pre = bundle.bundle().preprocessing();
        GradCam cam = GradCam.of(bundle.graph(), explain.layer(), pre.input());
        List<String> labels = bundle.bundle().labels();
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Predictor.Prediction p = predictions.get(i);
            if (p.error() != null) {
                continue;
            }
            String label = p.top().get(0).label();
            try (Mat decoded = decoder.decode(files.get(i), names.get(i)); Mat fitted = pre.fit(decoded)) {
                GradCam.HeatMap m = cam.map(pre.toInput(List.of(fitted)), labels.indexOf(label));
                String stem = files.get(i).getFileName().toString().replaceFirst("\\.[^.]*$", "");
                Path png = explain.dir().resolve(String.format(Locale.ROOT, "%04d-%s-%s.png", i + 1, stem,
                        label.replaceAll("[^A-Za-z0-9._-]", "_")));
                HeatMaps.writePng(png, fitted, m.heat(), EXPLAIN_SIDE_PX);
                out.add(png);
            } catch (BadImageException e) {
                continue;
            }
        }
        return List.copyOf(out);
    }

    private static List<Path> imagesUnder(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(ImageFolder::hasImageExtension)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
    }
}
