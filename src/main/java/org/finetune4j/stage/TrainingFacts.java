package org.finetune4j.stage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.features.FeatureTrainConfig;
import org.finetune4j.features.FeatureTrainResult;
import org.finetune4j.run.ClassBalance;
import org.finetune4j.run.EpochStats;
import org.finetune4j.run.Imbalance;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.run.TrainResult;

/** The short "name: value" facts a training report shows, and the wording of durations and throughput. */
public final class TrainingFacts {

    /** Most files a report lists by name in one fact; metrics.json has them all. */
    private static final int LISTED = 20;

    private TrainingFacts() {
    }

    /** @return e.g. {@code "42s"} or {@code "3m07s"} */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
    }

    /** @return one line on how the feature vectors were obtained: from the cache or computed, and how fast */
    public static String throughput(FeatureExtractor.Stats s) {
        return String.format(Locale.ROOT, "featurization: %d image views, %d from the cache, %d computed in %d "
                        + "forward passes%s", s.images() - s.bad(), s.fromCache(), s.computed(), s.forwardPasses(),
                s.computed() == 0 ? " (no network work)" : String.format(Locale.ROOT, ", %.0f img/s",
                        s.imagesPerSecond()));
    }

    /** @return the facts of a fine-tuning (or scratch) run */
    static List<Map.Entry<String, String>> of(TrainConfig cfg, TrainResult r) {
        List<Map.Entry<String, String>> f = new ArrayList<>();
        EpochStats best = r.history().best();
        String phrase = LearningCurvesPlot.bestEpochPhrase(r.history(), cfg.schedule().earlyStopping());
        f.add(Map.entry("trained", String.format(Locale.ROOT, "%s from %s on %s, %d epochs in %s%s", cfg.mode(),
                cfg.model(), cfg.data().folder(), r.history().epochs().size(), duration(r.seconds()),
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
        f.add(Map.entry("frozen layers", r.frozen().isEmpty() ? "none" : r.frozen().size()
                + (r.bundle().freezeUntil() == null ? "" : " (up to " + r.bundle().freezeUntil() + ")")));
        if (cfg.stage2() != null) {
            f.add(Map.entry("stage 2", "unfroze above " + cfg.stage2().unfreeze() + ", " + cfg.stage2().epochs()
                    + " epochs at " + cfg.stage2().learningRate()));
        }
        f.add(balance(cfg.balance(), r, true));
        f.add(Map.entry("early stopping", cfg.schedule().earlyStopping().metric()));
        f.add(Map.entry("seed", Long.toString(cfg.seed())));
        f.addAll(data(r));
        return f;
    }

    /** @return the facts of a features-mode run */
    static List<Map.Entry<String, String>> of(FeatureTrainConfig cfg, FeatureTrainResult r) {
        List<Map.Entry<String, String>> f = new ArrayList<>();
        f.add(Map.entry("trained", String.format(Locale.ROOT, "features from %s on %s in %s (features %s, "
                        + "classifier %s)", cfg.run().model(), cfg.run().data().folder(),
                duration(r.train().seconds()), duration(r.extractSeconds()), duration(r.fitSeconds()))));
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
        f.add(balance(cfg.run().balance(), r.train(), false));
        f.add(Map.entry("seed", Long.toString(cfg.run().seed())));
        f.addAll(data(r.train()));
        return f;
    }

    /** @return the class-imbalance settings and the training split's imbalance ratio, as a report fact */
    private static Map.Entry<String, String> balance(ClassBalance b, TrainResult r, boolean sampler) {
        Imbalance imb = r.bundle() == null ? null : Imbalance.of(r.bundle());
        return Map.entry("class imbalance", "class weights " + b.classWeights() + (sampler ? ", sampler "
                + b.sampler() : "") + (imb == null ? "" : "; " + imb.describe() + (imb.high()
                ? ", above " + String.format(Locale.ROOT, "%.0f", Imbalance.THRESHOLD)
                + ": balanced accuracy is the headline metric" : "")));
    }

    /** @return the skipped files with their reasons and the duplicates across the split, as report facts */
    private static List<Map.Entry<String, String>> data(TrainResult r) {
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
