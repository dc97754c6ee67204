package org.finetune4j.tune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.train.FrozenPrefix;
import org.finetune4j.train.ImageBatches;
import org.finetune4j.tune.Check.Status;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Checks a training setup in a minute or two before hours are spent on it (after Karpathy's "babysitting the
 * learning process", CS231n): initial loss against −ln(1/C), regularisation raising the loss, overfitting a tiny
 * subset, update/parameter ratios and non-finite values, and the input statistics after preprocessing. Each check
 * reports the numbers it measured, what was expected, and on warn/fail what usually causes it.
 * <pre>{@code
 * SanityChecks.Result r = SanityChecks.run(Subject.prepare(cfg, models, log), SanityChecks.Settings.defaults());
 * r.checks().forEach(c -> System.out.println(c.name() + " " + c.status()));
 * }</pre>
 */
public final class SanityChecks {

    private SanityChecks() {
    }

    /**
     * How much work the checks do.
     *
     * @param lossImages         images the initial loss and the input statistics are measured on, at least 1
     * @param overfitImages      size of the tiny subset to overfit, at least 1 (default 20)
     * @param overfitIterations  full-batch iterations on the tiny subset, at least 1 (default 60)
     * @param regularizationUp   the L2 penalty of the "regularisation up" network (default 0.1, far above any sane
     *                           setting so its effect on the loss is plain)
     */
    public record Settings(int lossImages, int overfitImages, int overfitIterations, double regularizationUp) {
        public Settings {
            if (lossImages < 1 || overfitImages < 1 || overfitIterations < 1) {
                throw new UsageException("--check-images/--overfit-images/--overfit-iterations: expected at least "
                        + "1 each; received " + lossImages + ", " + overfitImages + ", " + overfitIterations + ".");
            }
            if (!(regularizationUp > 0)) {
                throw new UsageException("regularization-up " + regularizationUp + ": expected a positive L2 "
                        + "penalty.");
            }
        }

        /** @return 64 images for the loss, 20 to overfit in 60 iterations, L2 0.1 for "regularisation up" */
        public static Settings defaults() {
            return new Settings(64, 20, 60, 0.1);
        }
    }

    /**
     * Everything the checks found.
     *
     * @param checks        the checks, in the order they ran
     * @param overfitLoss   training loss of the tiny subset after every iteration
     * @param updateRatios  per trainable layer: mean ‖ΔW‖/‖W‖ over the first iterations of the overfit run
     * @param classes       number of classes C
     */
    public record Result(List<Check> checks, double[] overfitLoss, Map<String, Double> updateRatios, int classes) {
        /** @return whether any check failed */
        public boolean hasFailure() {
            return checks.stream().anyMatch(c -> c.status() == Status.FAIL);
        }

        /** @return the named check */
        public Check check(String name) {
            return checks.stream().filter(c -> c.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no check named " + name));
        }
    }

    /** Iterations over which update ratios are averaged (the first few, before the tiny subset is memorised). */
    private static final int RATIO_ITERATIONS = 5;

    /** Runs every check on the subject with the subject's own optimiser settings. */
    public static Result run(Subject subject, Settings settings) {
        OptimizerConfig opt = subject.config().optimizer();
        OptimizerConfig off = opt.withRegularization(0, 0);
        HeadSpec h = subject.config().head();
        // dropout off as well: the checks want the deterministic loss of the network itself
        HeadSpec head = new HeadSpec(h.from(), h.hidden(), h.activation(), 0.0, h.batchNorm());
        int classes = subject.classes().size();
        List<Check> checks = new ArrayList<>();

        DataSet sample = oneBatch(subject, subject.subset(settings.lossImages(), "check-loss"));
        checks.add(inputStatistics(sample.getFeatures(), subject.preprocessing()));

        ComputationGraph g0 = subject.network().build(off, head);
        double initial = crossEntropy(g0.outputSingle(false, sample.getFeatures()), sample.getLabels());
        checks.add(initialLoss(initial, classes));

        double scoreOff = g0.score(sample, false);
        ComputationGraph up = subject.network().build(opt.withRegularization(opt.l1(), settings.regularizationUp()),
                head);
        double scoreUp = up.score(sample, false);
        checks.add(regularization(scoreOff, scoreUp, settings.regularizationUp()));

        DataSet tiny = oneBatch(subject, subject.subset(settings.overfitImages(), "check-overfit"));
        ComputationGraph g = subject.network().build(off, head);
        // only the layers above the freeze point train, on the frozen layers' inference outputs (as in `train`)
        Optional<FrozenPrefix> split = FrozenPrefix.of(g);
        ComputationGraph trainee = split.map(FrozenPrefix::trainable).orElse(g);
        DataSet tinyIn = split.isPresent() ? split.get().atBoundary(tiny) : tiny;
        double[] losses = new double[settings.overfitIterations()];
        Map<String, Double> ratios = new LinkedHashMap<>();
        boolean nonFinite = false;
        int firstNonFinite = -1;
        for (int it = 0; it < losses.length; it++) {
            Map<String, INDArray> before = it < RATIO_ITERATIONS ? trainableWeights(trainee) : Map.of();
            subject.seeds().applyToNd4j("check-overfit", it);
            trainee.fit(tinyIn);
            losses[it] = trainee.score();
            for (Map.Entry<String, INDArray> e : before.entrySet()) {
                INDArray after = weights(trainee.getLayer(e.getKey()));
                double norm = e.getValue().norm2Number().doubleValue();
                double ratio = after.sub(e.getValue()).norm2Number().doubleValue() / Math.max(norm, 1e-12);
                ratios.merge(e.getKey(), ratio / Math.min(RATIO_ITERATIONS, losses.length), Double::sum);
            }
            if (!Double.isFinite(losses[it]) && !nonFinite) {
                nonFinite = true;
                firstNonFinite = it + 1;
            }
        }
        split.ifPresent(FrozenPrefix::copyBack);
        boolean paramsFinite = Double.isFinite(g.params().sumNumber().doubleValue());
        INDArray out = g.outputSingle(false, tiny.getFeatures());
        double accuracy = accuracy(out, tiny.getLabels());
        checks.add(overfit(accuracy, losses, tiny.getFeatures().size(0), opt.learningRate()));
        checks.add(updates(ratios, nonFinite || !paramsFinite, firstNonFinite));
        return new Result(List.copyOf(checks), losses, ratios, classes);
    }

    private static DataSet oneBatch(Subject subject, List<LabeledImage> images) {
        try (ImageBatches b = subject.batches(images, Math.max(1, images.size()), false)) {
            DataSet ds = b.batch(0, 0).data();
            if (ds == null) {
                throw new org.finetune4j.core.DataException("check: none of the " + images.size() + " sampled "
                        + "training images could be decoded. Expected usable images; run `finetune4j inspect`.");
            }
            return ds;
        }
    }

    static Check inputStatistics(INDArray x, Preprocessing pre) {
        int c = (int) x.size(3);   // NHWC
        Map<String, Double> m = new LinkedHashMap<>();
        double worstMean = 0;
        double minStd = Double.POSITIVE_INFINITY;
        double maxStd = 0;
        for (int ch = 0; ch < c; ch++) {
            INDArray plane = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(ch));
            double mean = plane.meanNumber().doubleValue();
            double std = plane.stdNumber().doubleValue();
            m.put("mean-" + ch, mean);
            m.put("std-" + ch, std);
            worstMean = Math.max(worstMean, Math.abs(mean));
            minStd = Math.min(minStd, std);
            maxStd = Math.max(maxStd, std);
        }
        boolean caffe = pre.normalisation() instanceof Preprocessing.VggMeanBgr;
        // Caffe-style VGG weights expect the ImageNet mean subtracted and no scaling: std of tens, not 1.
        double unit = caffe ? 60 : 1;
        String expected = caffe
                ? "per channel |mean| <= 30 and std in [15, 120] (VGG/Caffe style: ImageNet mean subtracted, 0-255 "
                        + "scale kept, as the pretrained weights expect)"
                : "per channel |mean| <= 0.5 and std in [0.25, 4] (zero mean, unit scale)";
        Status s;
        if (worstMean <= 0.5 * unit && minStd >= 0.25 * unit && maxStd <= 2 * unit) {
            s = Status.PASS;
        } else if (worstMean <= 1.5 * unit && minStd >= 0.05 * unit && maxStd <= 8 * unit) {
            s = Status.WARN;
        } else {
            s = Status.FAIL;
        }
        return new Check("input-statistics", s, m, expected, s == Status.PASS ? ""
                : inputCauses(pre, worstMean / unit, minStd / unit, maxStd / unit));
    }

    /**
     * The causes that fit the measured statistics (in units of the expected scale), rather than every cause there
     * is: raw pixels, near-constant images, or — the usual one for a backbone that normalises with stored dataset
     * statistics — data that differ from the data those statistics were measured on.
     */
    static String inputCauses(Preprocessing pre, double worstMean, double minStd, double maxStd) {
        if (worstMean > 20 || maxStd > 20) {
            return "Preprocessing skipped (raw 0-255 pixels give mean ~120, std ~60): the inputs are on the pixel "
                    + "scale, not the backbone's.";
        }
        if (minStd < 0.05) {
            return "Nearly constant images (std ~0): blank or corrupt files, or a channel that is always the same. "
                    + "Look at the data with `finetune4j inspect` and `finetune4j augment-preview`.";
        }
        if (pre.normalisation() instanceof Preprocessing.MeanStd ms) {
            return String.format(Locale.ROOT, "The backbone normalises with the per-channel mean %s and std %s "
                    + "of the data it was pretrained on; your images differ from that data (e.g. white or uniform "
                    + "backgrounds, other colours), so after that normalisation they are not centred on 0 with unit "
                    + "spread. Nothing is broken: fine-tuning usually absorbs a shift this size. If the loss and "
                    + "overfit checks pass, go ahead; if training is slow or unstable, try a lower --lr, or train "
                    + "on your data's own statistics with --mode scratch (or `finetune4j pretrain`).",
                    rounded(ms.mean()), rounded(ms.std()));
        }
        return "Inputs on another scale than the backbone's (ImageNet-mean-subtracted 0-255 BGR for VGG): "
                + "preprocessing applied twice, or images very unlike ImageNet photos (e.g. white backgrounds); "
                + "fine-tuning usually absorbs a moderate shift.";
    }

    private static String rounded(double[] values) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", values[i]));
        }
        return b.append(']').toString();
    }

    static Check initialLoss(double loss, int classes) {
        double expected = Math.log(classes);
        double ratio = loss / expected;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("expected", expected);
        m.put("ratio", ratio);
        Status s = !Double.isFinite(loss) ? Status.FAIL
                : ratio >= 0.7 && ratio <= 1.5 ? Status.PASS
                : ratio >= 0.4 && ratio <= 3 ? Status.WARN : Status.FAIL;
        return new Check("initial-loss", s, m, String.format(Locale.ROOT, "mean cross-entropy with regularisation "
                + "off ~ -ln(1/%d) = %.3f (pass: ratio in [0.7, 1.5])", classes, expected),
                "A head initialised with too large weights (confident, wrong predictions), inputs far off the scale "
                        + "the backbone was trained on (preprocessing skipped: huge activations and logits), a "
                        + "backbone whose old classifier was kept, or labels that do not match the outputs.");
    }

    static Check regularization(double off, double up, double l2Up) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss-regularization-off", off);
        m.put("loss-regularization-up", up);
        m.put("l2-up", l2Up);
        Status s = Double.isFinite(off) && Double.isFinite(up) && up > off + 1e-6 * Math.max(1, Math.abs(off))
                ? Status.PASS : Status.FAIL;
        return new Check("regularization-raises-loss", s, m, String.format(Locale.ROOT, "loss with L2 %.2g > loss "
                + "with regularisation off (same initial weights)", l2Up), "The penalty never reaches the "
                + "trainable layers (every layer frozen, or L1/L2 set on a configuration DL4J ignores), or the loss "
                + "is not finite.");
    }

    static Check overfit(double accuracy, double[] losses, long images, double lr) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train-accuracy", accuracy);
        m.put("images", (double) images);
        m.put("iterations", (double) losses.length);
        m.put("first-loss", losses[0]);
        m.put("last-loss", losses[losses.length - 1]);
        m.put("learning-rate", lr);
        // a loss that did not move means nothing was learnt, whatever accuracy the initial weights happen to reach
        // on a few images (6 of 9 by chance was seen)
        boolean learnt = losses[losses.length - 1] <= 0.9 * losses[0];
        Status s = accuracy >= 0.95 ? Status.PASS : accuracy >= 0.6 && learnt ? Status.WARN : Status.FAIL;
        return new Check("overfit-tiny-subset", s, m, String.format(Locale.ROOT, "training accuracy >= 0.95 on %d "
                + "images after %d full-batch iterations, regularisation and dropout off (below 0.6, or a loss "
                + "that fell by less than 10%%, fails)", images, losses.length),
                "A learning rate far too small (nothing moves) or too large (the loss diverges), every useful "
                        + "layer frozen, labels that do not belong to their images (shuffled labels cannot be "
                        + "memorised this fast), or a bug in the data path (all inputs the same).");
    }

    static Check updates(Map<String, Double> ratios, boolean nonFinite, int firstNonFinite) {
        Map<String, Double> m = new LinkedHashMap<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (Map.Entry<String, Double> e : ratios.entrySet()) {
            m.put("ratio-" + e.getKey(), e.getValue());
            lo = Math.min(lo, e.getValue());
            hi = Math.max(hi, Double.isNaN(e.getValue()) ? Double.POSITIVE_INFINITY : e.getValue());
        }
        m.put("min-ratio", ratios.isEmpty() ? Double.NaN : lo);
        m.put("max-ratio", ratios.isEmpty() ? Double.NaN : hi);
        m.put("first-non-finite-iteration", (double) firstNonFinite);
        Status s;
        if (nonFinite || ratios.isEmpty() || hi > 1) {
            s = Status.FAIL;
        } else if (lo >= 1e-5 && hi <= 0.1) {
            s = Status.PASS;
        } else {
            s = Status.WARN;
        }
        return new Check("updates-and-finite-values", s, m, "per trainable layer ||dW||/||W|| per iteration in "
                + "[1e-5, 0.1] (around 1e-3 is typical for SGD; Adam's first steps run higher), no NaN or infinite "
                + "loss or weights", nonFinite ? "The loss or the weights became NaN/infinite: a learning rate far "
                + "too large, inputs on the wrong scale, or a log of 0 in a custom loss." : ratios.isEmpty()
                ? "No trainable layer with weights: the freeze point covers the whole network."
                : "Ratios far below 1e-5: the learning rate is too small (or the layer gets no gradient); far above "
                + "0.1: too large, training will be unstable.");
    }

    private static Map<String, INDArray> trainableWeights(ComputationGraph g) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Layer l : g.getLayers()) {
            if (l instanceof FrozenLayer || l instanceof FrozenLayerWithBackprop || l.numParams() == 0) {
                continue;
            }
            out.put(l.conf().getLayer().getLayerName(), weights(l).dup());
        }
        return out;
    }

    private static INDArray weights(Layer l) {
        INDArray w = l.paramTable().get("W");
        return w != null ? w : l.params();
    }

    static double crossEntropy(INDArray probabilities, INDArray oneHot) {
        INDArray p = probabilities.mul(oneHot).sum(1);
        return -Transforms.log(Transforms.max(p, 1e-12), false).meanNumber().doubleValue();
    }

    static double accuracy(INDArray probabilities, INDArray oneHot) {
        INDArray predicted = probabilities.argMax(1);
        INDArray actual = oneHot.argMax(1);
        return predicted.eq(actual).castTo(org.nd4j.linalg.api.buffer.DataType.INT).sumNumber().doubleValue()
                / oneHot.size(0);
    }
}
