package org.finetune4j.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.Locale;
import org.finetune4j.core.Json;
import org.finetune4j.stage.LrFindStage;
import org.finetune4j.stage.TrainingFacts;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.tune.LrRangeTest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finetune4j lr-find}: the learning-rate range test. */
@Command(name = "lr-find",
        description = {"Learning-rate range test (Smith 2017, fastai's LRFinder) with train's options: trains from "
                + "the initial weights while the learning rate grows exponentially from --start-lr to --end-lr, one "
                + "step per batch, stops when the smoothed loss exceeds 4x its minimum, and suggests a learning rate: "
                + "the rate at the minimum of the smoothed loss divided by 10 (the rate of steepest descent is shown "
                + "too). Writes the loss-vs-learning-rate plot to eval/reports/lr-find-<data>-<time>/lr-find.png. "
                + "The weights are thrown away."})
final class LrFindCommand extends BackboneCommand {

    @Option(names = "--start-lr", paramLabel = "X", description = "First learning rate. Default: ${DEFAULT-VALUE}.")
    double startLr = LrRangeTest.Settings.defaults().startLr();

    @Option(names = "--end-lr", paramLabel = "X", description = "Last learning rate. Default: ${DEFAULT-VALUE}.")
    double endLr = LrRangeTest.Settings.defaults().endLr();

    @Option(names = "--iterations", paramLabel = "N", description = "Steps at most (one batch each). Default: "
            + "${DEFAULT-VALUE}.")
    int iterations = LrRangeTest.Settings.defaults().iterations();

    @Override
    public Integer call() {
        backbone.requireGradientTraining("lr-find");
        LrRangeTest.Settings settings = new LrRangeTest.Settings(startLr, endLr, iterations,
                LrRangeTest.Settings.defaults().beta());
        Path dir = resolveData();
        TrainConfig cfg = config(dir.getFileName() + "-lr-find", dir);
        var err = err();
        var out = out();
        LrFindStage.Result result = LrFindStage.run(cfg, settings, train.folders(), common.log(err), !common.quiet);
        LrRangeTest.Result r = result.test();
        Path png = result.plot();
        if (common.json) {
            out.println(Json.write(new Summary(r.suggestion(), r.minLossLr(), r.steepestLr(), r.diverged(),
                    png.toString())));
        } else {
            out.printf(Locale.ROOT, "suggested learning rate: %.2g (minimum of the smoothed loss at %.2g, / 10; "
                    + "steepest descent at %.2g)%n", r.suggestion(), r.minLossLr(), r.steepestLr());
            out.printf(Locale.ROOT, "%d steps%s in %s%n", r.learningRates().length, r.diverged()
                    ? " (stopped: the loss diverged)" : "", TrainingFacts.duration(result.seconds()));
            out.println("plot: " + png);
        }
        out.flush();
        return Finetune4j.EXIT_OK;
    }

    /** What {@code lr-find --json} prints (keys in alphabetical order). */
    @JsonPropertyOrder(alphabetic = true)
    record Summary(double suggestion, double minLossLr, double steepestLr, boolean diverged, String plot) {
    }
}
