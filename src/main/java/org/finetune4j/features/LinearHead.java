package org.finetune4j.features;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.model.Layout;
import org.finetune4j.model.TransferBuild;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The bundle network of features mode: the cut backbone of a {@link FeatureExtractor}, frozen, with one softmax
 * output layer holding a {@link LinearModel}, so that {@code predict} and {@code evaluate} never care which mode
 * made a bundle.
 * <pre>{@code
 * ComputationGraph bundleGraph = LinearHead.attach(extractor, linearModel);
 * }</pre>
 */
public final class LinearHead {

    private LinearHead() {
    }

    /**
     * The bundle network: the cut backbone, frozen, with a softmax output layer holding the linear model.
     *
     * @param extractor the cut backbone
     * @param model     a linear model on this extractor's raw features (preprocessing already folded in)
     * @return a new graph; its output is {@code softmax(W f + b)} for features {@code f}
     */
    public static ComputationGraph attach(FeatureExtractor extractor, LinearModel model) {
        int dimension = extractor.dimension();
        ComputationGraph network = extractor.network();
        String outputVertex = extractor.outputVertex();
        InputType outputType = extractor.outputType();
        if (model.features() != dimension) {
            throw new IllegalArgumentException("model has " + model.features() + " inputs, features have "
                    + dimension);
        }
        String head = network.getConfiguration().getVertices().containsKey("predictions") ? "linear_predictions"
                : "predictions";
        InputPreProcessor pre = outputType instanceof InputType.InputTypeConvolutional c
                ? Layout.flatten(c) : null;
        OutputLayer out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(dimension)
                .nOut(model.classes()).activation(Activation.SOFTMAX).weightInit(WeightInit.ZERO).build();
        TransferLearning.GraphBuilder b = new TransferLearning.GraphBuilder(network)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().seed(FeatureExtractor.configSeed()).build())
                .setFeatureExtractor(outputVertex);
        if (pre != null) {
            b.addLayer(head, out, pre, outputVertex);
        } else {
            b.addLayer(head, out, outputVertex);
        }
        b.setOutputs(head);
        // TransferLearning's build() would hold the cut backbone about three times over (VGG16 at fc2: 0.54 GB)
        ComputationGraph g = TransferBuild.build(b, network, java.util.List.of(head), outputVertex);
        double[][] wt = new double[dimension][model.classes()];
        for (int k = 0; k < model.classes(); k++) {
            for (int j = 0; j < dimension; j++) {
                wt[j][k] = model.weights()[k][j];
            }
        }
        g.getLayer(head).setParam("W", Nd4j.create(wt).castTo(DataType.FLOAT));
        g.getLayer(head).setParam("b", Nd4j.create(new double[][] {model.bias()}).castTo(DataType.FLOAT));
        return g;
    }
}
