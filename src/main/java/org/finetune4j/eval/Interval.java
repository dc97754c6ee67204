package org.finetune4j.eval;

import java.util.Locale;

/**
 * A two-sided 95% confidence interval for a score, with the point estimate it belongs to not included.
 * <pre>{@code
 * Interval ci = Statistics.wilson(26, 50);   // [0.385, 0.652]
 * ci.format();                               // "[0.385, 0.652]"
 * }</pre>
 *
 * @param low  lower bound
 * @param high upper bound, at least {@code low}
 */
public record Interval(double low, double high) {

    public Interval {
        if (!(low <= high)) {
            throw new IllegalArgumentException("interval [" + low + ", " + high + "]: low must not exceed high");
        }
    }

    /** @return {@code [low, high]} with three decimals */
    public String format() {
        return String.format(Locale.ROOT, "[%.3f, %.3f]", low, high);
    }

    /** @return {@code [low, high]} as signed points (hundredths), one decimal, for differences of fractions */
    public String formatPoints() {
        return String.format(Locale.ROOT, "[%+.1f, %+.1f]", 100 * low, 100 * high);
    }

    /** @return whether {@code v} lies inside, bounds included */
    public boolean contains(double v) {
        return v >= low && v <= high;
    }
}
