package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.finetune4j.core.Json;
import org.finetune4j.data.BadImage;
import org.finetune4j.stage.LearningCurvesPlot;
import org.finetune4j.stage.TrainStage;
import org.finetune4j.stage.TrainingFacts;
import org.finetune4j.run.EpochStats;
import org.finetune4j.run.History;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.run.TrainResult;

/** Runs the {@link TrainStage} for a command: echoes the configuration, prints epoch lines, handles Ctrl-C. */
final class TrainingRun {

    /** Exit code when Ctrl-C stopped training (128 + SIGINT), after a checkpoint was saved. */
    static final int EXIT_INTERRUPTED = 130;

    private TrainingRun() {
    }

    static int run(TrainConfig cfg, TrainOptions options, boolean quiet, boolean json, PrintWriter out,
                   PrintWriter err) {
        boolean resume = options.resume;
        TrainStage stage = new TrainStage(options.stageSettings());   // a bad protocol fails before any work
        if (!quiet) {
            err.println("finetune4j: " + (resume ? "resuming " : "training ") + cfg.name() + ": mode " + cfg.mode()
                    + ", model " + cfg.model() + ", data " + cfg.data().folder() + ", seed " + cfg.seed());
            err.flush();   // the config: line comes from the Trainer, once the backbone has resolved its defaults
        }
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            err.println();
            err.println("finetune4j: stopping after the current batch and saving a checkpoint (Ctrl-C again to "
                    + "abort at once) ...");
            err.flush();
            try {
                done.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "finetune4j-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        TrainStage.Result result;
        try {
            Consumer<String> log = CommonOptions.log(quiet, err);
            result = stage.fineTune(cfg, stop::get, (stats, history, total) -> log.accept(epochLine(stats, history,
                    total)), log, !quiet);
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting because of Ctrl-C: the hook is running and waits for `done`
            }
        }
        TrainResult r = result.training();
        if (r.interrupted()) {
            err.println("finetune4j: interrupted; checkpoint saved in " + r.checkpoint() + ". Continue with the "
                    + "same command and --resume.");
            err.flush();
            return EXIT_INTERRUPTED;
        }
        printSummary(result.config(), r, result.report(), json, out);
        EvaluationTable.printAfterTraining(result.evaluation(), result.trust(), result.report(), json, out);
        return Finetune4j.EXIT_OK;
    }

    static String epochLine(EpochStats s, History h, int total) {
        double meanSeconds = h.epochs().stream().mapToDouble(EpochStats::seconds).average().orElse(0);
        int stageDone = (int) h.epochs().stream().filter(e -> e.stage() == s.stage()).count();
        long eta = Math.round(meanSeconds * Math.max(0, total - stageDone));
        String val = Double.isNaN(s.valLoss()) ? "" : String.format(Locale.ROOT, "  val loss %.3f acc %.3f",
                s.valLoss(), s.valAccuracy());
        // balanced accuracy only where it says something accuracy does not: classes of unequal validation size
        if (!val.isEmpty() && !Double.isNaN(s.valBalancedAccuracy())
                && Math.abs(s.valBalancedAccuracy() - s.valAccuracy()) > 1e-9) {
            val += String.format(Locale.ROOT, " bal %.3f", s.valBalancedAccuracy());
        }
        return String.format(Locale.ROOT, "epoch %d/%d%s  train loss %.3f acc %.3f%s  lr %.2g  %.0f img/s  %s  ETA %s%s",
                stageDone, total, s.stage() == 2 ? " (stage 2)" : "", s.trainLoss(), s.trainAccuracy(), val,
                s.learningRate(), s.imagesPerSecond(), duration(s.seconds()), duration(eta),
                s.epoch() == h.bestEpoch() ? "  *best" : "");
    }

    static String duration(double seconds) {
        return TrainingFacts.duration(seconds);
    }

    private static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static void printSummary(TrainConfig cfg, TrainResult r, Path report, boolean json, PrintWriter out) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bundle", r.bundleDir().toString());
            m.put("report", report.toString());
            m.put("test-accuracy", nanToNull(r.testAccuracy()));
            m.put("best-epoch", r.history().bestEpoch());
            m.put("seconds", r.seconds());
            m.put("bad-images", r.badImages());
            out.println(Json.write(m));
            out.flush();
            return;
        }
        EpochStats best = r.history().best();
        String phrase = LearningCurvesPlot.bestEpochPhrase(r.history(), cfg.schedule().earlyStopping());
        out.printf(Locale.ROOT, "trained %s in %s: %s%s%n", cfg.name(), duration(r.seconds()),
                phrase == null ? "no epoch kept" : phrase, best == null || Double.isNaN(best.valAccuracy())
                        || !cfg.schedule().earlyStopping().isLoss()
                        ? "" : String.format(Locale.ROOT, " (val accuracy %.3f)", best.valAccuracy()));
        if (!Double.isNaN(r.testAccuracy())) {
            out.printf(Locale.ROOT, "test accuracy %s held-out test images (loss %.3f)%n",
                    EvaluationTable.accuracyOn(r.testAccuracy(), r.bundle().testSplit().size()), r.testLoss());
        }
        out.println("fit: " + r.history().diagnosis());
        out.println("bundle: " + r.bundleDir());
        out.println("report: " + report + " (metrics.json, learning-curves.png)");
        if (!r.badImages().isEmpty()) {
            out.println("skipped " + r.badImages().size() + " bad file(s):");
            for (BadImage b : r.badImages()) {
                out.println("  " + b.relativePath() + ": " + b.reason());
            }
        }
        out.flush();
    }
}
