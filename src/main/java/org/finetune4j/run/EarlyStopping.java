package org.finetune4j.run;

import java.util.List;
import java.util.Locale;
import org.finetune4j.core.UsageException;

/**
 * Early stopping on a validation metric: stop after {@code patience} epochs without an improvement of more than
 * {@code minDelta}; the best epoch's weights are the ones kept.
 *
 * @param metric   {@code val-loss} (lower is better), {@code val-accuracy} or {@code val-balanced-accuracy} (the
 *                 mean per-class recall; higher is better), or {@code auto}: val-loss, or val-balanced-accuracy when
 *                 the training split's imbalance ratio passes {@link Imbalance#THRESHOLD} (resolved when the run is
 *                 set up, {@link #resolve}; the resolved metric is what bundles and checkpoints record); default
 *                 auto
 * @param patience epochs without improvement before stopping, at least 1; 0 turns early stopping off (the best
 *                 epoch's weights are still kept); default 5
 * @param minDelta the smallest change that counts as an improvement; default 0
 */
public record EarlyStopping(String metric, int patience, double minDelta) {
    public EarlyStopping {
        if (!List.of(AUTO, VAL_LOSS, VAL_ACCURACY, VAL_BALANCED_ACCURACY).contains(metric)) {
            throw new UsageException("--early-stopping-metric " + metric + ": unknown metric. Expected auto, "
                    + "val-loss, val-accuracy or val-balanced-accuracy.");
        }
        if (patience < 0) {
            throw new UsageException("--patience " + patience + ": expected 0 (off) or more epochs.");
        }
        if (!(minDelta >= 0)) {
            throw new UsageException(String.format(Locale.ROOT, "--min-delta %s: expected 0 or more.", minDelta));
        }
    }

    /** The metric chosen from the training split's imbalance. */
    public static final String AUTO = "auto";
    /** Validation loss (lower is better). */
    public static final String VAL_LOSS = "val-loss";
    /** Validation accuracy. */
    public static final String VAL_ACCURACY = "val-accuracy";
    /** Validation balanced accuracy: the mean per-class recall. */
    public static final String VAL_BALANCED_ACCURACY = "val-balanced-accuracy";

    /** @return auto, patience 5, min-delta 0 */
    public static EarlyStopping defaults() {
        return new EarlyStopping(AUTO, 5, 0.0);
    }

    /**
     * @return this criterion with {@code auto} resolved: {@code val-balanced-accuracy} when the imbalance is high,
     *         else {@code val-loss}; a metric the user named is kept
     */
    public EarlyStopping resolve(Imbalance imbalance) {
        if (!metric.equals(AUTO)) {
            return this;
        }
        return new EarlyStopping(imbalance.high() ? VAL_BALANCED_ACCURACY : VAL_LOSS, patience, minDelta);
    }

    /** @return whether the metric is a loss (lower is better): val-loss, and auto before it is resolved */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isLoss() {
        return metric.equals(VAL_LOSS) || metric.equals(AUTO);
    }

    /**
     * @return the metric's value of an epoch, oriented so that higher is better (an unresolved {@code auto} scores
     *         as val-loss); without a validation split the training loss or accuracy stands in (balanced accuracy:
     *         the training accuracy)
     */
    public double score(EpochStats e) {
        double loss = Double.isNaN(e.valLoss()) ? e.trainLoss() : e.valLoss();
        double acc = Double.isNaN(e.valAccuracy()) ? e.trainAccuracy() : e.valAccuracy();
        if (isLoss()) {
            return -loss;
        }
        if (metric.equals(VAL_BALANCED_ACCURACY)) {
            return Double.isNaN(e.valBalancedAccuracy()) ? acc : e.valBalancedAccuracy();
        }
        return acc;
    }

    /** @return whether {@code candidate} improves on {@code best} by more than {@code minDelta} */
    public boolean improves(double candidate, double best) {
        return candidate > best + minDelta;
    }
}
