package org.finetune4j.run;

import java.util.Locale;
import org.finetune4j.core.UsageException;

/**
 * Early stopping on a validation metric: stop after {@code patience} epochs without an improvement of more than
 * {@code minDelta}; the best epoch's weights are the ones kept.
 *
 * @param metric   {@code val-loss} (lower is better) or {@code val-accuracy} (higher is better); default val-loss
 * @param patience epochs without improvement before stopping, at least 1; 0 turns early stopping off (the best
 *                 epoch's weights are still kept); default 5
 * @param minDelta the smallest change that counts as an improvement; default 0
 */
public record EarlyStopping(String metric, int patience, double minDelta) {
    public EarlyStopping {
        if (!metric.equals("val-loss") && !metric.equals("val-accuracy")) {
            throw new UsageException("--early-stopping-metric " + metric + ": unknown metric. Expected val-loss or "
                    + "val-accuracy.");
        }
        if (patience < 0) {
            throw new UsageException("--patience " + patience + ": expected 0 (off) or more epochs.");
        }
        if (!(minDelta >= 0)) {
            throw new UsageException(String.format(Locale.ROOT, "--min-delta %s: expected 0 or more.", minDelta));
        }
    }

    /** @return val-loss, patience 5, min-delta 0 */
    public static EarlyStopping defaults() {
        return new EarlyStopping("val-loss", 5, 0.0);
    }

    /** @return the metric's value of an epoch, oriented so that higher is better */
    public double score(EpochStats e) {
        double loss = Double.isNaN(e.valLoss()) ? e.trainLoss() : e.valLoss();
        double acc = Double.isNaN(e.valAccuracy()) ? e.trainAccuracy() : e.valAccuracy();
        return metric.equals("val-loss") ? -loss : acc;
    }

    /** @return whether {@code candidate} improves on {@code best} by more than {@code minDelta} */
    public boolean improves(double candidate, double best) {
        return candidate > best + minDelta;
    }
}
