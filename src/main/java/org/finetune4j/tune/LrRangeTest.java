package org.finetune4j.tune;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.UsageException;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.train.FrozenPrefix;
import org.finetune4j.train.ImageBatches;

/**
 * The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks", 2017; fastai's
 * {@code LRFinder}): train from the initial weights while the learning rate grows exponentially from {@code startLr}
 * to {@code endLr}, one step per mini-batch, record the loss, and stop once the smoothed loss exceeds four times its
 * minimum. The weights are thrown away afterwards.
 *
 * <p>The loss is smoothed exponentially ({@code beta} 0.98) with bias correction, as fastai does. The suggestion is
 * the learning rate at the minimum of the smoothed loss divided by 10 (fastai's {@code lr_min}): at the minimum the
 * loss is already about to blow up, a tenth of it still descends fast. The rate of steepest descent of the smoothed
 * loss (per decade of learning rate) is reported as well. The first tenth of the steps is left out of both.
 * <pre>{@code
 * LrRangeTest.Result r = LrRangeTest.run(subject, new LrRangeTest.Settings(1e-7, 1, 100, 0.98), progress);
 * System.out.println(r.suggestion());
 * }</pre>
 */
public final class LrRangeTest {

    private LrRangeTest() {
    }

    /**
     * @param startLr    first learning rate, in (0, endLr) ({@code --start-lr}, default 1e-7)
     * @param endLr      last learning rate, below 10 ({@code --end-lr}, default 1)
     * @param iterations mini-batch steps at most, at least 10 ({@code --iterations}, default 200)
     * @param beta       smoothing of the loss, in [0, 1) (default 0.98)
     */
    public record Settings(double startLr, double endLr, int iterations, double beta) {
        public Settings {
            if (!(startLr > 0 && startLr < endLr && endLr < 10)) {
                throw new UsageException(String.format(Locale.ROOT, "--start-lr %s --end-lr %s: expected 0 < "
                        + "start < end < 10, e.g. 1e-7 and 1.", startLr, endLr));
            }
            if (iterations < 10) {
                throw new UsageException("--iterations " + iterations + ": expected at least 10 (100-300 is "
                        + "typical).");
            }
            if (!(beta >= 0 && beta < 1)) {
                throw new UsageException("beta " + beta + ": expected [0, 1).");
            }
        }

        /** @return 1e-7 to 1 over 200 steps, beta 0.98 */
        public static Settings defaults() {
            return new Settings(1e-7, 1, 200, 0.98);
        }

        /** @return the learning rate of step {@code i} (0-based) */
        public double learningRate(int i) {
            return startLr * Math.pow(endLr / startLr, (double) i / (iterations - 1));
        }
    }

    /**
     * @param learningRates     the rate of each step taken
     * @param losses            the raw mini-batch loss of each step
     * @param smoothed          the smoothed, bias-corrected loss of each step
     * @param minLossLr         the rate at the minimum of the smoothed loss
     * @param steepestLr        the rate where the smoothed loss falls fastest per decade
     * @param suggestion        {@code minLossLr / 10}
     * @param diverged          whether the test stopped early because the loss blew up
     */
    public record Result(double[] learningRates, double[] losses, double[] smoothed, double minLossLr,
                         double steepestLr, double suggestion, boolean diverged) {
    }

    /** Observes each step (for a progress display). */
    @FunctionalInterface
    public interface StepListener {
        /** @param step 1-based step just taken */
        void onStep(int step, double lr, double smoothedLoss);
    }

    /**
     * Runs the test on the subject's training split (evaluation view, shuffled every pass), with the subject's
     * optimiser and head, and the learning rate replaced step by step.
     *
     * @param batchSize images per step
     */
    public static Result run(Subject subject, Settings settings, int batchSize, StepListener listener) {
        OptimizerConfig opt = subject.config().optimizer().withLearningRate(settings.startLr());
        ComputationGraph whole = subject.network().build(opt, subject.config().head());
        // only the layers above the freeze point train, on the frozen layers' inference outputs (as in `train`)
        Optional<FrozenPrefix> split = FrozenPrefix.of(whole);
        ComputationGraph g = split.map(FrozenPrefix::trainable).orElse(whole);
        double[] lrs = new double[settings.iterations()];
        double[] raw = new double[settings.iterations()];
        double[] smooth = new double[settings.iterations()];
        double avg = 0;
        double best = Double.POSITIVE_INFINITY;
        int n = 0;
        boolean diverged = false;
        try (ImageBatches batches = subject.batches(subject.train(), batchSize, true)) {
            int epoch = 0;
            Iterator<ImageBatches.Batch> it = batches.epoch(epoch, 0);
            while (n < settings.iterations()) {
                if (!it.hasNext()) {
                    it = batches.epoch(++epoch, 0);
                }
                ImageBatches.Batch b = it.next();
                if (b.data() == null) {
                    continue;
                }
                double lr = settings.learningRate(n);
                g.setLearningRate(lr);
                subject.seeds().applyToNd4j("lr-find", n);
                g.fit(split.isPresent() ? split.get().atBoundary(b.data()) : b.data());
                double loss = g.score();
                lrs[n] = lr;
                raw[n] = loss;
                avg = settings.beta() * avg + (1 - settings.beta()) * (Double.isFinite(loss) ? loss : 1e30);
                smooth[n] = avg / (1 - Math.pow(settings.beta(), n + 1));
                n++;
                listener.onStep(n, lr, smooth[n - 1]);
                if (!Double.isFinite(loss) || n > 1 && smooth[n - 1] > 4 * best) {
                    diverged = true;
                    break;
                }
                best = Math.min(best, smooth[n - 1]);
            }
        }
        if (n == 0) {
            throw new org.finetune4j.core.DataException("lr-find: no training batch could be decoded. Expected usable "
                    + "images in the training split; run `finetune4j inspect`.");
        }
        return analyse(Arrays.copyOf(lrs, n), Arrays.copyOf(raw, n), Arrays.copyOf(smooth, n), diverged);
    }

    /** Picks the minimum-loss rate, the steepest-descent rate and the suggestion from a recorded curve. */
    static Result analyse(double[] lrs, double[] raw, double[] smooth, boolean diverged) {
        int n = lrs.length;
        // the first tenth of the steps is left out (fastai's skip_start): the bias-corrected average starts as one
        // raw batch loss, and a lucky first batch would otherwise be "the minimum" at the smallest rate
        int skip = n >= 20 ? n / 10 : 0;
        int min = skip;
        for (int i = skip + 1; i < n; i++) {
            if (smooth[i] < smooth[min]) {
                min = i;
            }
        }
        // steepest descent before the minimum, over a window of ~a tenth of the curve (single steps are noisy)
        int w = Math.max(1, n / 10);
        int steep = min;
        double slope = Double.POSITIVE_INFINITY;
        for (int i = skip; i + w <= min; i++) {
            double s = (smooth[i + w] - smooth[i]) / (Math.log10(lrs[i + w]) - Math.log10(lrs[i]));
            if (s < slope) {
                slope = s;
                steep = i + w / 2;
            }
        }
        return new Result(lrs, raw, smooth, lrs[min], lrs[steep], lrs[min] / 10, diverged);
    }
}
