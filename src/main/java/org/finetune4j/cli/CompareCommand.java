package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.core.Json;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.model.Backbones;
import org.finetune4j.report.ComparisonReport;
import org.finetune4j.stage.CompareStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code finetune4j compare}: two or more bundles on the same images, with tests of their differences. */
@Command(name = "compare",
        description = {"Compares two or more trained bundles on the same images (the test split they share, or "
                + "--data) with the same protocol: each bundle's top-1 and macro F1 with 95%% intervals, and for each "
                + "pair McNemar's exact test, a paired bootstrap interval of the accuracy difference and the recall "
                + "difference per class. Refuses bundles whose labels differ. Writes eval/reports/<run>/ "
                + "(compare.html, comparison.json, accuracy.png)."})
final class CompareCommand extends RunCommand {

    @Parameters(paramLabel = "BUNDLE", arity = "2..*", description = "Trained bundles: names under models/ or "
            + "folders.")
    List<String> models;

    @Option(names = "--data", paramLabel = "DIR", description = "A folder of class folders named after the bundles' "
            + "classes (for a pre-split folder, its test/ part). Default: the test split the bundles record (they "
            + "must record the same one).")
    Path data;

    @Option(names = "--protocol", paramLabel = "P", description = "center, ten-crop, multi-scale, or a YAML file "
            + "(eval/README.md). Default: ${DEFAULT-VALUE}.")
    String protocol = CropProtocolLoader.DEFAULT_PROTOCOL;

    @Option(names = "--average", paramLabel = "A", description = "How crop predictions are combined: probs or "
            + "log-probs. Default: ${DEFAULT-VALUE}.")
    String average = MultiCropEvaluator.Averaging.PROBABILITIES.key();

    @Option(names = "--batch-size", paramLabel = "N", description = "Most crops per forward pass. Default: "
            + "${DEFAULT-VALUE}.")
    int batchSize = 64;

    @Option(names = "--reports-dir", paramLabel = "DIR", description = "Where the comparison's folder is written. "
            + "Default: ${DEFAULT-VALUE}.")
    Path reportsDir = Path.of("eval", "reports");

    @Option(names = "--models-dir", paramLabel = "DIR", description = "Where bundles are looked up by name. "
            + "Default: ${DEFAULT-VALUE}.")
    Path modelsDir = Backbones.MODELS_DIR;

    @Override
    public Integer call() {
        CompareStage stage = new CompareStage(new CompareStage.Settings(models, data, protocol, average, batchSize,
                modelsDir, reportsDir, common.seed));
        PrintWriter err = err();
        CompareStage.Result r = stage.run(plan -> {
            if (!common.quiet) {
                err.println("finetune4j: comparing " + String.join(", ", plan.bundles()) + " on " + plan.images()
                        + " images of " + plan.data() + " with " + plan.protocol());
                err.flush();
            }
        }, !common.quiet);
        PrintWriter out = out();
        if (common.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("report", r.report().toString());
            m.put("data", r.data());
            m.put("protocol", r.protocol());
            m.put("comparison", r.comparison());
            out.println(Json.write(m));
        } else {
            out.println("compare: " + r.comparison().images() + " images of " + r.data() + ", protocol "
                    + r.protocol());
            ComparisonReport.lines(r.comparison()).forEach(out::println);
            out.println("comparison page: " + r.report().resolve("compare.html"));
        }
        out.flush();
        return Finetune4j.EXIT_OK;
    }
}
