package org.finetune4j.train;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * Puts class weights into a fine-tuning graph's loss ({@code --class-weights}): the softmax output layer's
 * cross-entropy becomes DL4J's weighted {@link LossMCXENT}, {@code −Σ_c w_c y_c log p_c} per image, so an image of
 * class {@code c} counts {@code w_c} times in the loss and in its gradient. The weights live in the graph's
 * configuration: they are kept by the trainable part cut from it, by the second stage, by checkpoints and in the
 * bundle's {@code model.zip} (where they change nothing at inference).
 * <pre>{@code
 * ClassWeightedLoss.apply(graph, ClassWeights.balanced(counts));
 * }</pre>
 */
public final class ClassWeightedLoss {

    private ClassWeightedLoss() {
    }

    /**
     * @param graph   an initialised graph whose single output is a softmax output layer with a cross-entropy loss
     * @param weights one positive weight per output class, or null to leave the loss as it is
     * @throws IllegalArgumentException when the output layer is not a loss layer or has another width
     */
    public static void apply(ComputationGraph graph, double[] weights) {
        if (weights == null) {
            return;
        }
        String output = graph.getConfiguration().getNetworkOutputs().get(0);
        GraphVertex v = graph.getConfiguration().getVertices().get(output);
        if (!(v instanceof LayerVertex lv) || !(unwrap(lv.getLayerConf().getLayer()) instanceof BaseOutputLayer out)) {
            throw new IllegalArgumentException(output + " is not an output layer with a loss");
        }
        if (out.getNOut() != weights.length) {
            throw new IllegalArgumentException(weights.length + " class weights for " + out.getNOut() + " outputs");
        }
        float[] w = new float[weights.length];
        for (int c = 0; c < w.length; c++) {
            w[c] = (float) weights[c];
        }
        INDArray row = Nd4j.create(new float[][] {w}).castTo(DataType.FLOAT);
        LossMCXENT loss = new LossMCXENT(row);
        out.setLossFn(loss);
        // the instantiated layer normally shares its configuration object with the graph's; set it there too
        Layer live = graph.getLayer(output).conf().getLayer();
        if (unwrap(live) instanceof BaseOutputLayer liveOut && liveOut != out) {
            liveOut.setLossFn(loss);
        }
    }

    private static Layer unwrap(Layer l) {
        return l instanceof FrozenLayer f ? f.getLayer() : l;
    }
}
