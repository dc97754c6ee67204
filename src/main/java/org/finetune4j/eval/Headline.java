package org.finetune4j.eval;

import java.util.Locale;
import org.finetune4j.run.Imbalance;

/**
 * The one number a report leads with, and why: top-1 accuracy, or balanced accuracy (the mean per-class recall) when
 * the training split's imbalance ratio passes {@link Imbalance#THRESHOLD}. Either comes with its 95% interval and
 * the number of images it was measured on.
 * <pre>{@code
 * Headline h = Headline.of(evaluation.protocolMetrics(), Imbalance.of(bundle));
 * h.format();   // "balanced accuracy 0.812 [0.701, 0.905] on 48 images"
 * }</pre>
 *
 * @param metric         {@code accuracy} or {@code balanced-accuracy}
 * @param value          its value
 * @param interval       its 95% interval: Wilson for accuracy, a seeded bootstrap over images for balanced accuracy
 * @param images         the images it was measured on
 * @param imbalanceRatio the training split's imbalance ratio, or null when the bundle does not record it
 * @param threshold      the ratio above which balanced accuracy leads ({@link Imbalance#THRESHOLD})
 * @param reason         why this metric leads, in words
 */
public record Headline(String metric, double value, Interval interval, int images, Double imbalanceRatio,
                       double threshold, String reason) {

    /**
     * @param m         the metrics to lead with
     * @param imbalance the training split's imbalance, or null when unknown (accuracy leads)
     */
    public static Headline of(Metrics m, Imbalance imbalance) {
        if (imbalance != null && imbalance.high()) {
            return new Headline(Imbalance.BALANCED_ACCURACY, m.balancedAccuracy(), m.balancedAccuracyInterval(),
                    m.images(), imbalance.ratio(), Imbalance.THRESHOLD, imbalance.reason());
        }
        return new Headline(Imbalance.ACCURACY, m.top1(), m.top1Interval(), m.images(),
                imbalance == null ? null : imbalance.ratio(), Imbalance.THRESHOLD,
                imbalance == null ? "the bundle records no class counts of its training split: the headline metric "
                        + "is accuracy" : imbalance.reason());
    }

    /** @return whether balanced accuracy leads */
    public boolean balanced() {
        return metric.equals(Imbalance.BALANCED_ACCURACY);
    }

    /** @return e.g. {@code balanced accuracy 0.812 [0.701, 0.905] on 48 images} */
    public String format() {
        return String.format(Locale.ROOT, "%s %.3f %s on %d images", balanced() ? "balanced accuracy" : "accuracy",
                value, interval.format(), images);
    }
}
