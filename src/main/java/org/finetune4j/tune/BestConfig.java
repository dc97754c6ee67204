package org.finetune4j.tune;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.ScalingConfig;
import org.finetune4j.run.TrainConfig;

/**
 * The best configuration of a search as a file {@code train --config FILE} reads: keys are {@code train}'s option
 * names without the dashes; only the searched values and what identifies the setup (model, data, augmentation,
 * seed) are written, everything else keeps {@code train}'s defaults, and options on the command line still win.
 * <pre>{@code
 * AtomicFiles.writeString(dir.resolve("best-config.yaml"), BestConfig.yaml(best, base, trials));
 * }</pre>
 * A features-mode search's file ({@link #featuresYaml}) names {@code mode: features}, the extraction and classifier
 * options, and the best C as a one-value grid ({@code c-grid: C}), so {@code train} refits exactly that C.
 */
public final class BestConfig {

    private BestConfig() {
    }

    /** @return the option values, in file order */
    public static Map<String, Object> values(Trial best, TrainConfig base) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", base.model());
        m.put("data", base.data().folder());
        m.put("val-fraction", base.data().split().valFraction());   // the split the trials were scored on
        m.put("test-fraction", base.data().split().testFraction());
        m.put("augment", base.data().augment());
        m.put("seed", base.seed());
        TrialParams p = best.params();
        m.put("learning-rate", p.learningRate());
        m.put("l2", p.l2());
        if (p.dropout() != null) {
            m.put("dropout", p.dropout());
        }
        if (p.headWidth() != null && p.headWidth() > 0) {
            m.put("head-hidden", p.headWidth());
        }
        if (p.freezeUntil() != null) {
            m.put("freeze-until", p.freezeUntil());
        }
        // the trials trained with these: the best configuration reproduces them
        if (base.balance().weighted()) {
            m.put("class-weights", base.balance().classWeights());
        }
        if (base.balance().balancedSampler()) {
            m.put("sampler", base.balance().sampler());
        }
        return m;
    }

    /**
     * @param trials the number of finished trials (for the header comment)
     * @return YAML text with a comment header naming the trial and its score
     */
    public static String yaml(Trial best, TrainConfig base, int trials) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "# Best of %d search trials: trial %d (%s stage), validation accuracy "
                + "%.4f after the search's short runs.%n", trials, best.index(), best.stage(), best.score().score()));
        if (best.params().headWidth() != null && best.params().headWidth() == 0) {
            sb.append("# The best head has no hidden layer (train's default).\n");
        }
        sb.append("# Use: finetune4j train --config best-config.yaml  (options on the command line win)\n");
        append(sb, values(best, base));
        return sb.toString();
    }

    /** @return the option values of a features-mode search's best trial, in file order */
    public static Map<String, Object> featuresValues(Trial best, TrainConfig run, ExtractionConfig extraction,
                                                     ClassifierConfig classifier) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "features");
        m.put("model", run.model());
        m.put("data", run.data().folder());
        m.put("val-fraction", run.data().split().valFraction());
        m.put("test-fraction", run.data().split().testFraction());
        m.put("seed", run.seed());
        if (extraction.layer() != null) {
            m.put("layer", extraction.layer());
        }
        m.put("pool", extraction.pool());
        if (extraction.cacheDir() != null) {
            m.put("cache", extraction.cacheDir());
        }
        if (extraction.augmentCopies() > 0) {
            m.put("augment", extraction.augment());
            m.put("augment-copies", extraction.augmentCopies());
        }
        if (run.balance().weighted()) {
            m.put("class-weights", run.balance().classWeights());
        }
        m.put("classifier", classifier.kind());
        m.put(classifier.kind().equals("logreg") ? "penalty" : "loss", classifier.kind().equals("logreg")
                ? classifier.penalty() : classifier.loss());
        m.put("folds", classifier.folds());
        m.put("c-grid", best.params().c());
        m.put("max-iterations", classifier.maxIterations());
        ScalingConfig sc = classifier.scaling();
        m.put("standardize", sc.standardize());
        if (sc.pcaComponents() > 0) {
            m.put("pca", sc.pcaComponents());
        } else if (sc.pcaVarianceFraction() > 0) {
            m.put("pca", sc.pcaVarianceFraction());
        }
        m.put("whiten", sc.whiten());
        return m;
    }

    /**
     * @param trials the number of finished trials (for the header comment)
     * @return YAML text with a comment header naming the trial and its cross-validation accuracy
     */
    public static String featuresYaml(Trial best, TrainConfig run, ExtractionConfig extraction,
                                      ClassifierConfig classifier, int trials) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "# Best of %d features-mode search trials: trial %d (%s stage), C = "
                + "%.4g, %d-fold cross-validation accuracy %.4f on the training split.%n", trials, best.index(),
                best.stage(), best.params().c(), classifier.folds(), best.score().score()));
        sb.append("# c-grid holds that one C, so train refits exactly it (its cross-validation then just reports "
                + "the accuracy again).\n");
        sb.append("# Use: finetune4j train --config best-config.yaml  (options on the command line win)\n");
        append(sb, featuresValues(best, run, extraction, classifier));
        return sb.toString();
    }

    private static void append(StringBuilder sb, Map<String, Object> values) {
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            String text = v instanceof Double d ? Double.toString(d) : v instanceof String s ? quote(s) : String.valueOf(v);
            sb.append(e.getKey()).append(": ").append(text).append('\n');
        }
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9_./-]+") ? s : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
