package org.finetune4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Json;
import org.finetune4j.core.RunInfo;
import org.finetune4j.stage.EvaluateStage;
import org.finetune4j.report.Plots;
import org.finetune4j.core.Progress;
import org.finetune4j.report.VerticalMarker;
import org.finetune4j.stage.TrainingFacts;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.tune.LrRangeTest;
import org.finetune4j.tune.Subject;
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
        long started = System.nanoTime();
        Subject subject = Subject.prepare(cfg, train.modelsDir, common.log(err));
        LrRangeTest.Result r;
        try (Progress p = Progress.start("lr-find", iterations, " it", !common.quiet)) {
            r = LrRangeTest.run(subject, settings, cfg.schedule().batchSize(), (step, lr, loss) -> p.step());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        String run = EvaluateStage.runName("lr-find-" + dir.getFileName());
        Path report = train.reportsDir.resolve(run);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("suggestion", r.suggestion());
        m.put("rule", "learning rate at the minimum of the smoothed loss / 10");
        m.put("min-loss-lr", r.minLossLr());
        m.put("steepest-lr", r.steepestLr());
        m.put("diverged", r.diverged());
        m.put("steps", r.learningRates().length);
        m.put("learning-rates", r.learningRates());
        m.put("losses", r.losses());
        m.put("smoothed-losses", r.smoothed());
        m.put("seconds", seconds);
        m.put("config", cfg);
        m.put("run-info", RunInfo.current(cfg.seed()));
        AtomicFiles.writeString(report.resolve("lr-find.json"), Json.write(m));
        Map<String, double[][]> series = new LinkedHashMap<>();
        // raw losses far above the smoothed curve (the blow-up at the end) would squash the interesting part
        double cap = 2 * java.util.Arrays.stream(r.smoothed()).max().orElse(Double.POSITIVE_INFINITY);
        double[] shown = java.util.Arrays.stream(r.losses()).map(v -> v > cap ? Double.NaN : v).toArray();
        series.put("loss (points above " + String.format(Locale.ROOT, "%.3g", cap) + " not drawn)",
                new double[][] {r.learningRates(), shown});
        series.put("smoothed loss", new double[][] {r.learningRates(), r.smoothed()});
        Path png = report.resolve("lr-find.png");
        Plots.lines(png, "Learning-rate range test (" + cfg.optimizer().updater() + ", batch "
                + cfg.schedule().batchSize() + ")", "learning rate", "training loss", true, series,
                new VerticalMarker(r.suggestion(), String.format(Locale.ROOT, "suggested %.2g", r.suggestion())));
        if (common.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("suggestion", r.suggestion());
            j.put("min-loss-lr", r.minLossLr());
            j.put("steepest-lr", r.steepestLr());
            j.put("diverged", r.diverged());
            j.put("plot", png.toString());
            out.println(Json.write(j));
        } else {
            out.printf(Locale.ROOT, "suggested learning rate: %.2g (minimum of the smoothed loss at %.2g, / 10; "
                    + "steepest descent at %.2g)%n", r.suggestion(), r.minLossLr(), r.steepestLr());
            out.printf(Locale.ROOT, "%d steps%s in %s%n", r.learningRates().length, r.diverged()
                    ? " (stopped: the loss diverged)" : "", TrainingFacts.duration(seconds));
            out.println("plot: " + png);
        }
        out.flush();
        return Finetune4j.EXIT_OK;
    }
}
