package org.finetune4j.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.ImageDecoder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Classifies image files with a bundle: decode, the bundle's preprocessing (short side, centre crop, normalisation),
 * the network, top-k labels. Bad files get an error each and do not stop the others. Works the same for every mode
 * that made the bundle. {@link #fit} and {@link #classify} are its two halves, for images held in memory and for
 * callers that run several copies of the network (the {@code api} package).
 * <pre>{@code
 * Predictor p = new Predictor(BundleStore.load(dir), ImageDecoder.defaults());
 * List<Predictor.Prediction> out = p.predict(List.of(Path.of("a.jpg")), List.of("a.jpg"), 3, 16);
 * }</pre>
 */
public final class Predictor {

    /**
     * One label and its probability.
     *
     * @param label       the class name
     * @param probability softmax probability in [0, 1]
     */
    public record Scored(String label, double probability) {
    }

    /**
     * The result for one file.
     *
     * @param file  the file as the user named it
     * @param top   the top-k labels, most probable first; empty when {@code error} is set
     * @param error why the file could not be classified, or null
     */
    public record Prediction(String file, List<Scored> top, String error) {
    }

    private final BundleStore.Loaded bundle;
    private final ImageDecoder decoder;

    /**
     * @param bundle  a loaded bundle
     * @param decoder decodes files with the bundle's channel count
     */
    public Predictor(BundleStore.Loaded bundle, ImageDecoder decoder) {
        this.bundle = bundle;
        this.decoder = decoder;
    }

    /**
     * @param files     image files
     * @param names     how to show each file (same order)
     * @param topK      labels per image, at least 1 (capped at the number of classes)
     * @param batchSize images per forward pass
     * @return one prediction per file, in order
     */
    public List<Prediction> predict(List<Path> files, List<String> names, int topK, int batchSize) {
        try (NativeInference network = NativeInference.of(bundle.graph())) {
            return predict(network, files, names, topK, batchSize);
        }
    }

    private List<Prediction> predict(NativeInference network, List<Path> files, List<String> names, int topK,
                                     int batchSize) {
        Prediction[] out = new Prediction[files.size()];
        List<Integer> pending = new ArrayList<>();
        List<Mat> mats = new ArrayList<>();
        for (int i = 0; i <= files.size(); i++) {
            if (i < files.size()) {
                try {
                    mats.add(fit(files.get(i), names.get(i)));
                    pending.add(i);
                } catch (BadImageException e) {
                    out[i] = new Prediction(names.get(i), List.of(), e.reason());
                }
            }
            if (!mats.isEmpty() && (mats.size() == batchSize || i == files.size())) {
                List<List<Scored>> tops = classify(network, mats, topK);
                for (int r = 0; r < mats.size(); r++) {
                    out[pending.get(r)] = new Prediction(names.get(pending.get(r)), tops.get(r), null);
                }
                mats.forEach(Mat::close);
                mats.clear();
                pending.clear();
            }
        }
        return List.of(out);
    }

    /**
     * Decodes an image file and brings it to the network's input, as {@link #predict} does.
     *
     * @param file the file
     * @param name how to name it in messages
     * @return a matrix of exactly the input size; the caller closes it
     * @throws BadImageException with the reason {@code predict} gives
     */
    public Mat fit(Path file, String name) {
        try (Mat decoded = decoder.decode(file, name)) {
            return bundle.bundle().preprocessing().fit(decoded);
        }
    }

    /**
     * Decodes an encoded image and brings it to the network's input: the first half of {@link #predict}, for callers
     * that hold images in memory.
     *
     * @param bytes the encoded image
     * @param name  how to name it in messages
     * @return a matrix of exactly the input size; the caller closes it
     * @throws BadImageException with the reason {@code predict} gives for a file with these bytes
     */
    public Mat fit(byte[] bytes, String name) {
        try (Mat decoded = decoder.decode(bytes, name)) {
            return bundle.bundle().preprocessing().fit(decoded);
        }
    }

    /**
     * One forward pass over fitted images (from {@link #fit}) through the network: the second half of
     * {@link #predict}. One pass at a time runs through a {@link NativeInference}, so concurrent callers pass their
     * own, each over its own copy of the bundle's graph.
     *
     * @param network the bundle's network (or a copy of it)
     * @param fitted images of exactly the input size (not closed)
     * @param topK  labels per image, at least 1 (capped at the number of classes)
     * @return the top-k labels of each image, in order
     */
    public List<List<Scored>> classify(NativeInference network, List<Mat> fitted, int topK) {
        INDArray probs = network.output(bundle.bundle().preprocessing().toInput(fitted));
        List<String> labels = bundle.bundle().labels();
        List<List<Scored>> out = new ArrayList<>(fitted.size());
        for (int r = 0; r < fitted.size(); r++) {
            out.add(top(probs.getRow(r), labels, topK));
        }
        return out;
    }

    private static List<Scored> top(INDArray row, List<String> labels, int k) {
        double[] p = row.toDoubleVector();
        return IntStream.range(0, p.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -p[i]).thenComparing(i -> i))
                .limit(Math.min(k, p.length))
                .map(i -> new Scored(labels.get(i), p[i]))
                .toList();
    }
}
