package org.finetune4j.run;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.model.ModelBundle;

/**
 * How lopsided the training split is: the imbalance ratio, the number of images of the largest class over that of
 * the smallest. Above {@value #THRESHOLD} the accuracy mostly measures the large classes — a classifier that never
 * predicts a class of 6 images among 100 loses only 6 points — so the headline metric becomes balanced accuracy
 * (the mean of the per-class recalls: every class counts the same, and always guessing the largest class scores
 * {@code 1/K}), and early stopping's default metric becomes {@code val-balanced-accuracy}.
 * <pre>{@code
 * Imbalance imb = Imbalance.of(labels, counts);
 * if (imb.high()) log.accept(imb.reason());
 * }</pre>
 *
 * @param ratio         largest class count over smallest (1 when balanced; infinite when a class is empty)
 * @param largest       the largest class
 * @param largestCount  its training images
 * @param smallest      the smallest class
 * @param smallestCount its training images
 */
public record Imbalance(double ratio, String largest, long largestCount, String smallest, long smallestCount) {

    /**
     * The imbalance ratio above which balanced accuracy is the headline, the one at which {@code inspect} warns: 3.
     * There the usual rules of thumb for a "moderately imbalanced" set start (a class with a third of another's
     * images or fewer), and a constant guess of the largest class already scores at least 3× the smallest class's
     * share in accuracy.
     */
    public static final double THRESHOLD = org.finetune4j.data.DatasetInspector.IMBALANCE_WARNING_RATIO;

    /** The metric headlines show when the training split is balanced enough. */
    public static final String ACCURACY = "accuracy";
    /** The metric headlines show above the threshold. */
    public static final String BALANCED_ACCURACY = "balanced-accuracy";

    /**
     * @param labels the classes
     * @param counts training images per class, in label order; classes with none are ignored
     */
    public static Imbalance of(List<String> labels, long[] counts) {
        int lo = -1;
        int hi = -1;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] <= 0) {
                continue;
            }
            if (hi < 0 || counts[c] > counts[hi]) {
                hi = c;
            }
            if (lo < 0 || counts[c] < counts[lo]) {
                lo = c;
            }
        }
        if (hi < 0) {
            return new Imbalance(1, "", 0, "", 0);
        }
        return new Imbalance(counts[hi] / (double) counts[lo], labels.get(hi), counts[hi], labels.get(lo),
                counts[lo]);
    }

    /** The bundle metric holding the ratio; its companions hold the two classes' counts and label indices. */
    public static final String RATIO_KEY = "train-imbalance-ratio";

    /**
     * Records this imbalance among a bundle's metrics: {@value #RATIO_KEY}, {@code train-largest-class-images},
     * {@code train-smallest-class-images} and the two classes' indices in the bundle's labels
     * ({@code train-largest-class-index}, {@code train-smallest-class-index}), so that {@code evaluate} headlines
     * the same metric {@code train} did.
     */
    public void record(Map<String, Double> metrics, List<String> labels) {
        if (largestCount == 0) {
            return;
        }
        metrics.put(RATIO_KEY, ratio);
        metrics.put("train-largest-class-images", (double) largestCount);
        metrics.put("train-smallest-class-images", (double) smallestCount);
        metrics.put("train-largest-class-index", (double) labels.indexOf(largest));
        metrics.put("train-smallest-class-index", (double) labels.indexOf(smallest));
    }

    /** @return the imbalance a bundle recorded ({@link #record}), or null for a bundle made before it was */
    public static Imbalance of(ModelBundle bundle) {
        Map<String, Double> m = bundle.metrics();
        if (m == null || m.get(RATIO_KEY) == null) {
            return null;
        }
        return new Imbalance(m.get(RATIO_KEY), label(bundle, m.get("train-largest-class-index")),
                Math.round(m.getOrDefault("train-largest-class-images", 0.0)),
                label(bundle, m.get("train-smallest-class-index")),
                Math.round(m.getOrDefault("train-smallest-class-images", 0.0)));
    }

    private static String label(ModelBundle bundle, Double index) {
        int i = index == null ? -1 : (int) Math.round(index);
        return i >= 0 && i < bundle.labels().size() ? bundle.labels().get(i) : "?";
    }

    /** @return whether the ratio passes {@link #THRESHOLD} */
    public boolean high() {
        return ratio > THRESHOLD;
    }

    /** @return {@link #BALANCED_ACCURACY} above the threshold, else {@link #ACCURACY} */
    public String headline() {
        return high() ? BALANCED_ACCURACY : ACCURACY;
    }

    /** @return e.g. {@code imbalance ratio 8.3 (circle 50 / star 6 training images)} */
    public String describe() {
        return String.format(Locale.ROOT, "imbalance ratio %.1f (%s %d / %s %d training images)", ratio, largest,
                largestCount, smallest, smallestCount);
    }

    /** @return why the headline is what it is, e.g. for the terminal and the report */
    public String reason() {
        if (high()) {
            return String.format(Locale.ROOT, "the training split's %s is above %.0f: the headline metric is "
                    + "balanced accuracy (mean per-class recall), as accuracy would mostly measure the large classes",
                    describe(), THRESHOLD);
        }
        return String.format(Locale.ROOT, "the training split's %s is at most %.0f: the headline metric is "
                + "accuracy", describe(), THRESHOLD);
    }
}
