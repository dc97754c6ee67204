package org.finetune4j.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.ImageDecoder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Classifies image files with a bundle: decode, the bundle's preprocessing (short side, centre crop, normalisation),
 * the network, top-k labels. Bad files get an error each and do not stop the others. Works the same for every mode
 * that made the bundle.
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
        Preprocessing pre = bundle.bundle().preprocessing();
        List<String> labels = bundle.bundle().labels();
        ComputationGraph graph = bundle.graph();
        Prediction[] out = new Prediction[files.size()];
        List<Integer> pending = new ArrayList<>();
        List<Mat> mats = new ArrayList<>();
        for (int i = 0; i <= files.size(); i++) {
            if (i < files.size()) {
                try (Mat decoded = decoder.decode(files.get(i), names.get(i))) {
                    mats.add(pre.fit(decoded));
                    pending.add(i);
                } catch (BadImageException e) {
                    out[i] = new Prediction(names.get(i), List.of(), e.reason());
                }
            }
            if (!mats.isEmpty() && (mats.size() == batchSize || i == files.size())) {
                INDArray probs = graph.outputSingle(pre.toInput(mats));
                for (int r = 0; r < mats.size(); r++) {
                    out[pending.get(r)] = new Prediction(names.get(pending.get(r)), top(probs.getRow(r), labels,
                            topK), null);
                }
                mats.forEach(Mat::close);
                mats.clear();
                pending.clear();
            }
        }
        return List.of(out);
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
