package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.core.Json;
import org.finetune4j.data.BadImage;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.CrossValidation;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.FeatureTrainConfig;
import org.finetune4j.features.FeatureTrainResult;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.stage.TrainStage;
import org.finetune4j.stage.TrainingFacts;

/** Runs {@code train --mode features}: echoes the configuration, runs the {@link TrainStage}, prints. */
final class FeatureTrainingRun {

    private FeatureTrainingRun() {
    }

    static int run(TrainConfig run, ExtractionConfig extraction, ClassifierConfig classifier,
                   TrainStage.Settings settings, boolean quiet, boolean json, PrintWriter out, PrintWriter err) {
        TrainStage stage = new TrainStage(settings);   // a bad protocol fails before any work
        FeatureTrainConfig cfg = new FeatureTrainConfig(run, extraction, classifier);
        if (!quiet) {
            err.println("finetune4j: " + (settings.resume() ? "resuming " : "training ") + run.name() + ": mode "
                    + "features, model " + run.model() + ", data " + run.data().folder() + ", seed " + run.seed());
            if (settings.resume()) {
                // features mode keeps no checkpoint: every image featurized before the interruption is in the cache
                err.println("finetune4j: features mode resumes from the feature cache: images already featurized are "
                        + "read back, the rest are computed; the classifier is fitted anew (seconds).");
            }
            err.println("config: " + Json.mapper().valueToTree(cfg).toString());
            err.flush();
        }
        TrainStage.FeaturesResult result = stage.features(cfg, CommonOptions.log(quiet, err), !quiet);
        printSummary(cfg, result.training(), result.report(), json, out);
        EvaluationTable.printAfterTraining(result.evaluation(), result.trust(), result.report(), json, out);
        return Finetune4j.EXIT_OK;
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
        return TrainingFacts.throughput(s);
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
                        + "accuracy %.3f%s%n", cfg.run().name(), TrainingFacts.duration(r.train().seconds()),
                r.classifier(), r.layer(), r.pooling().equals("none") ? "" : " + global " + r.pooling() + " pool",
                r.featureDimension(), r.classifierDimension() != r.featureDimension() ? " → "
                        + r.classifierDimension() + " after PCA" : "", r.cv().best().c(),
                r.cv().best().meanAccuracy(), r.trainAccuracy(), Double.isNaN(r.valAccuracy()) ? ""
                        : String.format(Locale.ROOT, ", val accuracy %.3f", r.valAccuracy()));
        if (!Double.isNaN(r.train().testAccuracy())) {
            out.printf(Locale.ROOT, "test accuracy %s held-out test images (loss %.3f)%n",
                    EvaluationTable.accuracyOn(r.train().testAccuracy(), r.train().bundle().testSplit().size()),
                    r.train().testLoss());
        }
        out.println(throughput(r.extraction()) + String.format(Locale.ROOT, " (features %s, classifier %s)",
                TrainingFacts.duration(r.extractSeconds()), TrainingFacts.duration(r.fitSeconds())));
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
