package org.finetune4j.augment;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A closed interval {@code [min, max]} a step draws a parameter from; {@code min == max} fixes the value. In recipes
 * it is written as a two-element list, e.g. {@code degrees: [-15, 15]}.
 *
 * @param min the smallest value
 * @param max the largest value, at least {@code min}
 */
public record Range(double min, double max) {

    /** @throws IllegalArgumentException if a bound is not finite or {@code min > max} (recipes are checked earlier) */
    public Range {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            throw new IllegalArgumentException("a range needs finite bounds with min <= max; received ["
                    + min + ", " + max + "]");
        }
    }

    /** @return the range holding only {@code value} */
    public static Range fixed(double value) {
        return new Range(value, value);
    }

    /** @return whether min equals max */
    public boolean isFixed() {
        return min == max;
    }

    /** @return whether the range lies inside {@code [lo, hi]} */
    public boolean within(double lo, double hi) {
        return min >= lo && max <= hi;
    }

    /** @return a value drawn uniformly from the range (min itself when the range is fixed) */
    public double uniform(SplittableRandom rng) {
        return isFixed() ? min : min + (max - min) * rng.nextDouble();
    }

    /** @return a value drawn uniformly on a log scale (for ratios, so that 1/2 and 2 are equally likely); min > 0 */
    public double logUniform(SplittableRandom rng) {
        if (min <= 0) {
            throw new IllegalArgumentException("a log-uniform range needs min > 0; received " + this);
        }
        return isFixed() ? min : Math.exp(Math.log(min) + (Math.log(max) - Math.log(min)) * rng.nextDouble());
    }

    /** @return a whole number drawn uniformly from {@code [round(min), round(max)]} */
    public int uniformInt(SplittableRandom rng) {
        long lo = Math.round(min);
        long hi = Math.round(max);
        return (int) (lo == hi ? lo : lo + rng.nextLong(hi - lo + 1));
    }

    /** @return {@code [min, max]} with short numbers, e.g. {@code [-15, 15]} */
    @Override
    public String toString() {
        return "[" + number(min) + ", " + number(max) + "]";
    }

    /** Formats a number without a trailing {@code .0}. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%s", v);
    }
}
