package org.finetune4j.model;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.finetune4j.core.Seeds;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds what a {@link TransferLearning.GraphBuilder} describes without its {@code build()}, which holds the source
 * network about three times over while it runs (used for the fine-tuning network and the features-mode bundle).
 */
public final class TransferBuild {

    private TransferBuild() {
    }

    /**
     * The network {@link TransferLearning.GraphBuilder#build()} makes, with the same configuration, the source
     * network's parameters in the kept layers and the new layers initialised from the configuration's seed. That
     * {@code build()} makes a whole new network with random weights (all of VGG16's 138 M parameters drawn, only to
     * be overwritten) and then copies each kept layer through a temporary duplicate, so that building VGG16's head
     * held the backbone about three times over (peak resident memory 0.7 to 2.2 GB). Here the new network's parameters
     * are allocated once and each kept layer is copied straight into them.
     *
     * @param builder    the edit, not yet built (it is not built by this either)
     * @param source     the network the builder was made from (not modified)
     * @param newLayers  the layers the edit added (or replaced): initialised, not copied
     * @param frozenUpTo what {@code setFeatureExtractor} was given, or null: it and its ancestors are frozen
     * @return the new network
     */
    public static ComputationGraph build(TransferLearning.GraphBuilder builder, ComputationGraph source,
                                         List<String> newLayers, String frozenUpTo) {
        ComputationGraphConfiguration conf = configuration(builder);
        if (frozenUpTo != null) {
            freeze(conf, Ancestors.andSelf(conf, frozenUpTo));
        }
        long count = 0;
        for (GraphVertex v : conf.getVertices().values()) {
            count += v.numParams(true);
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init(Nd4j.createUninitialized(conf.getDataType(), 1, count), false);
        Set<String> added = Set.copyOf(newLayers);
        long filled = 0;
        // the new layers are drawn in topological order from the configuration's seed, as DL4J's init draws
        Seeds.seedNd4j(conf.getDefaultConfiguration().getSeed());
        for (int i : graph.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex v = graph.getVertices()[i];
            if (!v.hasLayer() || v.getLayer().numParams() == 0) {
                continue;
            }
            org.deeplearning4j.nn.api.Layer layer = v.getLayer();
            INDArray params = layer.params();
            if (added.contains(v.getVertexName())) {
                NeuralNetConfiguration lc = layer.conf();
                lc.getLayer().initializer().init(lc, params, true);
            } else {
                INDArray from = source.getLayer(v.getVertexName()).params();
                if (from.length() != params.length()) {
                    throw new IllegalStateException(v.getVertexName() + ": " + from.length()
                            + " parameters in the source network, " + params.length() + " in the new one");
                }
                params.assign(from.reshape(params.shape()));
            }
            filled += params.length();
        }
        if (filled != count) {
            throw new IllegalStateException("filled " + filled + " of the new network's " + count
                    + " parameters");
        }
        return graph;
    }

    /** The configuration {@link TransferLearning.GraphBuilder#build()} starts from (it has no public accessor). */
    private static ComputationGraphConfiguration configuration(TransferLearning.GraphBuilder b) {
        try {
            java.lang.reflect.Field f = TransferLearning.GraphBuilder.class.getDeclaredField("editedConfigBuilder");
            f.setAccessible(true);
            return ((ComputationGraphConfiguration.GraphBuilder) f.get(b)).validateOutputLayerConfig(true).build();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DL4J's TransferLearning.GraphBuilder has no editedConfigBuilder: "
                    + "finetune4j is written for DL4J 1.0.0-M2.1", e);
        }
    }

    /**
     * What {@link TransferLearning.GraphBuilder#build()} does to the configuration of the frozen vertices: a layer
     * is wrapped in a {@code FrozenLayer} (keeping its name and variables), any other vertex in a {@code FrozenVertex}.
     */
    private static void freeze(ComputationGraphConfiguration conf, Set<String> frozen) {
        for (String name : frozen) {
            GraphVertex v = conf.getVertices().get(name);
            if (v == null) {
                continue;   // a network input
            }
            if (v instanceof LayerVertex lv) {
                Layer original = lv.getLayerConf().getLayer();
                Layer wrapped = new FrozenLayer(original);
                wrapped.setLayerName(original.getLayerName());
                NeuralNetConfiguration nnc = lv.getLayerConf().clone();
                lv.setLayerConf(nnc);
                nnc.setLayer(wrapped);
                List<String> vars = nnc.variables(true);
                nnc.clearVariables();
                for (String var : vars) {
                    nnc.variables(false).add(var);
                }
            } else {
                conf.getVertices().put(name, new FrozenVertex(v));
            }
        }
    }
}
