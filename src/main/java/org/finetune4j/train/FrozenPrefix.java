package org.finetune4j.train;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.model.GraphTail;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The split of a fine-tuning graph into its frozen prefix (every frozen layer: the freeze point and its ancestors)
 * and the trainable rest, whose only input is the prefix's last layer (the <em>boundary</em>).
 *
 * <p>The rest is a graph of its own ({@link #trainable()}), holding copies of the trainable layers' parameters: it
 * trains on the boundary's outputs, so the frozen layers run in inference mode (or not at all, when their outputs
 * are cached) and keep no activations for backpropagation. {@link #copyBack()} writes the trained parameters into the
 * whole graph, which stays what a bundle saves.
 * <pre>{@code
 * FrozenPrefix split = FrozenPrefix.of(graph).orElseThrow();   // graph frozen up to block4_pool
 * split.boundary();                                            // "block4_pool"
 * split.trainable().fit(new DataSet(block4PoolOutputs, labels));
 * split.copyBack();                                            // graph now holds the trained layers
 * }</pre>
 */
public final class FrozenPrefix {

    private final ComputationGraph whole;
    private final String boundary;
    private final ComputationGraph trainable;
    private boolean shared;

    private FrozenPrefix(ComputationGraph whole, String boundary, ComputationGraph trainable) {
        this.whole = whole;
        this.boundary = boundary;
        this.trainable = trainable;
    }

    /**
     * @param whole a graph with frozen layers (from {@link FineTuner})
     * @return the split, or empty when nothing is frozen or more than one frozen layer feeds the trainable ones
     */
    public static Optional<FrozenPrefix> of(ComputationGraph whole) {
        Optional<String> found = boundaryOf(whole);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        String boundary = found.get();
        ComputationGraphConfiguration conf = whole.getConfiguration();
        ComputationGraphConfiguration rest = GraphTail.configuration(whole, frozen(conf), boundary);
        TraineeDense.adapt(rest);
        // convolution layers keep their pre-activation from the forward pass for the backward pass (DL4J's cache
        // mode; with the oneDNN helper only), rather than running the convolution a second time: VGG16's block 5 and
        // head, batch 16, 10 epochs on cached activations took 144 s instead of 178 s, the same parameters bit for
        // bit. This configuration is never saved (bundles and checkpoints save the whole graph's).
        rest.setCacheMode(CacheMode.DEVICE);
        ComputationGraph trainable = new ComputationGraph(rest);
        // the trainable layers come last in the whole graph's flat parameters: the trainable graph works on a view of
        // them, so they exist once in memory and the whole graph always holds the trained values
        boolean shared = GraphTail.init(trainable, whole);
        trainable.setCacheMode(CacheMode.DEVICE);   // the layers' own setting (the graph's only opens the workspace)
        // the clone does not carry the optimizer's step count (Adam's bias correction depends on it)
        trainable.getConfiguration().setIterationCount(conf.getIterationCount());
        trainable.getConfiguration().setEpochCount(conf.getEpochCount());
        FrozenPrefix split = new FrozenPrefix(whole, boundary, trainable);
        split.shared = shared;
        return Optional.of(split);
    }

    /**
     * @return the last frozen layer, the only input of the trainable ones; empty when nothing is frozen or more than
     *         one frozen layer (or the input itself) feeds the trainable ones
     */
    public static Optional<String> boundaryOf(ComputationGraph whole) {
        ComputationGraphConfiguration conf = whole.getConfiguration();
        Set<String> frozen = frozen(conf);
        if (frozen.isEmpty()) {
            return Optional.empty();
        }
        Set<String> feeding = new LinkedHashSet<>();
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            if (frozen.contains(e.getKey())) {
                continue;
            }
            for (String in : e.getValue()) {
                if (frozen.contains(in) || conf.getNetworkInputs().contains(in)) {
                    feeding.add(in);
                }
            }
        }
        if (feeding.size() != 1 || !frozen.contains(feeding.iterator().next())) {
            return Optional.empty();
        }
        return Optional.of(feeding.iterator().next());
    }

    private static Set<String> frozen(ComputationGraphConfiguration conf) {
        Set<String> frozen = new LinkedHashSet<>();
        conf.getVertices().forEach((name, v) -> {
            if (isFrozen(v)) {
                frozen.add(name);
            }
        });
        return frozen;
    }

    private static boolean isFrozen(GraphVertex v) {
        return v instanceof FrozenVertex
                || v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FrozenLayer;
    }

    /** @return the last frozen layer: the trainable layers' only input */
    public String boundary() {
        return boundary;
    }

    /** @return the trainable layers as a graph whose input is the boundary's output */
    public ComputationGraph trainable() {
        return trainable;
    }

    /**
     * @param images a batch of network inputs and their labels
     * @return the boundary's outputs for them (the frozen layers run in inference mode), with the same labels: what
     *         {@link #trainable()} trains on
     */
    public DataSet atBoundary(DataSet images) {
        INDArray out = whole.output(List.of(boundary), false, new INDArray[] {images.getFeatures()}, null)[0];
        return new DataSet(out.detach(), images.getLabels());
    }

    /** @return the whole graph */
    public ComputationGraph whole() {
        return whole;
    }

    /**
     * Writes the trainable graph's parameters (and layer state such as batch-norm statistics) and its optimizer step
     * count into the whole one.
     */
    public void copyBack() {
        if (!shared) {
            copy(trainable, whole);
        }
        // the optimizer's step count (Adam's bias correction) lives in the configuration: a checkpoint of the whole
        // graph must carry the trainable graph's
        whole.getConfiguration().setIterationCount(trainable.getConfiguration().getIterationCount());
        whole.getConfiguration().setEpochCount(trainable.getConfiguration().getEpochCount());
    }

    /** Copies the parameters of the trainable layers (the trainable graph's layers) from one graph to the other. */
    private void copy(ComputationGraph from, ComputationGraph to) {
        for (Layer l : trainable.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (l.numParams() > 0) {
                to.getLayer(name).setParams(from.getLayer(name).params().dup());
            }
        }
    }
}
