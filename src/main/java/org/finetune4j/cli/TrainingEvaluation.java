package org.finetune4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.core.RunInfo;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.model.BundleStore;
import org.finetune4j.report.ReportContent;
import org.finetune4j.report.ReportWriter;
import org.finetune4j.run.EpochStats;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.run.TrainResult;

/**
 * The end of {@code train}: evaluates the new bundle on its held-out test split with the chosen protocol and turns
 * the run's report folder into a full report (the training metrics stay in {@code metrics.json}).
 */
final class TrainingEvaluation {

    private TrainingEvaluation() {
    }

    /**
     * A training run's report folder as training left it.
     *
     * @param dir     the folder
     * @param metrics what training wrote to its {@code metrics.json}, in order
     */
    record Written(Path dir, Map<String, Object> metrics) {
    }

    /**
     * @param report the run's report folder and the training's metrics
     * @return the evaluation, or null when the bundle has no test split
     */
    static Evaluation write(Written report, TrainConfig cfg, TrainResult r, CropProtocol protocol,
                            MultiCropEvaluator.Averaging averaging, boolean quiet) {
        return write(report, r, facts(cfg, r), LearningCurvesPlot.curves(r.history(), cfg.schedule().earlyStopping()), List.of(), protocol,
                averaging, cfg.seed(), quiet);
    }

    /**
     * @param facts  the training facts the report shows
     * @param curves learning curves, or null (a features run has no epochs)
     * @param plots  PNGs already in the report folder to show with them (file name → caption)
     * @return the evaluation, or null when the bundle has no test split
     */
    static Evaluation write(Written report, TrainResult r, List<Map.Entry<String, String>> facts,
                            org.finetune4j.report.LearningCurves curves, List<Map.Entry<String, String>> plots,
                            CropProtocol protocol, MultiCropEvaluator.Averaging averaging, long seed,
                            boolean quiet) {
        if (r.bundleDir() == null || r.bundle() == null || r.bundle().testSplit().isEmpty()) {
            return null;
        }
        BundleStore.Loaded loaded = BundleStore.load(r.bundleDir());
        EvaluationRun.Images images = EvaluationRun.fromBundle(loaded.bundle());
        Evaluation e = EvaluationRun.evaluate(loaded, images.images(), protocol, averaging, 64, quiet);
        ReportContent.Training training = new ReportContent.Training(report.metrics(), facts, curves, plots);
        ReportWriter.write(report.dir(), new ReportContent(report.dir().getFileName().toString(), loaded.bundle(),
                images.description(), e, 12, training, RunInfo.current(seed)));
        return e;
    }

    /** Prints the end-of-training evaluation table and the report page (not with --json: the summary has it). */
    static void print(Evaluation evaluation, Path report, boolean json, java.io.PrintWriter out) {
        if (evaluation != null && !json) {
            EvaluationRun.printTable(evaluation, out);
            out.println("report page: " + report.resolve("report.html"));
            out.flush();
        }
    }

    private static List<Map.Entry<String, String>> facts(TrainConfig cfg, TrainResult r) {
        List<Map.Entry<String, String>> f = new ArrayList<>();
        EpochStats best = r.history().best();
        String phrase = LearningCurvesPlot.bestEpochPhrase(r.history(), cfg.schedule().earlyStopping());
        f.add(Map.entry("trained", String.format(Locale.ROOT, "%s from %s on %s, %d epochs in %s%s", cfg.mode(),
                cfg.model(), cfg.data().folder(), r.history().epochs().size(), TrainingRun.duration(r.seconds()),
                best == null ? "" : ", " + phrase + (Double.isNaN(best.valAccuracy()) ? ""
                        : String.format(Locale.ROOT, " (val accuracy %.3f)", best.valAccuracy())))));
        if (!Double.isNaN(r.testAccuracy())) {
            f.add(Map.entry("test accuracy at the end of training", String.format(Locale.ROOT,
                    "%.3f (loss %.3f), centre crop", r.testAccuracy(), r.testLoss())));
        }
        f.add(Map.entry("fit", r.history().diagnosis()));
        f.add(Map.entry("augmentation", cfg.data().augment()));
        f.add(Map.entry("optimizer", String.format(Locale.ROOT, "%s, learning rate %s, %s schedule, batch %d",
                cfg.optimizer().updater(), cfg.optimizer().learningRate(), cfg.optimizer().schedule(),
                cfg.schedule().batchSize())));
        f.add(Map.entry("frozen layers", r.frozen().isEmpty() ? "none" : r.frozen().size() + (r.bundle().freezeUntil() == null
                ? "" : " (up to " + r.bundle().freezeUntil() + ")")));
        if (cfg.stage2() != null) {
            f.add(Map.entry("stage 2", "unfroze above " + cfg.stage2().unfreeze() + ", " + cfg.stage2().epochs()
                    + " epochs at " + cfg.stage2().learningRate()));
        }
        f.add(Map.entry("seed", Long.toString(cfg.seed())));
        f.addAll(dataFacts(r));
        return f;
    }

    /** Most files a report lists by name in one fact; metrics.json has them all. */
    private static final int LISTED = 20;

    /** @return the skipped files with their reasons and the duplicates across the split, as report facts */
    static List<Map.Entry<String, String>> dataFacts(TrainResult r) {
        List<Map.Entry<String, String>> f = new ArrayList<>();
        List<String> skipped = r.badImages().stream().map(b -> b.relativePath() + " (" + b.reason() + ")").toList();
        f.add(Map.entry("skipped files", skipped.isEmpty() ? "none" : skipped.size() + ": " + listed(skipped)));
        List<String> leaks = r.leaks().stream().map(g -> String.join(" = ", g.files()) + " [" + String.join(", ",
                g.splits()) + "]").toList();
        f.add(Map.entry("identical files across the split", leaks.isEmpty() ? "none" : leaks.size()
                + " group(s), so validation and test scores are optimistic: " + listed(leaks)));
        return f;
    }

    private static String listed(List<String> items) {
        return String.join("; ", items.subList(0, Math.min(LISTED, items.size())))
                + (items.size() > LISTED ? "; and " + (items.size() - LISTED) + " more (metrics.json lists all)" : "");
    }
}
