package org.finetune4j.train;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense layer of the graph that trains ({@link FrozenPrefix#trainable()}) that does only the work training needs.
 * DL4J's dense layer computes its pre-activation {@code z = xW + b} a second time in its backward pass, and always
 * computes the gradient with respect to its input: for VGG16's {@code fc1} (25088 × 4096, 411 MB of weights) these
 * are two of its four matrix products per step, each streaming the whole weight matrix, and the input gradient of the
 * trainable graph's first layer goes nowhere (its input is the frozen layers' output, cached or computed without
 * gradients). This layer keeps {@code z} from the forward pass (one {@code batch × nOut} array) and, as the first
 * layer, returns no input gradient. The arithmetic of what it does compute is DL4J's own, in the same order, so the
 * parameters it trains are the same, bit for bit, as those of DL4J's dense layer.
 *
 * <p>Only the graph that trains uses it: its configuration is never saved (checkpoints and bundles save the whole
 * graph, whose layers stay DL4J's).
 */
final class TraineeDense extends DenseLayer {

    private boolean inputGradient = true;

    /** For DL4J's configuration cloning; use {@link #adapt}. */
    public TraineeDense() {
        super();
    }

    /**
     * Replaces every plain dense layer of a trainable graph's configuration by this one; one fed by the graph's input
     * alone (directly or through a flattening vertex) returns no input gradient.
     *
     * @param conf the configuration of the graph that trains (changed in place)
     */
    static void adapt(ComputationGraphConfiguration conf) {
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv)
                    || lv.getLayerConf().getLayer().getClass() != DenseLayer.class) {
                continue;
            }
            PreprocessorVertex flatten = inputFlatten(conf, e.getKey());
            boolean noInputGradient = (flatten != null || fedByInput(conf, e.getKey()))
                    && (lv.getPreProcessor() == null || flattens(lv.getPreProcessor()));
            lv.getLayerConf().setLayer(copyOf((DenseLayer) lv.getLayerConf().getLayer(), !noInputGradient));
            if (noInputGradient) {
                // the "no gradient" (null) the layer returns passes back through the flattening to the input
                if (lv.getPreProcessor() != null) {
                    lv.setPreProcessor(new NoGradientFlatten((CnnToFeedForwardPreProcessor) lv.getPreProcessor()));
                }
                if (flatten != null) {
                    flatten.setPreProcessor(
                            new NoGradientFlatten((CnnToFeedForwardPreProcessor) flatten.getPreProcessor()));
                }
            }
        }
    }

    /** @return whether the vertex's only input is the graph's input, which feeds nothing else */
    private static boolean fedByInput(ComputationGraphConfiguration conf, String vertex) {
        List<String> in = conf.getVertexInputs().get(vertex);
        return in.size() == 1 && conf.getNetworkInputs().contains(in.get(0)) && consumers(conf, in.get(0)) == 1;
    }

    /**
     * @return the flattening vertex (VGG's {@code flatten}) between the graph's input and this vertex, its only
     *         consumer; null if there is none
     */
    private static PreprocessorVertex inputFlatten(ComputationGraphConfiguration conf, String vertex) {
        List<String> in = conf.getVertexInputs().get(vertex);
        if (in.size() != 1 || !(conf.getVertices().get(in.get(0)) instanceof PreprocessorVertex pv)
                || !flattens(pv.getPreProcessor()) || !fedByInput(conf, in.get(0))
                || consumers(conf, in.get(0)) != 1) {
            return null;
        }
        return pv;
    }

    private static boolean flattens(InputPreProcessor p) {
        return p != null && p.getClass() == CnnToFeedForwardPreProcessor.class;
    }

    private static long consumers(ComputationGraphConfiguration conf, String vertex) {
        return conf.getVertexInputs().values().stream().filter(in -> in.contains(vertex)).count();
    }

    /** @return a copy of a dense layer's configuration, every field of it (its {@code equals} holds) */
    static TraineeDense copyOf(DenseLayer d, boolean inputGradient) {
        TraineeDense t = new TraineeDense();
        t.setLayerName(d.getLayerName());
        t.setIDropout(d.getIDropout());
        t.setConstraints(d.getConstraints());
        t.setActivationFn(d.getActivationFn());
        t.setWeightInitFn(d.getWeightInitFn());
        t.setBiasInit(d.getBiasInit());
        t.setGainInit(d.getGainInit());
        t.setRegularization(d.getRegularization());
        t.setRegularizationBias(d.getRegularizationBias());
        t.setIUpdater(d.getIUpdater());
        t.setBiasUpdater(d.getBiasUpdater());
        t.setWeightNoise(d.getWeightNoise());
        t.setGradientNormalization(d.getGradientNormalization());
        t.setGradientNormalizationThreshold(d.getGradientNormalizationThreshold());
        t.setNIn(d.getNIn());
        t.setNOut(d.getNOut());
        t.setTimeDistributedFormat(d.getTimeDistributedFormat());
        t.setHasBias(d.hasBias());
        t.setHasLayerNorm(d.hasLayerNorm());
        t.inputGradient = inputGradient;
        return t;
    }

    /** @return whether the layer computes the gradient with respect to its input */
    boolean inputGradient() {
        return inputGradient;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        Impl ret = new Impl(conf, networkDataType, inputGradient);
        ret.setListeners(listeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(paramsView);
        ret.setParamTable(initializer().init(conf, paramsView, initializeParams));
        ret.setConf(conf);
        return ret;
    }

    /** The layer itself: DL4J's dense layer with the pre-activation kept for the backward pass. */
    static final class Impl extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {
        private final boolean inputGradient;
        /** The pre-activation of the last forward pass in training mode, and the input it was computed from. */
        private INDArray z;
        private INDArray zInput;

        Impl(NeuralNetConfiguration conf, DataType dataType, boolean inputGradient) {
            super(conf, dataType);
            this.inputGradient = inputGradient;
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            z = null;
            zInput = null;
            if (!training || hasLayerNorm() || layerConf().getWeightNoise() != null) {
                return super.activate(training, workspaceMgr);
            }
            INDArray pre = preOutput(true, workspaceMgr);
            // kept beside the activation, in the same workspace (the activation function may work in place)
            z = workspaceMgr.dup(ArrayType.ACTIVATIONS, pre);
            zInput = input;   // after dropout: the input the backward pass sees
            INDArray ret = layerConf().getActivationFn().getActivation(pre, true);
            if (maskArray != null) {
                applyMask(ret);
            }
            return ret;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            INDArray kept = z;
            boolean valid = kept != null && zInput == input && input != null;
            z = null;
            zInput = null;
            if (!valid) {
                return super.backpropGradient(epsilon, workspaceMgr);   // no forward pass in training mode before it
            }
            // BaseLayer.backpropGradient without its second computation of z and, as the first layer, without the
            // input gradient
            INDArray delta = layerConf().getActivationFn().backprop(kept, epsilon).getFirst();
            if (maskArray != null) {
                applyMask(delta);
            }
            Gradient ret = new DefaultGradient();
            if (hasBias()) {
                INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
                delta.sum(biasGrad, 0);
                ret.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
            }
            INDArray epsilonNext = null;
            if (inputGradient) {
                INDArray w = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, true, workspaceMgr);
                epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
                        new long[] {w.size(0), delta.size(0)}, 'f');
                epsilonNext = w.mmuli(delta.transpose(), epsilonNext).transpose();
            }
            INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
            Nd4j.gemm(input.castTo(weightGrad.dataType()), delta, weightGrad, true, false, 1.0, 0.0);
            ret.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
            weightNoiseParams.clear();
            if (epsilonNext != null) {
                epsilonNext = backpropDropOutIfPresent(epsilonNext);
            }
            return new Pair<>(ret, epsilonNext);
        }

        @Override
        public void clear() {
            super.clear();
            z = null;
            zInput = null;
        }
    }

    /** Flattens convolutional activations; passes "no gradient" (null) back unchanged. */
    static final class NoGradientFlatten extends CnnToFeedForwardPreProcessor {
        NoGradientFlatten(CnnToFeedForwardPreProcessor p) {
            super(p.getInputHeight(), p.getInputWidth(), p.getNumChannels(), p.getFormat());
        }

        @Override
        public INDArray backprop(INDArray epsilons, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
            return epsilons == null ? null : super.backprop(epsilons, miniBatchSize, workspaceMgr);
        }
    }
}
