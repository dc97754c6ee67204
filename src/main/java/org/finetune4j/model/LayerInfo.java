package org.finetune4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;

/**
 * One vertex of a network as {@code finetune4j layers} lists it; computed from the configuration alone, so listing
 * VGG16 allocates none of its 138 M parameters.
 *
 * @param name        the vertex name ({@code block4_pool}, {@code fc2} …): what {@code --freeze-until} and
 *                    {@code --layer} take
 * @param type        the layer type ({@code ConvolutionLayer}, {@code SubsamplingLayer}, {@code DenseLayer} …)
 * @param outputShape the activation shape without the batch dimension, e.g. {@code 512x14x14} (channels × h × w)
 * @param params      number of parameters
 * @param frozen      whether the layer is frozen (wrapped by DL4J's {@code FrozenLayer})
 */
public record LayerInfo(String name, String type, String outputShape, long params, boolean frozen) {

    /** @return every vertex of the configuration in topological order, the input first */
    public static List<LayerInfo> of(ComputationGraphConfiguration conf, InputType... inputs) {
        Map<String, InputType> shapes = conf.getLayerActivationTypes(inputs);
        List<LayerInfo> out = new ArrayList<>();
        List<String> order = topologicalOrder(conf);
        for (String name : order) {
            GraphVertex v = conf.getVertices().get(name);
            InputType t = shapes.get(name);
            String shape = t == null ? "?" : shape(t);
            if (v == null) {
                out.add(new LayerInfo(name, "Input", shape, 0, false));
                continue;
            }
            long params = v.numParams(false);
            if (v instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                boolean frozen = false;
                if (layer instanceof FrozenLayer f) {
                    layer = f.getLayer();
                    frozen = true;
                } else if (layer instanceof FrozenLayerWithBackprop f) {
                    layer = f.getUnderlying();
                    frozen = true;
                }
                out.add(new LayerInfo(name, layer.getClass().getSimpleName(), shape, params, frozen));
            } else {
                out.add(new LayerInfo(name, v.getClass().getSimpleName(), shape, params, false));
            }
        }
        return out;
    }

    private static String shape(InputType t) {
        long[] s = t.getShape(false);
        StringBuilder b = new StringBuilder();
        for (long d : s) {
            b.append(b.length() == 0 ? "" : "x").append(d);
        }
        return b.toString();
    }

    private static List<String> topologicalOrder(ComputationGraphConfiguration conf) {
        List<String> order = new ArrayList<>(conf.getNetworkInputs());
        Map<String, List<String>> inputsOf = conf.getVertexInputs();
        List<String> remaining = new ArrayList<>(conf.getVertices().keySet());
        while (!remaining.isEmpty()) {
            boolean progressed = false;
            for (int i = 0; i < remaining.size(); i++) {
                String v = remaining.get(i);
                if (order.containsAll(inputsOf.getOrDefault(v, List.of()))) {
                    order.add(v);
                    remaining.remove(i);
                    progressed = true;
                    break;
                }
            }
            if (!progressed) {
                order.addAll(remaining);
                break;
            }
        }
        return order;
    }
}
