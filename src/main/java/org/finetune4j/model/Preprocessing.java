package org.finetune4j.model;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.finetune4j.core.UsageException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Everything an image goes through between decoding and the network, as one object stored in the bundle: the
 * evaluation resize (short side to {@code resizeShortSidePx}, then a centre crop of the input size), the channel
 * order and the normalisation. Training, evaluation and prediction all go through {@link #toInput}.
 *
 * <p>Decoded images arrive as 8-bit BGR (see {@code data.ImageDecoder}). {@link ChannelOrder#BGR} keeps that order
 * (what DL4J's VGG16 and Keras's converted VGG weights expect); {@link ChannelOrder#RGB} swaps to RGB.
 * <pre>{@code
 * Preprocessing p = Preprocessing.vgg(new InputShape(224, 224, 3));     // short side 256, BGR, minus ImageNet mean
 * INDArray x = p.toInput(p.fit(decodedBgr));                            // [1, 224, 224, 3]
 * }</pre>
 *
 * @param input             the network's input size
 * @param resizeShortSidePx evaluation resize: the short side is scaled to this before the centre crop
 *                          (default 8/7 of the input size: 256 for 224, as in the VGG and ResNet papers)
 * @param channelOrder      order of colour channels in the tensor
 * @param normalisation     what is subtracted and divided, per channel, on the 0–255 scale
 */
public record Preprocessing(InputShape input, int resizeShortSidePx, ChannelOrder channelOrder,
                            Normalisation normalisation) {

    /** Channel order of the network's input tensor. */
    public enum ChannelOrder {
        /** Blue, green, red: OpenCV's order and the order of DL4J's and Caffe/Keras's VGG weights. */
        BGR,
        /** Red, green, blue. */
        RGB
    }

    /** How pixel values (0–255) are normalised, per channel. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = VggMeanBgr.class, name = "vgg-mean-bgr"),
        @JsonSubTypes.Type(value = MeanStd.class, name = "mean-std")
    })
    public sealed interface Normalisation permits VggMeanBgr, MeanStd {
        /** @return per-channel values subtracted, in the tensor's channel order */
        double[] mean();

        /** @return per-channel divisors, in the tensor's channel order */
        double[] std();
    }

    /**
     * VGG's ImageNet mean subtraction: BGR means {@code [103.939, 116.779, 123.68]} subtracted from 0–255 values,
     * no scaling — exactly DL4J's {@code VGG16ImagePreProcessor} and Keras's {@code preprocess_input} "caffe" mode.
     */
    public record VggMeanBgr() implements Normalisation {
        /** ImageNet channel means in BGR order. */
        public static final double[] MEAN_BGR = {103.939, 116.779, 123.68};

        @Override
        public double[] mean() {
            return MEAN_BGR.clone();
        }

        @Override
        public double[] std() {
            return new double[] {1, 1, 1};
        }
    }

    /**
     * Per-channel mean and standard deviation (0–255 scale) computed on a training split: {@code (x - mean) / std}.
     *
     * @param mean per-channel means in the tensor's channel order
     * @param std  per-channel standard deviations, all positive
     */
    public record MeanStd(double[] mean, double[] std) implements Normalisation {
        public MeanStd {
            if (mean.length != std.length || mean.length == 0) {
                throw new IllegalArgumentException("mean and std need one value per channel");
            }
            for (double s : std) {
                if (!(s > 0)) {
                    throw new IllegalArgumentException("std must be positive, got " + Arrays.toString(std));
                }
            }
            mean = mean.clone();
            std = std.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MeanStd m && Arrays.equals(mean, m.mean) && Arrays.equals(std, m.std);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
        }

        @Override
        public String toString() {
            return "MeanStd[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
        }
    }

    public Preprocessing {
        if (resizeShortSidePx < Math.min(input.height(), input.width())) {
            throw new UsageException(String.format(Locale.ROOT, "resize short side %d px: smaller than the input "
                    + "size %s. Expected at least %d.", resizeShortSidePx, input, Math.min(input.height(),
                    input.width())));
        }
        if (normalisation.mean().length != input.channels()) {
            throw new IllegalArgumentException("normalisation has " + normalisation.mean().length
                    + " channels, input has " + input.channels());
        }
    }

    /** @return VGG preprocessing for an input size: short side 8/7 of it, BGR, ImageNet mean */
    public static Preprocessing vgg(InputShape input) {
        return new Preprocessing(input, defaultShortSide(input), ChannelOrder.BGR, new VggMeanBgr());
    }

    /** @return preprocessing with a dataset's own per-channel mean and std (BGR order, 0–255 scale) */
    public static Preprocessing meanStd(InputShape input, double[] meanBgr, double[] stdBgr) {
        return new Preprocessing(input, defaultShortSide(input), ChannelOrder.BGR, new MeanStd(meanBgr, stdBgr));
    }

    /** @return 8/7 of the short input side, rounded: 256 for 224, 73 for 64 */
    public static int defaultShortSide(InputShape input) {
        return (int) Math.round(Math.min(input.height(), input.width()) * 8.0 / 7.0);
    }

    /**
     * Evaluation geometry: scales the image so its short side is {@link #resizeShortSidePx} (area interpolation
     * when shrinking, bilinear when enlarging), then takes the centre crop of the input size.
     *
     * @return a new matrix of exactly the input size; the caller closes it
     */
    public Mat fit(Mat image) {
        return centerCrop(resizeShortSide(image, resizeShortSidePx), input.height(), input.width(), true);
    }

    /** @return a copy of the image scaled so that its short side is {@code shortSide}, keeping the aspect ratio */
    public static Mat resizeShortSide(Mat image, int shortSide) {
        int w = image.cols();
        int h = image.rows();
        double scale = (double) shortSide / Math.min(w, h);
        int nw = Math.max(shortSide, (int) Math.round(w * scale));
        int nh = Math.max(shortSide, (int) Math.round(h * scale));
        if (w <= h) {
            nw = shortSide;
        } else {
            nh = shortSide;
        }
        Mat out = new Mat();
        resize(image, out, new Size(nw, nh), 0, 0, scale < 1 ? INTER_AREA : INTER_LINEAR);
        return out;
    }

    /**
     * @param closeInput whether to close {@code image} (when it is an intermediate)
     * @return a deep copy of the central {@code height × width} region
     */
    public static Mat centerCrop(Mat image, int height, int width, boolean closeInput) {
        int x = (image.cols() - width) / 2;
        int y = (image.rows() - height) / 2;
        if (x < 0 || y < 0) {
            throw new IllegalArgumentException("image " + image.cols() + "x" + image.rows() + " smaller than crop "
                    + width + "x" + height);
        }
        Mat out;
        try (Rect r = new Rect(x, y, width, height); Mat view = new Mat(image, r)) {
            out = view.clone();
        }
        if (closeInput) {
            image.close();
        }
        return out;
    }

    /**
     * Converts images of exactly the input size into one normalised float batch laid out NHWC,
     * {@code [n, h, w, c]} — the layout of the networks ({@link Layout}).
     *
     * @param images 8-bit BGR (or gray) images of the input size
     * @throws IllegalArgumentException if an image has another size or channel count
     */
    public INDArray toInput(List<Mat> images) {
        int h = input.height();
        int w = input.width();
        int c = input.channels();
        int pixels = h * w * c;
        float[] data = new float[images.size() * pixels];
        double[] mean = normalisation.mean();
        double[] std = normalisation.std();
        int[] source = new int[c];
        for (int ch = 0; ch < c; ch++) {
            source[ch] = channelOrder == ChannelOrder.RGB && c == 3 ? 2 - ch : ch;
        }
        byte[] px = new byte[pixels];
        for (int n = 0; n < images.size(); n++) {
            Mat m = images.get(n);
            if (m.rows() != h || m.cols() != w || m.channels() != c) {
                throw new IllegalArgumentException("image " + m.cols() + "x" + m.rows() + "x" + m.channels()
                        + " does not match the input " + input);
            }
            if (m.isContinuous()) {
                m.data().get(px);
            } else {
                try (Mat copy = m.clone()) {
                    copy.data().get(px);
                }
            }
            int base = n * pixels;
            for (int i = 0; i < pixels; i += c) {
                for (int ch = 0; ch < c; ch++) {
                    data[base + i + ch] = (float) (((px[i + source[ch]] & 0xFF) - mean[ch]) / std[ch]);
                }
            }
        }
        return Nd4j.create(data, new long[] {images.size(), h, w, c}, DataType.FLOAT);
    }

    /** Converts one image of exactly the input size: {@code [1, h, w, c]}. */
    public INDArray toInput(Mat image) {
        return toInput(List.of(image));
    }

    /** @return the per-channel mean of a normalised NHWC batch, for sanity checks on the input statistics */
    public static double[] channelMeans(INDArray batch) {
        long c = batch.size(3);
        double[] out = new double[(int) c];
        for (int i = 0; i < c; i++) {
            out[i] = batch.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(i))
                    .meanNumber().doubleValue();
        }
        return out;
    }
}
