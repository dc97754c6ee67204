package org.finetune4j.eval;

import java.util.Locale;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Folds a fitted temperature into a network: the output layer computes {@code softmax(W x + b)}, so dividing its
 * weights and bias by T gives exactly {@code softmax((W x + b) / T)} — calibrated probabilities from the same
 * network, with no special path in {@code predict}, {@code evaluate} or plain DL4J (Guo et al. 2017, temperature
 * scaling).
 * <pre>{@code
 * double t = Calibration.fitTemperature(valProbabilities, valTruth);
 * TemperatureScaling.fold(graph, t);   // in place
 * }</pre>
 */
public final class TemperatureScaling {

    private TemperatureScaling() {
    }

    /**
     * Divides the output layer's weights and bias by {@code temperature}, in place.
     *
     * @param graph       a network with one softmax output layer that has parameters {@code W} and {@code b}
     * @param temperature T &gt; 0
     * @throws IllegalArgumentException if the temperature is not positive or the output is not a softmax layer
     */
    public static void fold(ComputationGraph graph, double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature " + temperature + ": expected a finite value above 0");
        }
        String name = graph.getConfiguration().getNetworkOutputs().get(0);
        Layer layer = graph.getLayer(name);
        if (layer == null || !(layer.conf().getLayer() instanceof BaseLayer base)
                || !(base.getActivationFn() instanceof ActivationSoftmax)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "output %s: expected a softmax layer "
                    + "with weights and bias to fold a temperature into", name));
        }
        INDArray w = layer.getParam("W");
        INDArray b = layer.getParam("b");
        if (w == null || b == null) {
            throw new IllegalArgumentException("output " + name + ": expected parameters W and b");
        }
        // divi on the parameter views writes through to the network's flattened parameter array.
        w.divi(temperature);
        b.divi(temperature);
    }
}
