package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.finetune4j.core.Json;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.Predictor;
import org.finetune4j.stage.PredictStage;
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

    @Option(names = "--min-confidence", paramLabel = "P", description = "Reject option: answer \"unknown\" when "
            + "the top probability is below P (0 to 1); the top-k labels are still listed. `evaluate` prints the "
            + "thresholds that reach 95%% and 99%% accuracy on the validation split. Default: ${DEFAULT-VALUE} "
            + "(always answer).")
    double minConfidence = 0;

    @Option(names = "--explain", description = "Also write a Grad-CAM heat map of each image's top class: the picture "
            + "the network saw and the map over it, side by side, as PNG in --explain-dir.")
    boolean explain;

    @Option(names = "--explain-dir", paramLabel = "DIR", description = "Where --explain writes. Default: "
            + "${DEFAULT-VALUE}.")
    Path explainDir = Path.of("explanations");

    @Option(names = "--explain-layer", paramLabel = "LAYER", description = "The convolutional layer of the heat "
            + "maps. Default: the last convolutional layer before the pooling that ends the network's convolutions.")
    String explainLayer;

    @Option(names = "--json", description = "Print the predictions as JSON.")
    boolean json;

    @Parameters(paramLabel = "IMAGE_OR_FOLDER", arity = "1..*", description = "Image files or folders of images.")
    List<Path> inputs;

    @Override
    public Integer call() {
        PredictStage.Result result = new PredictStage(new PredictStage.Settings(model, Backbones.MODELS_DIR, topK,
                batchSize, minConfidence, explain ? new PredictStage.Explain(explainDir, explainLayer) : null))
                .run(inputs);
        List<PredictStage.Answer> predictions = result.answers();
        PrintWriter out = out();
        if (json) {
            out.println(Json.write(predictions));
        } else {
            for (PredictStage.Answer p : predictions) {
                if (p.error() != null) {
                    out.println(p.file() + ": cannot classify: " + p.error());
                    continue;
                }
                StringBuilder b = new StringBuilder(p.file()).append(':');
                if (p.label() == null) {
                    b.append(String.format(Locale.ROOT, "  unknown (below %.3f):", minConfidence));
                }
                for (Predictor.Scored s : p.top()) {
                    b.append(String.format(Locale.ROOT, "  %s %.3f", s.label(), s.probability()));
                }
                out.println(b);
            }
        }
        if (!result.explanations().isEmpty() && !json) {
            out.println("heat maps: " + result.explanations().size() + " PNG(s) in " + explainDir);
        }
        out.flush();
        long failed = result.failed();
        if (failed > 0) {
            PrintWriter err = err();
            err.println("finetune4j: " + failed + " of " + predictions.size() + " file(s) could not be classified "
                    + "(listed above with the reason); the others were.");
            err.flush();
            return Finetune4j.EXIT_FAILURE;
        }
        return Finetune4j.EXIT_OK;
    }
}
