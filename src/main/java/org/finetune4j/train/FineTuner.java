package org.finetune4j.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.finetune4j.core.UsageException;
import org.finetune4j.model.Activations;
import org.finetune4j.model.Ancestors;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.Layout;
import org.finetune4j.model.TransferBuild;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.OptimizerConfig;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Puts a new head on a pretrained backbone and freezes its early layers: the network DL4J's {@link TransferLearning}
 * describes, built by {@link TransferBuild} without its copies.
 *
 * <p>Everything up to and including {@code freezeUntil} (and all its ancestors) is frozen: DL4J wraps those layers
 * in {@code FrozenLayer}, which never updates them (frozen batch norm uses its running statistics). Every vertex after
 * {@code head.from()} is removed and replaced by the new head: optional hidden dense layers ({@code head_fc1}, …,
 * with {@code head_bn1}, {@code head_act1} … when batch-normalised), then {@code predictions}, a softmax layer for the target classes.
 * Layer names are checked first (DL4J silently ignores unknown names), and a wrong name lists the valid ones.
 * <pre>{@code
 * ComputationGraph g = FineTuner.build(backbone, input, "block3_pool", HeadSpec.defaults(), 10,
 *         OptimizerConfig.defaults(), seed);
 * ComputationGraph stage2 = FineTuner.unfreezeAbove(g, "block2_pool", new Adam(1e-4));
 * }</pre>
 */
public final class FineTuner {

    private FineTuner() {
    }

    /**
     * @param backbone    the pretrained network (not modified)
     * @param input       its input shape
     * @param freezeUntil the last frozen layer, or null to train everything
     * @param head        the new head; {@code head.from()} null means the layer feeding {@code predictions}
     * @param classes     target classes
     * @param optimizer   updater, learning rate and L1/L2 for all trainable layers
     * @param seed        initialisation seed of the new layers
     * @return a new graph
     * @throws UsageException for unknown layer names, naming the option and listing the valid names
     */
    public static ComputationGraph build(ComputationGraph backbone, InputShape input, String freezeUntil,
                                         HeadSpec head, int classes, OptimizerConfig optimizer, long seed) {
        Edit edit = edit(backbone, input, freezeUntil, head, classes, optimizer, seed);
        return TransferBuild.build(edit.builder(), backbone, edit.added(), edit.freezeUntil());
    }

    /**
     * The {@link TransferLearning} edit that {@link #build} makes, not yet built: its configuration is the network's,
     * and {@code added} names the new layers. (Tests build it with {@link TransferLearning.GraphBuilder#build()} to
     * compare.)
     */
    record Edit(TransferLearning.GraphBuilder builder, List<String> added, String freezeUntil) {
    }

    static Edit edit(ComputationGraph backbone, InputShape input, String freezeUntil,
                     HeadSpec head, int classes, OptimizerConfig optimizer, long seed) {
        ComputationGraphConfiguration conf = backbone.getConfiguration();
        List<String> names = vertexNames(conf);
        String output = conf.getNetworkOutputs().get(0);
        String from = head.from() != null ? head.from() : singleInput(conf, output);
        requireLayer("--head-from", from, names);
        if (from.equals(output)) {
            throw new UsageException("--head-from " + from + ": is the old output layer. Expected a layer before it, "
                    + "e.g. " + singleInput(conf, output) + ".");
        }
        Set<String> removed = descendants(conf, from);
        if (freezeUntil != null) {
            requireLayer("--freeze-until", freezeUntil, names);
            if (removed.contains(freezeUntil)) {
                throw new UsageException("--freeze-until " + freezeUntil + ": that layer belongs to the old "
                        + "classifier, which is replaced by the new head (from " + from + "). Expected a layer up "
                        + "to " + from + ".");
            }
        }
        Map<String, InputType> types = conf.getLayerActivationTypes(Layout.inputType(input));
        InputType fromType = types.get(from);

        FineTuneConfiguration ftc = new FineTuneConfiguration.Builder()
                .updater(optimizer.toUpdater(optimizer.learningRate()))
                .l1(optimizer.l1()).l2(optimizer.l2())
                .seed(seed)
                .build();
        TransferLearning.GraphBuilder b = new TransferLearning.GraphBuilder(backbone).fineTuneConfiguration(ftc);
        if (freezeUntil != null) {
            b.setFeatureExtractor(freezeUntil);
        }
        List<String> removeOrder = new ArrayList<>(removed);
        for (String v : removeOrder) {
            b.removeVertexAndConnections(v);
        }
        List<String> added = new ArrayList<>();
        Activation act = Activations.parse("--head-activation", head.activation());
        double retain = 1.0 - head.dropout();
        String previous = from;
        long nIn = fromType.arrayElementsPerExample();
        boolean first = true;
        for (int i = 0; i < head.hidden().size(); i++) {
            int size = head.hidden().get(i);
            DenseLayer.Builder dense = new DenseLayer.Builder().nIn(nIn).nOut(size).weightInit(WeightInit.RELU)
                    .activation(head.batchNorm() ? Activation.IDENTITY : act);
            if (head.dropout() > 0) {
                dense.dropOut(retain);
            }
            String name = "head_fc" + (i + 1);
            addLayer(b, name, dense.build(), previous, first ? fromType : null);
            added.add(name);
            first = false;
            previous = name;
            if (head.batchNorm()) {
                // BatchNormalization ignores its activation in DL4J M2.1: the activation is a layer of its own
                String bn = "head_bn" + (i + 1);
                b.addLayer(bn, new BatchNormalization.Builder().nIn(size).nOut(size).build(), previous);
                String actName = "head_act" + (i + 1);
                b.addLayer(actName, new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().activation(act)
                        .build(), bn);
                added.add(bn);
                added.add(actName);
                previous = actName;
            }
            nIn = size;
        }
        OutputLayer.Builder out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nIn).nOut(classes)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER);
        if (head.dropout() > 0) {
            out.dropOut(retain);
        }
        addLayer(b, "predictions", out.build(), previous, first ? fromType : null);
        added.add("predictions");
        b.setOutputs("predictions");
        return new Edit(b, added, freezeUntil);
    }

    private static void addLayer(TransferLearning.GraphBuilder b, String name, Layer layer, String input,
                                 InputType inputType) {
        if (inputType != null && inputType.getType() == InputType.Type.CNN) {
            b.addLayer(name, layer, Layout.flatten((InputType.InputTypeConvolutional) inputType), input);
        } else {
            b.addLayer(name, layer, input);
        }
    }

    /**
     * Unfreezes every frozen layer above {@code layer} (the layer itself and its ancestors stay frozen) and sets a new
     * updater on all trainable layers; weights are kept, the updater state starts fresh (DL4J has no unfreeze API).
     *
     * @throws UsageException if the layer does not exist ({@code --unfreeze})
     */
    public static ComputationGraph unfreezeAbove(ComputationGraph graph, String layer, IUpdater updater) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        requireLayer("--unfreeze", layer, vertexNames(conf));
        Set<String> stayFrozen = Ancestors.andSelf(conf, layer);
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (stayFrozen.contains(e.getKey())) {
                continue;
            }
            if (e.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FrozenLayer f) {
                lv.getLayerConf().setLayer(f.getLayer());
            }
            if (e.getValue() instanceof FrozenVertex fv) {
                conf.getVertices().put(e.getKey(), fv.getUnderlying());
            }
        }
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer bl) {
                bl.setIUpdater(updater);
                bl.setBiasUpdater(null);
            }
        }
        ComputationGraph out = new ComputationGraph(conf);
        out.init(graph.params().dup(), false);
        return out;
    }

    /** @return names of the layers that are frozen in the graph */
    public static List<String> frozenLayers(ComputationGraph graph) {
        List<String> out = new ArrayList<>();
        graph.getConfiguration().getVertices().forEach((name, v) -> {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FrozenLayer) {
                out.add(name);
            }
        });
        return out;
    }

    private static void requireLayer(String option, String layer, List<String> names) {
        if (!names.contains(layer)) {
            throw new UsageException(option + " " + layer + ": no such layer. Valid layers: "
                    + String.join(", ", names) + " (run `finetune4j layers --model ...`).");
        }
    }

    private static List<String> vertexNames(ComputationGraphConfiguration conf) {
        List<String> names = new ArrayList<>(conf.getNetworkInputs());
        names.addAll(conf.getVertices().keySet());
        return names;
    }

    private static String singleInput(ComputationGraphConfiguration conf, String vertex) {
        List<String> in = conf.getVertexInputs().get(vertex);
        if (in == null || in.size() != 1) {
            throw new UsageException(vertex + ": has " + (in == null ? 0 : in.size()) + " inputs; give --head-from.");
        }
        return in.get(0);
    }

    /** Vertices reachable from {@code from} (excluded), outputs last reversed: removal order output-first. */
    private static Set<String> descendants(ComputationGraphConfiguration conf, String from) {
        Set<String> out = new java.util.LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            conf.getVertexInputs().forEach((name, inputs) -> {
                if (inputs.contains(v) && out.add(name)) {
                    todo.push(name);
                }
            });
        }
        return out;
    }
}
