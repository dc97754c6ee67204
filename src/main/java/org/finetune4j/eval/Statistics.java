package org.finetune4j.eval;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.finetune4j.core.Seeds;

/**
 * The interval estimates and tests the reports print: Wilson score intervals for proportions, seeded percentile
 * bootstrap intervals over images, and McNemar's exact test for two classifiers on the same images.
 * <pre>{@code
 * Interval acc = Statistics.wilson(correct, images);
 * Interval f1 = Statistics.bootstrap(images, idx -> macroF1(idx), Statistics.bootstrapSeeds(), "macro-f1");
 * double p = Statistics.mcNemarExact(onlyA, onlyB);
 * }</pre>
 */
public final class Statistics {

    /** The normal quantile of a two-sided 95% interval. */
    public static final double Z95 = 1.959963984540054;

    /** Resamples per bootstrap interval: enough for stable 2.5% / 97.5% percentiles at the third decimal. */
    public static final int BOOTSTRAP_RESAMPLES = 2000;

    /**
     * The root seed of bootstrap intervals the reports compute: fixed, so the same predictions always get the same
     * interval (the interval describes the data, not the run's seed).
     */
    public static final long BOOTSTRAP_SEED = Seeds.DEFAULT_SEED;

    private Statistics() {
    }

    /** @return the seeds bootstrap intervals derive their streams from */
    public static Seeds bootstrapSeeds() {
        return Seeds.of(BOOTSTRAP_SEED);
    }

    /**
     * The Wilson score interval (Wilson 1927) for a proportion {@code successes / n} at 95%: unlike the normal
     * approximation it stays inside [0, 1] and keeps its coverage near 0 and 1 and for small {@code n}
     * (Newcombe 1998, method 3; Agresti &amp; Coull 1998).
     *
     * @param successes count of successes, 0 to n
     * @param n         trials; for 0 the interval is [0, 1] (nothing is known)
     */
    public static Interval wilson(long successes, long n) {
        if (successes < 0 || successes > n) {
            throw new IllegalArgumentException(successes + " successes in " + n + " trials");
        }
        if (n == 0) {
            return new Interval(0, 1);
        }
        double p = successes / (double) n;
        double z2 = Z95 * Z95;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denom;
        double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        // At 0 and n successes the bound equals the point exactly; rounding must not move it past it.
        double low = successes == 0 ? 0 : Math.max(0, centre - half);
        double high = successes == n ? 1 : Math.min(1, centre + half);
        return new Interval(low, high);
    }

    /**
     * A percentile bootstrap 95% interval (Efron &amp; Tibshirani 1993, ch. 13) of a statistic of {@code n} items
     * (images), resampled with replacement {@link #BOOTSTRAP_RESAMPLES} times from a seeded stream.
     *
     * @param n         items; with 0 the interval is [0, 0]
     * @param statistic the statistic of a resample, given as item indices (with repeats)
     * @param seeds     where the resampling stream comes from
     * @param name      the stream's name, so different statistics draw independent resamples
     */
    public static Interval bootstrap(int n, ToDoubleFunction<int[]> statistic, Seeds seeds, String name) {
        if (n == 0) {
            return new Interval(0, 0);
        }
        SplittableRandom rng = seeds.stream("bootstrap-" + name);
        double[] values = new double[BOOTSTRAP_RESAMPLES];
        int[] idx = new int[n];
        for (int b = 0; b < values.length; b++) {
            for (int i = 0; i < n; i++) {
                idx[i] = rng.nextInt(n);
            }
            values[b] = statistic.applyAsDouble(idx);
        }
        Arrays.sort(values);
        return new Interval(percentile(values, 0.025), percentile(values, 0.975));
    }

    /** The q-quantile of sorted values, linear between order statistics (type 7 of Hyndman &amp; Fan 1996). */
    static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * McNemar's exact test (the binomial form): under the null hypothesis that two classifiers err equally often,
     * each of the {@code b + c} images exactly one of them gets right is A's with probability 1/2. Two-sided p-value
     * {@code min(1, 2 * P(X <= min(b, c)))} for {@code X ~ Binomial(b + c, 1/2)}.
     *
     * @param onlyA images A gets right and B wrong ({@code b})
     * @param onlyB images B gets right and A wrong ({@code c})
     * @return the two-sided p-value; 1 when no image is discordant
     */
    public static double mcNemarExact(long onlyA, long onlyB) {
        if (onlyA < 0 || onlyB < 0) {
            throw new IllegalArgumentException("negative counts " + onlyA + ", " + onlyB);
        }
        long n = onlyA + onlyB;
        long k = Math.min(onlyA, onlyB);
        if (n == 0) {
            return 1;
        }
        // log C(n, i) accumulated term by term, summed in log space so large n does not underflow 0.5^n.
        double logHalfN = n * Math.log(0.5);
        double logC = 0;
        double maxLog = logHalfN;
        double[] logs = new double[(int) k + 1];
        for (int i = 0; i <= k; i++) {
            if (i > 0) {
                logC += Math.log((n - i + 1) / (double) i);
            }
            logs[i] = logC + logHalfN;
            maxLog = Math.max(maxLog, logs[i]);
        }
        double sum = 0;
        for (double l : logs) {
            sum += Math.exp(l - maxLog);
        }
        double tail = Math.exp(maxLog + Math.log(sum));
        return Math.min(1, 2 * tail);
    }
}
