package org.finetune4j.tune;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.train.TrainConfig;

/**
 * The best configuration of a search as a file {@code train --config FILE} reads: keys are {@code train}'s option
 * names without the dashes; only the searched values and what identifies the setup (model, data, augmentation,
 * seed) are written, everything else keeps {@code train}'s defaults, and options on the command line still win.
 * <pre>{@code
 * AtomicFiles.writeString(dir.resolve("best-config.yaml"), BestConfig.yaml(best, base, trials));
 * }</pre>
 */
public final class BestConfig {

    private BestConfig() {
    }

    /** @return the option values, in file order */
    public static Map<String, Object> values(Trial best, TrainConfig base) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", base.model());
        m.put("data", base.data().folder());
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
        for (Map.Entry<String, Object> e : values(best, base).entrySet()) {
            Object v = e.getValue();
            String text = v instanceof Double d ? Double.toString(d) : v instanceof String s ? quote(s) : String.valueOf(v);
            sb.append(e.getKey()).append(": ").append(text).append('\n');
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9_./-]+") ? s : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
