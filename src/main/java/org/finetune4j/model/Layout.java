package org.finetune4j.model;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The memory layout of image activations: finetune4j's networks run <b>NHWC</b> ({@code [n, height, width,
 * channels]}), the layout oneDNN's convolutions work in. Laid out NCHW, DL4J's oneDNN convolution helper reorders
 * the activations to NHWC and back around every convolution — about a third of a VGG16 forward pass on this
 * project's machine (docs/performance.md); NHWC networks skip those reorders (VGG16 forward 1.4–1.7× faster).
 *
 * <p>Everything that makes a network or feeds one goes through here: {@link #inputType} (the input type of a
 * network), {@link #flatten} (convolutional activations to a vector, in (h, w, c) order) and {@link #toNhwc}, which
 * converts a network laid out NCHW — DL4J's zoo VGG16, bundles written by earlier versions of finetune4j — into the
 * same network laid out NHWC with the same outputs. {@code Preprocessing.toInput} makes NHWC input tensors.
 * Convolution kernels keep DL4J's {@code [out, in, kh, kw]} shape in both layouts; only the rows of a dense layer
 * fed by a flattened convolutional activation are reordered, from (c, h, w) to (h, w, c).
 * <pre>{@code
 * ComputationGraph zoo = ModelSerializer.restoreComputationGraph(file, false);   // NCHW
 * ComputationGraph fast = Layout.toNhwc(zoo);                                      // same outputs on NHWC input
 * }</pre>
 */
public final class Layout {

    /** The layout of every network finetune4j builds or loads. */
    public static final CNN2DFormat FORMAT = CNN2DFormat.NHWC;

    private Layout() {
    }

    /** @return the input type of a network with that input shape: convolutional, laid out {@link #FORMAT} */
    public static InputType inputType(InputShape s) {
        return InputType.convolutional(s.height(), s.width(), s.channels(), FORMAT);
    }

    /** @return the preprocessor that flattens activations of that convolutional type to vectors, in their layout */
    public static CnnToFeedForwardPreProcessor flatten(InputType.InputTypeConvolutional type) {
        return new CnnToFeedForwardPreProcessor(type.getHeight(), type.getWidth(), type.getChannels(),
                type.getFormat());
    }

    /** @return the dimensions of the height and width of activations of that type ({@code [1, 2]} for NHWC) */
    public static int[] spatialDimensions(InputType.InputTypeConvolutional type) {
        return type.getFormat() == CNN2DFormat.NHWC ? new int[] {1, 2} : new int[] {2, 3};
    }

    /**
     * @return the layout of a network's convolutional layers ({@link #FORMAT} when it has none)
     * @throws IllegalArgumentException if its layers disagree
     */
    public static CNN2DFormat of(ComputationGraphConfiguration conf) {
        CNN2DFormat found = null;
        for (GraphVertex v : conf.getVertices().values()) {
            CNN2DFormat f = v instanceof LayerVertex lv ? formatOf(unwrap(lv.getLayerConf().getLayer())) : null;
            if (f != null && found != null && f != found) {
                throw new IllegalArgumentException("the network mixes " + found + " and " + f + " layers");
            }
            found = f != null ? f : found;
        }
        return found != null ? found : FORMAT;
    }

    /**
     * Converts a network laid out NCHW into the same network laid out NHWC: its configuration with every
     * convolution, pooling and batch-norm layer and every flatten set to NHWC, and its parameters copied (the rows
     * of dense layers fed by a flatten reordered). Frozen layers stay frozen; updater state is not carried over.
     *
     * @return {@code graph} itself if it is already NHWC, otherwise a new network
     */
    public static ComputationGraph toNhwc(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (of(conf) == CNN2DFormat.NHWC) {
            return graph;
        }
        ComputationGraphConfiguration converted = conf.clone();
        for (GraphVertex v : converted.getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                setNhwc(unwrap(lv.getLayerConf().getLayer()));
                setNhwc(lv.getPreProcessor());
            } else if (v instanceof PreprocessorVertex pv) {
                setNhwc(pv.getPreProcessor());
            }
        }
        ComputationGraph out = new ComputationGraph(converted);
        out.init();
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex v : graph.getVertices()) {
            if (!v.hasLayer()) {
                continue;
            }
            String name = v.getVertexName();
            CnnToFeedForwardPreProcessor flatten = flattenFeeding(conf, name);
            Map<String, INDArray> target = out.getLayer(name).paramTable();
            for (Map.Entry<String, INDArray> p : v.getLayer().paramTable().entrySet()) {
                INDArray value = p.getValue();
                if (flatten != null && p.getKey().equals("W")) {
                    value = chwRowsToHwc(value, flatten);
                }
                target.get(p.getKey()).assign(value);
            }
        }
        return out;
    }

    /**
     * Reorders the rows of a dense kernel {@code [c·h·w, out]} from the (c, h, w) flatten order of NCHW to the
     * (h, w, c) order of NHWC: row {@code c·H·W + h·W + w} becomes row {@code (h·W + w)·C + c}.
     */
    static INDArray chwRowsToHwc(INDArray kernel, CnnToFeedForwardPreProcessor flatten) {
        long c = flatten.getNumChannels();
        long h = flatten.getInputHeight();
        long w = flatten.getInputWidth();
        long out = kernel.size(1);
        return kernel.reshape('c', c, h, w, out).permute(1, 2, 0, 3).dup('c').reshape('c', h * w * c, out);
    }

    /** @return the NCHW flatten in front of that layer (its own preprocessor or a preprocessor vertex), or null */
    private static CnnToFeedForwardPreProcessor flattenFeeding(ComputationGraphConfiguration conf, String layer) {
        if (conf.getVertices().get(layer) instanceof LayerVertex lv
                && lv.getPreProcessor() instanceof CnnToFeedForwardPreProcessor p && p.getFormat() != CNN2DFormat.NHWC) {
            return p;
        }
        List<String> inputs = conf.getVertexInputs().get(layer);
        if (inputs != null && inputs.size() == 1
                && conf.getVertices().get(inputs.get(0)) instanceof PreprocessorVertex pv
                && pv.getPreProcessor() instanceof CnnToFeedForwardPreProcessor p && p.getFormat() != CNN2DFormat.NHWC) {
            return p;
        }
        return null;
    }

    static Layer unwrap(Layer layer) {
        Layer l = layer;
        while (true) {
            if (l instanceof FrozenLayer f) {
                l = f.getLayer();
            } else if (l instanceof BaseWrapperLayer w) {
                l = w.getUnderlying();
            } else {
                return l;
            }
        }
    }

    private static CNN2DFormat formatOf(Layer layer) {
        if (layer instanceof ConvolutionLayer c) {
            return c.getCnn2dDataFormat();
        }
        if (layer instanceof SubsamplingLayer s) {
            return s.getCnn2dDataFormat();
        }
        return null;
    }

    private static void setNhwc(Layer layer) {
        if (layer instanceof ConvolutionLayer c) {
            c.setCnn2dDataFormat(CNN2DFormat.NHWC);
        } else if (layer instanceof SubsamplingLayer s) {
            s.setCnn2dDataFormat(CNN2DFormat.NHWC);
        } else if (layer instanceof BatchNormalization b && b.getCnn2DFormat() != null) {
            b.setCnn2DFormat(CNN2DFormat.NHWC);
        } else if (layer instanceof GlobalPoolingLayer g) {
            g.setPoolingDimensions(new int[] {1, 2});
        }
    }

    private static void setNhwc(InputPreProcessor pre) {
        if (pre instanceof CnnToFeedForwardPreProcessor p) {
            p.setFormat(CNN2DFormat.NHWC);
        }
    }
}
