package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Json;
import org.finetune4j.core.RunInfo;
import org.finetune4j.data.BadImage;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.CrossValidation;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.FeatureExtractor;
import org.finetune4j.features.FeatureTrainConfig;
import org.finetune4j.features.FeatureTrainResult;
import org.finetune4j.features.FeatureTrainer;
import org.finetune4j.report.Plots;
import org.finetune4j.report.VerticalMarker;
import org.finetune4j.run.TrainConfig;

/** Runs {@code train --mode features}: echoes the configuration, runs the {@link FeatureTrainer}, reports. */
final class FeatureTrainingRun {

    private FeatureTrainingRun() {
    }

    static int run(TrainConfig run, ExtractionConfig extraction, ClassifierConfig classifier, Path modelsDir,
                   Path reportsDir, String protocolName, String averageName, boolean resume, boolean quiet,
                   boolean json, PrintWriter out, PrintWriter err) {
        CropProtocol protocol = CropProtocolLoader.load(protocolName);   // a bad protocol fails before any work
        MultiCropEvaluator.Averaging averaging = MultiCropEvaluator.Averaging.of(averageName);
        FeatureTrainConfig cfg = new FeatureTrainConfig(run, extraction, classifier);
        if (!quiet) {
            err.println("finetune4j: " + (resume ? "resuming " : "training ") + run.name() + ": mode features, model "
                    + run.model() + ", data " + run.data().folder() + ", seed " + run.seed());
            if (resume) {
                // features mode keeps no checkpoint: every image featurized before the interruption is in the cache
                err.println("finetune4j: features mode resumes from the feature cache: images already featurized are "
                        + "read back, the rest are computed; the classifier is fitted anew (seconds).");
            }
            err.println("config: " + Json.mapper().valueToTree(cfg).toString());
            err.flush();
        }
        FeatureTrainResult r = new FeatureTrainer(modelsDir, CommonOptions.log(quiet, err), !quiet).run(cfg);
        TrainingEvaluation.Written written = writeReport(cfg, r, reportsDir);
        Evaluation evaluation = TrainingEvaluation.write(written, r.train(), facts(cfg, r), null,
                List.of(Map.entry("cv-accuracy.png", "cross-validation accuracy against C")), protocol, averaging,
                run.seed(), quiet);
        Path report = written.dir();
        printSummary(cfg, r, report, json, out);
        TrainingEvaluation.print(evaluation, report, json, out);
        return Finetune4j.EXIT_OK;
    }

    private static List<Map.Entry<String, String>> facts(FeatureTrainConfig cfg, FeatureTrainResult r) {
        List<Map.Entry<String, String>> f = new ArrayList<>();
        f.add(Map.entry("trained", String.format(Locale.ROOT, "features from %s on %s in %s (features %s, "
                        + "classifier %s)", cfg.run().model(), cfg.run().data().folder(),
                TrainingRun.duration(r.train().seconds()), TrainingRun.duration(r.extractSeconds()),
                TrainingRun.duration(r.fitSeconds()))));
        f.add(Map.entry("features", String.format(Locale.ROOT, "%s%s, %d values%s", r.layer(),
                r.pooling().equals("none") ? "" : " + global " + r.pooling() + " pool", r.featureDimension(),
                r.classifierDimension() != r.featureDimension() ? " → " + r.classifierDimension() + " after PCA"
                        : "")));
        f.add(Map.entry("classifier", String.format(Locale.ROOT, "%s, C = %.3g chosen by %d-fold cross-validation "
                + "(accuracy %.3f)", r.classifier(), r.cv().best().c(), r.cv().folds(), r.cv().best().meanAccuracy())));
        f.add(Map.entry("feature scaling", cfg.classifier().scaling().describe()));
        if (!Double.isNaN(r.valAccuracy())) {
            f.add(Map.entry("val accuracy", String.format(Locale.ROOT, "%.3f", r.valAccuracy())));
        }
        if (!Double.isNaN(r.train().testAccuracy())) {
            f.add(Map.entry("test accuracy at the end of training", String.format(Locale.ROOT,
                    "%.3f (loss %.3f), centre crop", r.train().testAccuracy(), r.train().testLoss())));
        }
        f.add(Map.entry("featurization", throughput(r.extraction())));
        f.add(Map.entry("seed", Long.toString(cfg.run().seed())));
        f.addAll(TrainingEvaluation.dataFacts(r.train()));
        return f;
    }

    private static TrainingEvaluation.Written writeReport(FeatureTrainConfig cfg, FeatureTrainResult r,
                                                          Path reportsDir) {
        String run = EvaluationRun.runName(cfg.run().name());
        Path dir = reportsDir.resolve(run);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("run", run);
        metrics.put("bundle", r.train().bundleDir().toString());
        metrics.put("mode", "features");
        metrics.put("test-accuracy", nanToNull(r.train().testAccuracy()));
        metrics.put("test-loss", nanToNull(r.train().testLoss()));
        metrics.put("val-accuracy", nanToNull(r.valAccuracy()));
        metrics.put("train-accuracy", nanToNull(r.trainAccuracy()));
        metrics.put("classifier", r.classifier());
        metrics.put("feature-layer", r.layer());
        metrics.put("pooling", r.pooling());
        metrics.put("feature-dimension", r.featureDimension());
        metrics.put("classifier-dimension", r.classifierDimension());
        metrics.put("chosen-c", r.cv().best().c());
        metrics.put("cross-validation", r.cv());
        metrics.put("featurization", r.extraction());
        metrics.put("images-per-second", nanToNull(r.extraction().imagesPerSecond()));
        metrics.put("frozen-layers", r.train().frozen());
        metrics.put("bad-images", r.train().badImages());
        metrics.put("leaks", r.train().leaks());
        metrics.put("seconds", r.train().seconds());
        metrics.put("config", cfg);
        metrics.put("run-info", RunInfo.current(cfg.run().seed()));
        AtomicFiles.writeString(dir.resolve("metrics.json"), Json.write(metrics));
        writePlot(dir.resolve("cv-accuracy.png"), cfg.run().name() + ": " + r.classifier(), r.cv());
        return new TrainingEvaluation.Written(dir, metrics);
    }

    /** Validation accuracy (mean over folds, and mean ± one standard deviation) against C, log x, chosen C marked. */
    static void writePlot(Path png, String title, CrossValidation.Result cv) {
        int n = cv.points().size();
        double[] c = new double[n];
        double[] mean = new double[n];
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int i = 0; i < n; i++) {
            CrossValidation.Point p = cv.points().get(i);
            c[i] = p.c();
            mean[i] = p.meanAccuracy();
            lo[i] = p.meanAccuracy() - p.stdAccuracy();
            hi[i] = p.meanAccuracy() + p.stdAccuracy();
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("mean over " + cv.folds() + " folds", new double[][] {c, mean});
        series.put("mean - 1 sd", new double[][] {c, lo});
        series.put("mean + 1 sd", new double[][] {c, hi});
        Plots.lines(png, title, "C (inverse regularization strength, log scale)", "cross-validation accuracy", true,
                series, new VerticalMarker(cv.best().c(), String.format(Locale.ROOT, "chosen C = %.3g",
                        cv.best().c())));
    }

    static List<String> cvTable(CrossValidation.Result cv) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "  %10s  %-15s  %s", "C", "cv accuracy", "per fold"));
        for (int i = 0; i < cv.points().size(); i++) {
            CrossValidation.Point p = cv.points().get(i);
            StringBuilder folds = new StringBuilder();
            for (double a : p.foldAccuracies()) {
                folds.append(String.format(Locale.ROOT, " %.2f", a));
            }
            lines.add(String.format(Locale.ROOT, "%s %10.3g  %.3f ± %.3f    %s", i == cv.bestIndex() ? "*" : " ",
                    p.c(), p.meanAccuracy(), p.stdAccuracy(), folds.toString().strip()));
        }
        return lines;
    }

    static String throughput(FeatureExtractor.Stats s) {
        return String.format(Locale.ROOT, "featurization: %d image views, %d from the cache, %d computed in %d "
                        + "forward passes%s", s.images() - s.bad(), s.fromCache(), s.computed(), s.forwardPasses(),
                s.computed() == 0 ? " (no network work)" : String.format(Locale.ROOT, ", %.0f img/s",
                        s.imagesPerSecond()));
    }

    private static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static void printSummary(FeatureTrainConfig cfg, FeatureTrainResult r, Path report, boolean json,
                                     PrintWriter out) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bundle", r.train().bundleDir().toString());
            m.put("report", report.toString());
            m.put("test-accuracy", nanToNull(r.train().testAccuracy()));
            m.put("val-accuracy", nanToNull(r.valAccuracy()));
            m.put("chosen-c", r.cv().best().c());
            m.put("cv-accuracy", r.cv().best().meanAccuracy());
            m.put("images-per-second", nanToNull(r.extraction().imagesPerSecond()));
            m.put("from-cache", r.extraction().fromCache());
            m.put("computed", r.extraction().computed());
            m.put("seconds", r.train().seconds());
            m.put("bad-images", r.train().badImages());
            out.println(Json.write(m));
            out.flush();
            return;
        }
        out.printf(Locale.ROOT, "cross-validation of %s, %d folds of the training split (%s):%n", r.classifier(),
                r.cv().folds(), cfg.classifier().scaling().describe().equals("none") ? "raw features"
                        : cfg.classifier().scaling().describe());
        cvTable(r.cv()).forEach(out::println);
        out.printf(Locale.ROOT, "trained %s in %s: %s on %s%s (%d values%s), C = %.3g (cv accuracy %.3f), train "
                        + "accuracy %.3f%s%n", cfg.run().name(), TrainingRun.duration(r.train().seconds()),
                r.classifier(), r.layer(), r.pooling().equals("none") ? "" : " + global " + r.pooling() + " pool",
                r.featureDimension(), r.classifierDimension() != r.featureDimension() ? " → "
                        + r.classifierDimension() + " after PCA" : "", r.cv().best().c(),
                r.cv().best().meanAccuracy(), r.trainAccuracy(), Double.isNaN(r.valAccuracy()) ? ""
                        : String.format(Locale.ROOT, ", val accuracy %.3f", r.valAccuracy()));
        if (!Double.isNaN(r.train().testAccuracy())) {
            out.printf(Locale.ROOT, "test accuracy %.3f (loss %.3f) on the held-out test split%n",
                    r.train().testAccuracy(), r.train().testLoss());
        }
        out.println(throughput(r.extraction()) + String.format(Locale.ROOT, " (features %s, classifier %s)",
                TrainingRun.duration(r.extractSeconds()), TrainingRun.duration(r.fitSeconds())));
        out.println("bundle: " + r.train().bundleDir());
        out.println("report: " + report + " (report.html, metrics.json, cv-accuracy.png)");
        if (!r.train().badImages().isEmpty()) {
            out.println("skipped " + r.train().badImages().size() + " bad file(s):");
            for (BadImage b : r.train().badImages()) {
                out.println("  " + b.relativePath() + ": " + b.reason());
            }
        }
        out.flush();
    }
}
