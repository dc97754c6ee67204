package org.finetune4j.train;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Counts the correct predictions of a training step's own forward pass, so that the training accuracy costs no
 * second pass through the network (an inference pass per batch doubled the time of a step with a frozen backbone).
 *
 * <p>DL4J hands a listener the activations of every layer but the output layer during {@code fit}; the output
 * layer's scores are computed here from its input ({@code x·W + b}; the arg-max of the scores is the arg-max of the
 * softmax). So the accuracy is that of the network as it is trained: before this step's update, with batch
 * normalisation on batch statistics and dropout on in the hidden layers, the output layer's own input dropout
 * excepted.
 * <pre>{@code
 * TrainingAccuracy acc = TrainingAccuracy.attach(graph);
 * acc.expect(batch.getLabels()); graph.fit(batch); long hits = acc.hits();
 * acc.detach();
 * }</pre>
 */
final class TrainingAccuracy extends BaseTrainingListener {

    private final ComputationGraph graph;
    private final String outputLayer;
    private final String input;
    private final InputPreProcessor preProcessor;
    private INDArray labels;
    private long hits = -1;

    private TrainingAccuracy(ComputationGraph graph) {
        this.graph = graph;
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<String> outputs = conf.getNetworkOutputs();
        if (outputs.size() != 1) {
            throw new IllegalArgumentException("expected one output layer, found " + outputs);
        }
        outputLayer = outputs.get(0);
        List<String> inputs = conf.getVertexInputs().get(outputLayer);
        GraphVertex vertex = conf.getVertices().get(outputLayer);
        if (inputs == null || inputs.size() != 1 || !(vertex instanceof LayerVertex lv)) {
            throw new IllegalArgumentException("output " + outputLayer + ": expected a layer with one input");
        }
        input = inputs.get(0);
        preProcessor = lv.getPreProcessor();
    }

    /** @return a listener added to the graph's listeners */
    static TrainingAccuracy attach(ComputationGraph graph) {
        TrainingAccuracy a = new TrainingAccuracy(graph);
        graph.addListeners(a);
        return a;
    }

    /** Removes this listener from the graph. */
    void detach() {
        graph.getListeners().remove(this);
    }

    /** @param oneHot the labels of the batch about to be fitted */
    void expect(INDArray oneHot) {
        this.labels = oneHot;
        this.hits = -1;
    }

    /**
     * @return correct predictions of the last fitted batch
     * @throws IllegalStateException if no forward pass was seen since {@link #expect}
     */
    long hits() {
        if (hits < 0) {
            throw new IllegalStateException("no training forward pass was seen for the batch");
        }
        return hits;
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        INDArray x = activations.get(input);
        if (x == null || labels == null) {
            return;
        }
        if (preProcessor != null) {
            x = preProcessor.preProcess(x, (int) x.size(0), LayerWorkspaceMgr.noWorkspaces());
        }
        Layer out = graph.getLayer(outputLayer);
        INDArray scores = x.mmul(out.getParam("W")).addiRowVector(out.getParam("b"));
        hits = TrainingLoop.correct(scores, labels);
    }
}
