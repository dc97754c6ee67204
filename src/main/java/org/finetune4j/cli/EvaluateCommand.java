package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.finetune4j.model.Backbones;
import org.finetune4j.stage.EvaluateStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finetune4j evaluate}: multi-crop evaluation of a trained bundle, with a report. */
@Command(name = "evaluate",
        description = {"Evaluates a trained bundle on labelled images with a multi-crop protocol (eval/README.md) "
                + "and, in the same pass, with the single centre crop, so the protocol's gain is visible: top-1 and "
                + "top-5 accuracy, per-class precision, recall and F1, the confusion matrix and the most confidently "
                + "wrong images. Writes eval/reports/<run>/ (metrics.json, report.md, report.html, PNG plots)."})
final class EvaluateCommand extends RunCommand {

    @Option(names = "--model", paramLabel = "M", required = true,
            description = "A trained bundle: its name under models/ or its folder.")
    String model;

    @Option(names = "--data", paramLabel = "DIR", description = "A folder of class folders named after the bundle's "
            + "classes (for a pre-split folder, its test/ part). Default: the test split recorded in the bundle.")
    Path data;

    @Option(names = "--protocol", paramLabel = "P", description = "center, ten-crop, multi-scale, or a "
            + "YAML file (eval/README.md). Default: the best of the shipped protocols and averaging rules on the "
            + "validation split (recorded in the bundle at training; evaluate uses the recorded choice).")
    String protocol;

    @Option(names = "--average", paramLabel = "A", description = "How crop predictions are combined: probs (mean of "
            + "the softmax probabilities) or log-probs (mean of the log-probabilities). Default: probs with a named "
            + "--protocol, else chosen with the protocol.")
    String average;

    @Option(names = "--batch-size", paramLabel = "N", description = "Most crops per forward pass. Default: "
            + "${DEFAULT-VALUE}.")
    int batchSize = 64;

    @Option(names = "--top-wrong", paramLabel = "N", description = "Most confidently wrong images in the report. "
            + "Default: ${DEFAULT-VALUE}.")
    int topWrong = 12;

    @Option(names = "--reports-dir", paramLabel = "DIR", description = "Where the run's report folder is written. "
            + "Default: ${DEFAULT-VALUE}.")
    Path reportsDir = Path.of("eval", "reports");

    @Option(names = "--models-dir", paramLabel = "DIR", description = "Where bundles are looked up by name. "
            + "Default: ${DEFAULT-VALUE}.")
    Path modelsDir = Backbones.MODELS_DIR;

    @Override
    public Integer call() {
        EvaluateStage stage = new EvaluateStage(new EvaluateStage.Settings(model, data, protocol, average, batchSize,
                topWrong, modelsDir, reportsDir, common.seed));
        PrintWriter err = err();
        EvaluateStage.Result r = stage.run(plan -> {
            if (!common.quiet) {
                err.println("finetune4j: evaluating " + plan.bundle() + " on " + plan.images() + " images of "
                        + plan.data() + " with " + plan.protocol() + " (" + plan.crops() + (plan.crops() == 1
                        ? " crop" : " crops") + " per image, " + plan.averaging() + " averaging)");
                err.flush();
            }
        }, !common.quiet);
        PrintWriter out = out();
        if (common.json) {
            out.println(EvaluationTable.json(r.evaluation(), r.trust(), r.report()));
        } else {
            EvaluationTable.printChoice(r.trust(), out);
            EvaluationTable.printTable(r.evaluation(), out);
            EvaluationTable.printHeadline(r.evaluation(), r.trust(), out);
            EvaluationTable.printTrust(r.trust(), out);
            out.println("report: " + r.report() + " (report.html, report.md, metrics.json, plots)");
        }
        out.flush();
        return Finetune4j.EXIT_OK;
    }
}
