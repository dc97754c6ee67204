package org.finetune4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.finetune4j.core.UsageException;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Class activation maps by Grad-CAM (Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via
 * Gradient-based Localization", ICCV 2017): the gradient of a class's score (the logit, before the softmax) with
 * respect to the activations {@code A} of a convolutional layer; each channel's weight is the spatial mean of its
 * gradient, and the map is {@code ReLU(Σ_k w_k A_k)} at the layer's resolution, to be upsampled onto the network's
 * input picture.
 * <p>DL4J's frozen layers pass no gradient down, and an output layer's backward pass reads labels, not an error: so
 * the gradient runs through a copy of the network with the frozen layers unwrapped and the output layer replaced by a
 * dense layer with an identity activation and the same weights (its output is the logits), without workspaces, in
 * inference mode (batch normalization with its running statistics, no dropout). The network given is not changed.
 * <pre>{@code
 * GradCam cam = GradCam.of(bundle.graph(), null);       // the last convolutional layer
 * GradCam.Map m = cam.map(input, classIndex);           // input: one preprocessed image, NHWC
 * }</pre>
 */
public final class GradCam implements AutoCloseable {

    /**
     * One class activation map.
     *
     * @param heat   {@code [height][width]} at the layer's resolution, non-negative
     * @param logit  the class's score
     */
    public record HeatMap(double[][] heat, double logit) {
        /** @return the largest value, 0 for an all-zero map */
        public double max() {
            double m = 0;
            for (double[] row : heat) {
                for (double v : row) {
                    m = Math.max(m, v);
                }
            }
            return m;
        }
    }

    private final ComputationGraph copy;
    private final String layer;

    private GradCam(ComputationGraph copy, String layer) {
        this.copy = copy;
        this.layer = layer;
    }

    /**
     * @param graph  a classifier (one input, one softmax output); not modified
     * @param layer  the convolutional layer to explain at, or null for the last one (the last vertex with a
     *               convolutional output that is not a pooling layer)
     * @param input  the network's input shape
     * @throws UsageException naming {@code --explain-layer} for a layer without a convolutional output
     */
    public static GradCam of(ComputationGraph graph, String layer, InputShape input) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Map<String, InputType> types = conf.getLayerActivationTypes(Layout.inputType(input));
        String target = layer != null ? layer : lastConvolutional(graph.getConfiguration(), types);
        if (target == null || !(types.get(target) instanceof InputType.InputTypeConvolutional)) {
            throw new UsageException("--explain-layer " + target + ": not a layer with a convolutional output. "
                    + "Expected a conv, activation or pooling layer such as the last block's last convolution (run "
                    + "`finetune4j layers --model M`).");
        }
        conf.setTrainingWorkspaceMode(WorkspaceMode.NONE);
        conf.setInferenceWorkspaceMode(WorkspaceMode.NONE);
        for (var v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                NeuralNetConfiguration nc = lv.getLayerConf();
                Layer l = nc.getLayer();
                while (l instanceof FrozenLayer f) {
                    l = f.getLayer();
                }
                if (l instanceof OutputLayer o) {
                    DenseLayer d = new DenseLayer.Builder().nIn(o.getNIn()).nOut(o.getNOut())
                            .activation(Activation.IDENTITY).hasBias(o.hasBias()).build();
                    d.setLayerName(o.getLayerName());
                    l = d;
                }
                nc.setLayer(l);
            }
        }
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(graph.params().dup(), false);
        copy.initGradientsView();
        return new GradCam(copy, target);
    }

    private static String lastConvolutional(ComputationGraphConfiguration conf, Map<String, InputType> types) {
        String last = null;
        for (String v : conf.getTopologicalOrderStr()) {
            if (!(types.get(v) instanceof InputType.InputTypeConvolutional)) {
                continue;
            }
            Layer l = conf.getVertices().get(v) instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
            while (l instanceof FrozenLayer f) {
                l = f.getLayer();
            }
            if (!(l instanceof SubsamplingLayer) && !(l instanceof GlobalPoolingLayer)) {
                last = v;
            }
        }
        return last;
    }

    /** Frees the copy's native memory now rather than at some later garbage collection. */
    @Override
    public synchronized void close() {
        copy.close();
    }

    /** @return the layer the maps are computed at */
    public String layer() {
        return layer;
    }

    /**
     * @param input      one preprocessed image, {@code [1, height, width, channels]} (NHWC)
     * @param classIndex the class to explain
     * @return the map at the layer's resolution
     */
    public synchronized HeatMap map(INDArray input, int classIndex) {
        return maps(input, new int[] {classIndex}).get(0);
    }

    /**
     * Maps of several images in one forward and one backward pass: in inference mode the images of a batch do not
     * interact, so image {@code i}'s map is the one {@link #map} gives for it alone (up to the last bits, which can
     * differ with the batch size in the convolution kernels) — and the dense layers' backward pass, which computes a
     * weight gradient as large as the layer whatever the batch, runs once instead of once per image.
     *
     * @param inputs  preprocessed images, {@code [n, height, width, channels]} (NHWC)
     * @param classes the class to explain for each image
     * @return the maps, in the images' order
     */
    public synchronized List<HeatMap> maps(INDArray inputs, int[] classes) {
        LayerGradient g = gradient(inputs, classes);
        INDArray a = g.activations();
        long n = a.size(0);
        long h = a.size(1);
        long w = a.size(2);
        long c = a.size(3);
        double[][] weights = g.gradient().mean(1, 2).toDoubleMatrix();
        double[] av = a.dup('c').reshape(n * h * w * c).toDoubleVector();
        double[] logits = g.logits();
        List<HeatMap> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[][] heat = new double[(int) h][(int) w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    long base = ((i * h + y) * w + x) * c;
                    for (int k = 0; k < c; k++) {
                        s += weights[i][k] * av[(int) (base + k)];
                    }
                    heat[y][x] = Math.max(0, s);
                }
            }
            out.add(new HeatMap(heat, logits[i]));
        }
        return out;
    }

    /**
     * The activations of the layer and the gradient of a class's logit with respect to them.
     *
     * @param activations {@code [n, h, w, c]}
     * @param gradient    {@code [n, h, w, c]}: image {@code i}'s class logit's gradient in row {@code i}
     * @param logits      each image's class logit
     */
    public record LayerGradient(INDArray activations, INDArray gradient, double[] logits) {
        /** @return the first image's class logit */
        public double logit() {
            return logits[0];
        }
    }

    /**
     * @param input      one preprocessed image (NHWC)
     * @param classIndex the class
     * @return the layer's activations and the logit's gradient with respect to them
     */
    public synchronized LayerGradient gradient(INDArray input, int classIndex) {
        return gradient(input, new int[] {classIndex});
    }

    private LayerGradient gradient(INDArray input, int[] classes) {
        if (classes.length != input.size(0)) {
            throw new IllegalArgumentException(classes.length + " classes for " + input.size(0) + " images");
        }
        Map<String, INDArray> acts = copy.feedForward(new INDArray[] {input}, false, false);
        INDArray logits = acts.get(copy.getConfiguration().getNetworkOutputs().get(0));
        INDArray eps = Nd4j.zeros(logits.dataType(), logits.shape());
        double[] classLogits = new double[classes.length];
        for (int i = 0; i < classes.length; i++) {
            eps.putScalar(i, classes[i], 1.0);
            classLogits[i] = logits.getDouble(i, classes[i]);
        }
        // the backward pass walked by hand, from the output down to the layer: ComputationGraph.backpropGradient
        // clears the vertices' errors when it is done, so the error at the layer cannot be read afterwards
        GraphVertex[] vertices = copy.getVertices();
        INDArray[] error = new INDArray[vertices.length];
        int target = copy.getVertex(layer).getVertexIndex();
        error[copy.getVertex(copy.getConfiguration().getNetworkOutputs().get(0)).getVertexIndex()] = eps;
        int[] order = copy.topologicalSortOrder();
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        for (int t = order.length - 1; t >= 0 && order[t] != target; t--) {
            GraphVertex v = vertices[order[t]];
            if (error[order[t]] == null || v.isInputVertex()) {
                continue;
            }
            v.setEpsilon(error[order[t]]);
            INDArray[] down = v.doBackward(false, mgr).getSecond();
            VertexIndices[] inputs = v.getInputVertices();
            for (int i = 0; i < inputs.length; i++) {
                int from = inputs[i].getVertexIndex();
                if (down[i] != null) {
                    error[from] = error[from] == null ? down[i].dup() : error[from].add(down[i]);
                }
            }
        }
        INDArray grad = error[target];
        if (grad == null) {
            throw new IllegalStateException("no gradient reached layer " + layer);
        }
        return new LayerGradient(acts.get(layer).dup(), grad, classLogits);
    }

    /** @return the layer's activations for an input, for checks */
    synchronized INDArray activations(INDArray input) {
        return copy.feedForward(new INDArray[] {input}, false, true).get(layer).dup();
    }

    /** @return the copy's logits for an input, for checks */
    INDArray logits(INDArray input) {
        return copy.outputSingle(false, input).castTo(DataType.DOUBLE);
    }
}
