package org.finetune4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImage;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.model.Preprocessing;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Evaluates a network with a multi-crop {@link CropProtocol}: each image is decoded once, resized once per scale,
 * all its crops are cut and run through the network together (in batches of at most {@code batchSize} crops, the
 * crops of one image kept together where they fit), and the crops' predictions are averaged. The single centre
 * crop at the bundle's evaluation scale ({@link Preprocessing#fit}) is evaluated in the same pass, so the gain of
 * the protocol over one crop is measured on the same decoded images.
 * <pre>{@code
 * MultiCropEvaluator ev = new MultiCropEvaluator(bundle.preprocessing(), CropProtocolLoader.load("ten-crop"),
 *         MultiCropEvaluator.Averaging.PROBABILITIES, 64);
 * Evaluation e = ev.evaluate(images, bundle.labels(), decoder, graph::outputSingle, () -> progress.step());
 * }</pre>
 * The centre crop is forwarded in batches of its own so that its speed is measured rather than estimated; this
 * costs one extra crop per image (none for the {@code center} protocol itself).
 */
public final class MultiCropEvaluator {

    /** How the crops' predictions of an image are combined. */
    public enum Averaging {
        /** The arithmetic mean of the softmax probabilities (the usual choice; ResNet, VGG). */
        PROBABILITIES("probs"),
        /**
         * The mean of the log-probabilities, renormalised with a softmax: a normalised geometric mean. It ranks the
         * classes exactly as averaging the logits would (log-softmax differs from the logits by a per-crop constant).
         */
        LOG_PROBABILITIES("log-probs");

        private final String key;

        Averaging(String key) {
            this.key = key;
        }

        /** @return the option value, {@code probs} or {@code log-probs} */
        public String key() {
            return key;
        }

        /**
         * @throws UsageException naming {@code --average} for anything but {@code probs} or {@code log-probs}
         */
        public static Averaging of(String key) {
            for (Averaging a : values()) {
                if (a.key.equals(key)) {
                    return a;
                }
            }
            throw new UsageException("--average " + key + ": unknown averaging. Expected probs (mean of the "
                    + "probabilities) or log-probs (mean of the log-probabilities); received \"" + key + "\".");
        }
    }

    /** Smallest probability whose logarithm is taken, so that a crop's 0 does not veto a class with -infinity. */
    private static final double MIN_PROBABILITY = 1e-12;

    private final Preprocessing pre;
    private final CropProtocol protocol;
    private final Averaging averaging;
    private final int batchSize;
    private final List<Crop> crops;
    private final boolean centerOnly;

    /**
     * @param pre       the bundle's preprocessing (input size, normalisation, evaluation scale)
     * @param protocol  the crops to average
     * @param averaging how to combine them
     * @param batchSize most crops per forward pass, at least 1
     * @throws UsageException if the batch size is below 1 or a scale of the protocol is too small for the input
     */
    public MultiCropEvaluator(Preprocessing pre, CropProtocol protocol, Averaging averaging, int batchSize) {
        if (batchSize < 1) {
            throw new UsageException("--batch-size " + batchSize + ": expected at least 1 crop per forward pass.");
        }
        this.pre = pre;
        this.protocol = protocol;
        this.averaging = averaging;
        this.batchSize = batchSize;
        this.crops = protocol.crops(pre);
        this.centerOnly = protocol.isSingleCenterCrop(pre);
    }

    /** @return the protocol's crops for this preprocessing, in order */
    public List<Crop> crops() {
        return crops;
    }

    /**
     * Cuts every crop of the protocol from a decoded image, resizing it once per scale.
     *
     * @param decoded the decoded image (not closed)
     * @return one input-sized matrix per crop, in {@link #crops()} order; the caller closes them
     */
    public List<Mat> cut(Mat decoded) {
        int h = pre.input().height();
        int w = pre.input().width();
        List<Mat> out = new ArrayList<>(crops.size());
        Mat scaled = null;
        int scaledTo = -1;
        try {
            for (Crop c : crops) {
                if (c.shortSidePx() != scaledTo) {
                    if (scaled != null) {
                        scaled.close();
                    }
                    scaled = Preprocessing.resizeShortSide(decoded, c.shortSidePx());
                    scaledTo = c.shortSidePx();
                }
                out.add(c.cut(scaled, h, w));
            }
        } finally {
            if (scaled != null) {
                scaled.close();
            }
        }
        return out;
    }

    /**
     * Combines the predictions of an image's crops.
     *
     * @param cropProbabilities one row of class probabilities per crop
     * @param averaging         how
     * @return one probability per class, summing to 1
     */
    public static double[] average(double[][] cropProbabilities, Averaging averaging) {
        int k = cropProbabilities.length;
        int n = cropProbabilities[0].length;
        double[] out = new double[n];
        for (double[] row : cropProbabilities) {
            for (int c = 0; c < n; c++) {
                out[c] += averaging == Averaging.PROBABILITIES ? row[c] : Math.log(Math.max(row[c], MIN_PROBABILITY));
            }
        }
        for (int c = 0; c < n; c++) {
            out[c] /= k;
        }
        if (averaging == Averaging.LOG_PROBABILITIES) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : out) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int c = 0; c < n; c++) {
                out[c] = Math.exp(out[c] - max);
                sum += out[c];
            }
            for (int c = 0; c < n; c++) {
                out[c] /= sum;
            }
        }
        return out;
    }

    /**
     * Evaluates images. Files that cannot be decoded are left out and listed in the result.
     *
     * @param images  the images with their classes (indices into {@code labels})
     * @param labels  the network's class names in output order
     * @param decoder decodes files with the network's channel count
     * @param network maps a {@code [n, h, w, c]} batch to {@code [n, classes]} softmax probabilities
     * @param onImage called after each image is read (for progress)
     * @return predictions and metrics of the protocol and of the centre crop
     */
    public Evaluation evaluate(List<LabeledImage> images, List<String> labels, ImageDecoder decoder,
                               UnaryOperator<INDArray> network, Runnable onImage) {
        return evaluate(images, labels, decoder, network, onImage, List.of(averaging)).get(0);
    }

    /**
     * Evaluates images once and combines the crops' predictions by each of several rules: what the same pass gives
     * under each averaging (the crops and forward passes are shared; times are the pass's).
     *
     * @param averagings the rules, each giving one evaluation, in this order
     * @return one evaluation per rule
     */
    public List<Evaluation> evaluate(List<LabeledImage> images, List<String> labels, ImageDecoder decoder,
                                     UnaryOperator<INDArray> network, Runnable onImage, List<Averaging> averagings) {
        // One forward pass before the clock starts: the first call sets up the backend's kernels (hundreds of ms)
        // and would otherwise be charged to whichever of the protocol or the centre crop runs first.
        network.apply(Nd4j.zeros(DataType.FLOAT, 1, pre.input().height(), pre.input().width(),
                pre.input().channels()));   // NHWC, as Preprocessing.toInput makes
        long started = System.nanoTime();
        Pass pass = new Pass(images.size(), labels.size(), network);
        List<BadImage> bad = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            LabeledImage im = images.get(i);
            long t0 = System.nanoTime();
            Mat decoded;
            try {
                decoded = decoder.decode(im.file(), im.relativePath());
            } catch (BadImageException e) {
                bad.add(new BadImage(im.relativePath(), e.reason()));
                onImage.run();
                continue;
            }
            long t1 = System.nanoTime();
            pass.decodeNanos += t1 - t0;
            try (decoded) {
                List<Mat> views = cut(decoded);
                long t2 = System.nanoTime();
                pass.cropNanos += t2 - t1;
                pass.addCrops(i, views);
                if (!centerOnly) {
                    long t3 = System.nanoTime();
                    Mat center = pre.fit(decoded);
                    pass.centerCropNanos += System.nanoTime() - t3;
                    pass.addCenter(i, center);
                }
            }
            onImage.run();
        }
        pass.cropBatch.flush();
        pass.centerBatch.flush();
        List<Evaluation> out = new ArrayList<>();
        for (Averaging a : averagings) {
            out.add(result(images, labels, pass, a, bad, started));
        }
        return out;
    }

    private Evaluation result(List<LabeledImage> images, List<String> labels, Pass pass, Averaging averaging,
                              List<BadImage> bad, long started) {
        List<Evaluation.ImageResult> results = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            if (pass.cropProbabilities[i] == null) {
                continue;
            }
            double[] probs = average(pass.cropProbabilities[i], averaging);
            double[] center = centerOnly ? pass.cropProbabilities[i][0].clone() : pass.centerProbabilities[i];
            LabeledImage im = images.get(i);
            results.add(new Evaluation.ImageResult(im.relativePath(), im.file(), im.classIndex(), probs, center));
        }
        int[] truth = results.stream().mapToInt(Evaluation.ImageResult::trueClass).toArray();
        Metrics protocolMetrics = Metrics.of(labels, truth, results.stream()
                .map(Evaluation.ImageResult::probabilities).toArray(double[][]::new));
        Metrics centerMetrics = Metrics.of(labels, truth, results.stream()
                .map(Evaluation.ImageResult::centerProbabilities).toArray(double[][]::new));
        int n = results.size();
        double protocolSeconds = (pass.decodeNanos + pass.cropNanos + pass.cropBatch.forwardNanos) / 1e9;
        double centerSeconds = centerOnly ? protocolSeconds
                : (pass.decodeNanos + pass.centerCropNanos + pass.centerBatch.forwardNanos) / 1e9;
        return new Evaluation(protocol.name(), protocol.source(), averaging.key(), crops, labels, results,
                protocolMetrics, centerMetrics, rate(n, protocolSeconds), rate(n, centerSeconds),
                (System.nanoTime() - started) / 1e9, bad);
    }

    private static double rate(int n, double seconds) {
        return seconds > 0 ? n / seconds : 0;
    }

    /** The state of one evaluation pass: pending crops, the predictions so far and the time spent on each part. */
    private final class Pass {
        final double[][][] cropProbabilities;
        final double[][] centerProbabilities;
        final int classes;
        final UnaryOperator<INDArray> network;
        final Batch cropBatch = new Batch();
        final Batch centerBatch = new Batch();
        long decodeNanos;
        long cropNanos;
        long centerCropNanos;

        Pass(int images, int classes, UnaryOperator<INDArray> network) {
            this.cropProbabilities = new double[images][][];
            this.centerProbabilities = new double[images][];
            this.classes = classes;
            this.network = network;
        }

        void addCrops(int image, List<Mat> views) {
            // Keep an image's crops in one batch when they fit: flush first if they would spill over.
            if (!cropBatch.views.isEmpty() && cropBatch.views.size() + views.size() > batchSize) {
                cropBatch.flush();
            }
            double[][] probabilities = new double[views.size()][];
            cropProbabilities[image] = probabilities;
            for (int k = 0; k < views.size(); k++) {
                int crop = k;
                cropBatch.add(views.get(k), p -> probabilities[crop] = p);
            }
        }

        void addCenter(int image, Mat center) {
            centerBatch.add(center, p -> centerProbabilities[image] = p);
        }

        /** Views waiting for one forward pass, each with where its probabilities go; and the time passes took. */
        final class Batch {
            final List<Mat> views = new ArrayList<>();
            final List<Consumer<double[]>> targets = new ArrayList<>();
            long forwardNanos;

            /** Queues a view (closed after its pass); runs the pass once the batch is full. */
            void add(Mat view, Consumer<double[]> target) {
                views.add(view);
                targets.add(target);
                if (views.size() >= batchSize) {
                    flush();
                }
            }

            void flush() {
                if (views.isEmpty()) {
                    return;
                }
                long t = System.nanoTime();
                double[][] out = forward(views);
                forwardNanos += System.nanoTime() - t;
                for (int r = 0; r < out.length; r++) {
                    targets.get(r).accept(out[r]);
                }
                views.forEach(Mat::close);
                views.clear();
                targets.clear();
            }
        }

        private double[][] forward(List<Mat> mats) {
            INDArray in = pre.toInput(mats);
            INDArray out = network.apply(in);
            if (out.rank() != 2 || out.size(0) != mats.size() || out.size(1) != classes) {
                throw new IllegalStateException(String.format(Locale.ROOT, "the network returned shape %s for %d "
                        + "crops; expected [%d, %d]", java.util.Arrays.toString(out.shape()), mats.size(),
                        mats.size(), classes));
            }
            return out.toDoubleMatrix();
        }
    }
}
