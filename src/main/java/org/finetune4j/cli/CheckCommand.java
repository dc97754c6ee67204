package org.finetune4j.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.finetune4j.core.Json;
import org.finetune4j.stage.CheckStage;
import org.finetune4j.stage.TrainingFacts;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.tune.Check;
import org.finetune4j.tune.SanityChecks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finetune4j check}: sanity checks of a training setup before a long run. */
@Command(name = "check",
        description = {"Checks a training setup in a minute or two, with train's options: (1) the initial loss "
                + "with regularisation off against -ln(1/C); (2) turning regularisation up raises the loss; (3) the "
                + "network overfits a tiny subset (20 images) to ~100%% training accuracy; (4) per-layer "
                + "update/weight ratios and no NaN or infinite values; (5) input statistics after preprocessing. "
                + "Prints pass/warn/fail with the numbers and, for warn/fail, the usual causes; writes "
                + "eval/reports/check-<data>-<time>/ (check.json, overfit-loss.png, update-ratios.png).",
            "Exit code: 0 when no check failed (warnings allowed), 1 when a check failed, 2 for bad options."})
final class CheckCommand extends BackboneCommand {

    @Option(names = "--check-images", paramLabel = "N", description = "Training images the initial loss and the "
            + "input statistics are measured on. Default: ${DEFAULT-VALUE}.")
    int checkImages = SanityChecks.Settings.defaults().lossImages();

    @Option(names = "--overfit-images", paramLabel = "N", description = "Size of the tiny subset to overfit. "
            + "Default: ${DEFAULT-VALUE}.")
    int overfitImages = SanityChecks.Settings.defaults().overfitImages();

    @Option(names = "--overfit-iterations", paramLabel = "N", description = "Full-batch iterations on the tiny "
            + "subset. Default: ${DEFAULT-VALUE}.")
    int overfitIterations = SanityChecks.Settings.defaults().overfitIterations();

    @Override
    public Integer call() {
        backbone.requireGradientTraining("check");
        SanityChecks.Settings settings = new SanityChecks.Settings(checkImages, overfitImages, overfitIterations,
                SanityChecks.Settings.defaults().regularizationUp());
        Path dir = resolveData();
        TrainConfig cfg = config(dir.getFileName() + "-check", dir);
        var err = err();
        var out = out();
        if (!common.quiet) {
            err.println("finetune4j: checking model " + cfg.model() + " on " + cfg.data().folder() + " (seed "
                    + cfg.seed() + ", lr " + cfg.optimizer().learningRate() + ") ...");
            err.flush();
        }
        CheckStage.Result result = CheckStage.run(cfg, settings, train.folders(), common.log(err));
        SanityChecks.Result r = result.checks();
        if (common.json) {
            out.println(Json.write(new Summary(r.hasFailure(), r.checks(), result.report().toString())));
        } else {
            out.print(table(r.checks()));
            out.printf(Locale.ROOT, "%s in %s; report: %s (check.json, overfit-loss.png, update-ratios.png)%n",
                    r.hasFailure() ? "FAILED" : "ok", TrainingFacts.duration(result.seconds()), result.report());
        }
        out.flush();
        return r.hasFailure() ? Finetune4j.EXIT_FAILURE : Finetune4j.EXIT_OK;
    }

    /** What {@code check --json} prints (keys in alphabetical order). */
    @JsonPropertyOrder(alphabetic = true)
    record Summary(boolean failed, List<Check> checks, String report) {
    }

    static String table(List<Check> checks) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-28s %-6s %s%n", "check", "status", "measured"));
        for (Check c : checks) {
            List<String> nums = new ArrayList<>();
            c.measured().forEach((k, v) -> nums.add(k + " " + number(v)));
            sb.append(String.format(Locale.ROOT, "%-28s %-6s %s%n", c.name(), c.status().word(),
                    String.join(", ", nums)));
            sb.append(String.format(Locale.ROOT, "%-35s expected: %s%n", "", c.expected()));
            if (!c.causes().isEmpty()) {
                sb.append(String.format(Locale.ROOT, "%-35s usual causes: %s%n", "", c.causes()));
            }
        }
        return sb.toString();
    }

    /** Whole numbers (counts, iterations, -1 for "never") without decimals; the rest to four significant digits. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4g", v);
    }
}
