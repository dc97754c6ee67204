package org.finetune4j.stage;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Json;
import org.finetune4j.core.RunInfo;
import org.finetune4j.report.Plots;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.tune.Check;
import org.finetune4j.tune.SanityChecks;
import org.finetune4j.tune.Subject;

/**
 * The {@code check} stage: prepares the run as {@code train} would, runs the {@link SanityChecks} and writes the
 * report folder {@code check-<data>-<time>/} ({@code check.json}, {@code overfit-loss.png},
 * {@code update-ratios.png}).
 * <pre>
 * CheckStage.Result r = CheckStage.run(cfg, SanityChecks.Settings.defaults(), folders, log);
 * r.checks().hasFailure();   // the report is in r.report()
 * </pre>
 */
public final class CheckStage {

    /**
     * What {@code check} found.
     *
     * @param checks  the checks and what they measured
     * @param seconds the stage's wall-clock time
     * @param report  the report folder written
     */
    public record Result(SanityChecks.Result checks, double seconds, Path report) {
    }

    /**
     * What {@code check.json} holds, one component a key (written in alphabetical order).
     *
     * @param failed       whether any check failed
     * @param checks       the checks, in the order they ran
     * @param overfitLoss  training loss of the tiny subset after every iteration
     * @param updateRatios per trainable layer: mean update / weight norm
     * @param seconds      the stage's wall-clock time
     * @param config       the run's configuration
     * @param runInfo      versions, platform, seed and time
     */
    @JsonPropertyOrder(alphabetic = true)
    public record Report(boolean failed, List<Check> checks, double[] overfitLoss, Map<String, Double> updateRatios,
                         double seconds, TrainConfig config, RunInfo runInfo) {
    }

    private CheckStage() {
    }

    /**
     * Runs the checks on the run {@code cfg} describes and writes the report.
     *
     * @param log one-line notes
     * @throws org.finetune4j.core.UsageException for options the set-up rejects
     */
    public static Result run(TrainConfig cfg, SanityChecks.Settings checks, Folders folders, Consumer<String> log) {
        long started = System.nanoTime();
        Subject subject = Subject.prepare(cfg, folders.modelsDir(), log);
        SanityChecks.Result r = SanityChecks.run(subject, checks);
        double seconds = (System.nanoTime() - started) / 1e9;
        Path report = folders.reportsDir().resolve(EvaluateStage.runName("check-"
                + Path.of(cfg.data().folder()).getFileName()));
        write(report, new Report(r.hasFailure(), r.checks(), r.overfitLoss(), r.updateRatios(), seconds, cfg,
                RunInfo.current(cfg.seed())), r);
        return new Result(r, seconds, report);
    }

    private static void write(Path dir, Report report, SanityChecks.Result r) {
        AtomicFiles.writeString(dir.resolve("check.json"), Json.write(report));
        double[] it = new double[r.overfitLoss().length];
        for (int i = 0; i < it.length; i++) {
            it[i] = i + 1;
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("training loss (tiny subset)", new double[][] {it, r.overfitLoss()});
        series.put("-ln(1/C)", new double[][] {{1, it.length}, {Math.log(r.classes()), Math.log(r.classes())}});
        Plots.lines(dir.resolve("overfit-loss.png"), "Overfitting " + (int) r.check("overfit-tiny-subset").measured()
                .get("images").doubleValue() + " images, regularisation off", "iteration", "loss", false, series,
                null);
        if (!r.updateRatios().isEmpty()) {
            List<String> names = new ArrayList<>(r.updateRatios().keySet());
            double[] v = r.updateRatios().values().stream().mapToDouble(x -> Math.log10(Math.max(x, 1e-30)))
                    .toArray();
            Plots.bars(dir.resolve("update-ratios.png"), "Update / weight norm per layer (healthy: -5 to -1, "
                    + "typical -3)", "log10(||dW|| / ||W||)", names, v);
        }
    }
}
