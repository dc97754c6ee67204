package org.finetune4j.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The layers of a graph after some leading ones, as a graph of their own whose only input is the last leading layer's
 * output, on the same parameters: the trainable rest of a fine-tuning graph ({@code train.FrozenPrefix}) and the
 * layers after the natively run convolutions ({@link NativeInference}).
 * <pre>{@code
 * ComputationGraphConfiguration conf = GraphTail.configuration(whole, frozenLayers, "block4_pool");
 * ComputationGraph rest = new ComputationGraph(conf);
 * boolean shared = GraphTail.init(rest, whole);   // a view of whole's parameters where they lie last, else a copy
 * }</pre>
 */
public final class GraphTail {

    private GraphTail() {
    }

    /**
     * @param whole   the graph
     * @param removed the leading vertices to drop
     * @param input   the dropped vertex whose output becomes the new graph's only input
     * @return a copy of the whole configuration without {@code removed}, its topological order to be worked out again
     */
    public static ComputationGraphConfiguration configuration(ComputationGraph whole, Collection<String> removed,
                                                              String input) {
        ComputationGraphConfiguration conf = whole.getConfiguration().clone();
        for (String r : removed) {
            conf.getVertices().remove(r);
            conf.getVertexInputs().remove(r);
        }
        conf.setNetworkInputs(new ArrayList<>(List.of(input)));
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        return conf;
    }

    /**
     * Initialises {@code rest} (made from {@link #configuration}) on {@code whole}'s parameters: a view of them when
     * its layers hold the trailing part of {@code whole}'s flat parameters in the same order (they then exist once,
     * and what {@code rest} learns is in {@code whole}), else a copy of each layer's.
     *
     * @return whether {@code rest} works on a view of {@code whole}'s parameters
     */
    public static boolean init(ComputationGraph rest, ComputationGraph whole) {
        INDArray shared = trailingParams(whole, rest.getConfiguration());
        if (shared != null) {
            rest.init(shared, false);
        } else {
            rest.init();
        }
        if (shared != null && ArrayIO.sharesParameters(rest, whole)) {
            return true;
        }
        for (Layer l : rest.getLayers()) {
            if (l.numParams() > 0) {
                l.setParams(whole.getLayer(l.conf().getLayer().getLayerName()).params().dup());
            }
        }
        return false;
    }

    /**
     * @return the trailing part of the whole graph's flat parameters that holds exactly the rest's layers, in the
     *         order the rest lays them out; null when they are not the trailing part in that order
     */
    private static INDArray trailingParams(ComputationGraph whole, ComputationGraphConfiguration rest) {
        INDArray all = whole.params();
        // the whole graph lays its parameters out in topological order: the rest's layers must be the tail
        boolean inTail = false;
        long restCount = 0;
        for (int i : whole.topologicalSortOrder()) {
            GraphVertex v = whole.getVertices()[i];
            if (v.numParams() == 0) {
                continue;
            }
            boolean kept = rest.getVertices().containsKey(v.getVertexName());
            if (inTail && !kept) {
                return null;
            }
            inTail |= kept;
            restCount += kept ? v.numParams() : 0;
        }
        if (all == null || restCount == 0) {
            return null;
        }
        long total = all.length();
        return all.reshape(1, total).get(NDArrayIndex.point(0), NDArrayIndex.interval(total - restCount, total))
                .reshape(1, restCount);
    }
}
