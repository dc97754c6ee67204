package org.finetune4j.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.finetune4j.core.UsageException;

/**
 * Loads DL4J's own pretrained VGG zip ({@code vgg16_dl4j_inference.zip}, {@code vgg19_dl4j_inference.zip}: the
 * second source of ImageNet weights, from a mirror or a local file) as a backbone.
 *
 * <p>The zip is checked before DL4J reads it (only graph entries; DL4J Java-deserializes others), then restored, and
 * its layers are checked against the architecture finetune4j expects (same vertex names: DL4J's pretrained zip uses
 * the Keras names), and converted from DL4J's NCHW layout to NHWC ({@link Layout#toNhwc}). Its {@code predictions}
 * is a DenseLayer; fine-tuning replaces it anyway. Input: NHWC BGR 0–255
 * minus the ImageNet mean, as for the Keras weights.
 * <pre>{@code
 * ComputationGraph vgg = Dl4jZooWeights.load(Path.of("vgg16_dl4j_inference.zip"), VggArchitecture.vgg16(1000));
 * }</pre>
 */
public final class Dl4jZooWeights {

    private Dl4jZooWeights() {
    }

    /**
     * @param zip      the zoo zip (its checksum already verified by {@link WeightsCache})
     * @param expected the architecture it must match
     * @throws UsageException if the zip has foreign entries, cannot be restored, or lacks expected layers
     */
    public static ComputationGraph load(Path zip, VggArchitecture expected) {
        BundleStore.checkEntries(zip);
        ComputationGraph graph;
        try {
            graph = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new UsageException(zip + ": cannot restore DL4J's zoo model (" + e.getMessage() + "). Expected "
                    + "DL4J's " + expected.name() + "_dl4j_inference.zip; check the file or use the Keras weights.", e);
        }
        List<String> missing = new ArrayList<>();
        for (String layer : expected.layerNames()) {
            if (graph.getVertex(layer) == null) {
                missing.add(layer);
            }
        }
        if (!missing.isEmpty()) {
            throw new UsageException(zip + ": not a " + expected.name() + " model: layers " + missing + " are "
                    + "missing. Expected the vertex names of DL4J's pretrained " + expected.name() + ".");
        }
        return Layout.toNhwc(graph);
    }
}
