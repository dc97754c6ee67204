package org.finetune4j.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The learning curves of a run: one {@link EpochStats} per epoch, and the epoch whose weights were kept.
 *
 * @param epochs    per-epoch statistics, in order
 * @param bestEpoch the epoch whose weights the bundle holds (1-based), or 0 if none
 */
public record History(List<EpochStats> epochs, int bestEpoch) {
    public History {
        epochs = List.copyOf(epochs);
    }

    /** @return an empty history */
    public static History empty() {
        return new History(List.of(), 0);
    }

    /** @return this history with one more epoch */
    public History plus(EpochStats stats, int newBestEpoch) {
        List<EpochStats> e = new ArrayList<>(epochs);
        e.add(stats);
        return new History(e, newBestEpoch);
    }

    /** @return the statistics of the best epoch, or null */
    public EpochStats best() {
        return epochs.stream().filter(e -> e.epoch() == bestEpoch).findFirst().orElse(null);
    }

    /**
     * A plain-words reading of the curves at the best epoch: a large train/validation accuracy gap suggests
     * over-fitting (more augmentation, regularisation or data), low accuracy on both suggests under-fitting (a
     * bigger head, fewer frozen layers, more epochs or a higher learning rate).
     */
    public String diagnosis() {
        EpochStats b = best();
        if (b == null || Double.isNaN(b.valAccuracy())) {
            return "no validation split: over- or under-fitting cannot be judged.";
        }
        double gap = b.trainAccuracy() - b.valAccuracy();
        if (gap > 0.10) {
            return String.format(Locale.ROOT, "over-fitting: training accuracy %.3f is %.3f above validation "
                    + "accuracy %.3f. Try stronger augmentation, more dropout or L2, or more data.",
                    b.trainAccuracy(), gap, b.valAccuracy());
        }
        if (b.trainAccuracy() < 0.80) {
            return String.format(Locale.ROOT, "under-fitting: training accuracy is only %.3f (validation %.3f). "
                    + "Try more epochs, a higher learning rate, fewer frozen layers or a bigger head.",
                    b.trainAccuracy(), b.valAccuracy());
        }
        return String.format(Locale.ROOT, "a good fit: training accuracy %.3f, validation %.3f (gap %.3f).",
                b.trainAccuracy(), b.valAccuracy(), gap);
    }
}
