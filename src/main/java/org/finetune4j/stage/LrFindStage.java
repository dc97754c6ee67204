package org.finetune4j.stage;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Json;
import org.finetune4j.core.Progress;
import org.finetune4j.core.RunInfo;
import org.finetune4j.report.Plots;
import org.finetune4j.report.VerticalMarker;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.tune.LrRangeTest;
import org.finetune4j.tune.Subject;

/**
 * The {@code lr-find} stage: prepares the run as {@code train} would, runs the {@link LrRangeTest} and writes the
 * report folder {@code lr-find-<data>-<time>/} ({@code lr-find.json}, {@code lr-find.png}). The weights are thrown
 * away.
 * <pre>
 * LrFindStage.Result r = LrFindStage.run(cfg, LrRangeTest.Settings.defaults(), folders, log, true);
 * r.test().suggestion();   // the plot is r.plot()
 * </pre>
 */
public final class LrFindStage {

    /** How the suggestion is made, in words ({@code lr-find.json}'s {@code rule}). */
    static final String RULE = "learning rate at the minimum of the smoothed loss / 10";

    /**
     * What {@code lr-find} found.
     *
     * @param test    the range test's curves and suggestion
     * @param seconds the stage's wall-clock time
     * @param plot    the loss-vs-learning-rate plot written (in the report folder, next to {@code lr-find.json})
     */
    public record Result(LrRangeTest.Result test, double seconds, Path plot) {
    }

    /**
     * What {@code lr-find.json} holds, one component a key (written in alphabetical order).
     *
     * @param suggestion     the suggested learning rate
     * @param rule           how it was chosen, in words
     * @param minLossLr      the learning rate at the minimum of the smoothed loss
     * @param steepestLr     the learning rate of steepest descent
     * @param diverged       whether the test stopped because the loss diverged
     * @param steps          steps taken
     * @param learningRates  the learning rate of every step
     * @param losses         the loss of every step
     * @param smoothedLosses the smoothed loss of every step
     * @param seconds        the stage's wall-clock time
     * @param config         the run's configuration
     * @param runInfo        versions, platform, seed and time
     */
    @JsonPropertyOrder(alphabetic = true)
    public record Report(double suggestion, String rule, double minLossLr, double steepestLr, boolean diverged,
                         int steps, double[] learningRates, double[] losses, double[] smoothedLosses, double seconds,
                         TrainConfig config, RunInfo runInfo) {

        static Report of(LrRangeTest.Result r, double seconds, TrainConfig cfg) {
            return new Report(r.suggestion(), RULE, r.minLossLr(), r.steepestLr(), r.diverged(),
                    r.learningRates().length, r.learningRates(), r.losses(), r.smoothed(), seconds, cfg,
                    RunInfo.current(cfg.seed()));
        }
    }

    private LrFindStage() {
    }

    /**
     * Runs the range test on the run {@code cfg} describes and writes the report.
     *
     * @param log      one-line notes
     * @param progress whether to show a progress display
     */
    public static Result run(TrainConfig cfg, LrRangeTest.Settings test, Folders folders, Consumer<String> log,
                             boolean progress) {
        long started = System.nanoTime();
        Subject subject = Subject.prepare(cfg, folders.modelsDir(), log);
        LrRangeTest.Result r;
        try (Progress p = Progress.start("lr-find", test.iterations(), " it", progress)) {
            r = LrRangeTest.run(subject, test, cfg.schedule().batchSize(), (step, lr, loss) -> p.step());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Path report = folders.reportsDir().resolve(EvaluateStage.runName("lr-find-"
                + Path.of(cfg.data().folder()).getFileName()));
        AtomicFiles.writeString(report.resolve("lr-find.json"), Json.write(Report.of(r, seconds, cfg)));
        Path png = report.resolve("lr-find.png");
        plot(png, r, cfg);
        return new Result(r, seconds, png);
    }

    private static void plot(Path png, LrRangeTest.Result r, TrainConfig cfg) {
        Map<String, double[][]> series = new LinkedHashMap<>();
        // raw losses far above the smoothed curve (the blow-up at the end) would squash the interesting part
        double cap = 2 * Arrays.stream(r.smoothed()).max().orElse(Double.POSITIVE_INFINITY);
        double[] shown = Arrays.stream(r.losses()).map(v -> v > cap ? Double.NaN : v).toArray();
        series.put("loss (points above " + String.format(Locale.ROOT, "%.3g", cap) + " not drawn)",
                new double[][] {r.learningRates(), shown});
        series.put("smoothed loss", new double[][] {r.learningRates(), r.smoothed()});
        Plots.lines(png, "Learning-rate range test (" + cfg.optimizer().updater() + ", batch "
                + cfg.schedule().batchSize() + ")", "learning rate", "training loss", true, series,
                new VerticalMarker(r.suggestion(), String.format(Locale.ROOT, "suggested %.2g", r.suggestion())));
    }
}
