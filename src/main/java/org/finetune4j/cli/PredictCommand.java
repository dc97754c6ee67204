package org.finetune4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.Predictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code finetune4j predict}: top-k labels for images with a trained bundle. */
@Command(name = "predict",
        description = {"Classifies images with a trained bundle: the top-k labels with probabilities per image. "
                + "Folders are searched recursively for images. A bad image is reported and the others go on; the "
                + "exit code is 1 if any image could not be classified."})
final class PredictCommand extends ToolCommand {

    @Option(names = "--model", paramLabel = "M", required = true,
            description = "A bundle: its name under models/ or its folder.")
    String model;

    @Option(names = "--top-k", paramLabel = "K", description = "Labels per image. Default: ${DEFAULT-VALUE}.")
    int topK = 3;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per forward pass. Default: "
            + "${DEFAULT-VALUE}.")
    int batchSize = 16;

    @Option(names = "--json", description = "Print the predictions as JSON.")
    boolean json;

    @Parameters(paramLabel = "IMAGE_OR_FOLDER", arity = "1..*", description = "Image files or folders of images.")
    List<Path> inputs;

    @Override
    public Integer call() {
        if (topK < 1) {
            throw new UsageException("--top-k " + topK + ": expected at least 1.");
        }
        if (batchSize < 1) {
            throw new UsageException("--batch-size " + batchSize + ": expected at least 1.");
        }
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
                    new java.util.TreeSet<>(ImageFolder.EXTENSIONS)) + ").");
        }
        if (Backbones.find(model).isPresent()) {
            throw new UsageException("--model " + model + ": a backbone, not a trained bundle; it knows no labels of "
                    + "yours. Train a bundle first (`finetune4j train`), then predict with it.");
        }
        Path dir = Backbones.findBundle(model, Backbones.MODELS_DIR)
                .orElseThrow(() -> Backbones.unknownBundle(model, Backbones.MODELS_DIR, "predict"));
        BundleStore.Loaded bundle = BundleStore.load(dir);
        ImageDecoder decoder = new ImageDecoder(bundle.bundle().preprocessing().input().channels(),
                ImageDecoder.DEFAULT_MAX_PIXELS);
        List<Predictor.Prediction> predictions = new Predictor(bundle, decoder).predict(files, names, topK,
                batchSize);
        PrintWriter out = out();
        if (json) {
            out.println(Json.write(predictions));
        } else {
            for (Predictor.Prediction p : predictions) {
                if (p.error() != null) {
                    out.println(p.file() + ": cannot classify: " + p.error());
                    continue;
                }
                StringBuilder b = new StringBuilder(p.file()).append(':');
                for (Predictor.Scored s : p.top()) {
                    b.append(String.format(Locale.ROOT, "  %s %.3f", s.label(), s.probability()));
                }
                out.println(b);
            }
        }
        out.flush();
        long failed = predictions.stream().filter(p -> p.error() != null).count();
        if (failed > 0) {
            PrintWriter err = err();
            err.println("finetune4j: " + failed + " of " + predictions.size() + " file(s) could not be classified "
                    + "(listed above with the reason); the others were.");
            err.flush();
            return Finetune4j.EXIT_FAILURE;
        }
        return Finetune4j.EXIT_OK;
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
