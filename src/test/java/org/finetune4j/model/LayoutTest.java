package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class LayoutTest {

    /** A seeded NCHW batch {@code [n, 3, 16, 16]} (TestBundles' input size). */
    private static INDArray nchwBatch(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, n, 3, 16, 16);
    }

    /** @return one-hot labels of 3 classes, row i of class i % 3 */
    private static INDArray cyclicLabels(int n) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % 3, 1);
        }
        return labels;
    }

    /** @return a 3-class softmax output layer on {@code nIn} inputs */
    private static OutputLayer softmax(int nIn) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nIn).nOut(3)
                .activation(Activation.SOFTMAX).build();
    }

    private static INDArray nhwc(INDArray nchw) {
        return nchw.permute(0, 2, 3, 1).dup('c');
    }

    private static void assertSameOutputs(ComputationGraph nchwGraph, ComputationGraph nhwcGraph, INDArray x) {
        double[] expected = nchwGraph.outputSingle(false, x).ravel().toDoubleVector();
        double[] actual = nhwcGraph.outputSingle(false, nhwc(x)).ravel().toDoubleVector();
        assertThat(actual).containsExactly(expected, within(1e-5));
    }

    @Test
    void networksAreBuiltNhwc() {
        ComputationGraph g = TestBundles.tinyVgg(3, true).build(1);
        assertThat(Layout.of(g.getConfiguration())).isEqualTo(CNN2DFormat.NHWC);
        assertThat(g.outputSingle(Nd4j.rand(DataType.FLOAT, 2, 16, 16, 3)).shape()).containsExactly(2, 3);
        assertThat(Layout.toNhwc(g)).isSameAs(g);
    }

    @Test
    void anNchwNetworkWithBatchNormConvertsToTheSameOutputs() {
        ComputationGraph nchw = TestBundles.tinyVgg(3, true).build(2, CNN2DFormat.NCHW);
        // a few steps so that batch norm's running statistics and the weights are not their initial values
        for (int step = 0; step < 3; step++) {
            nchw.fit(new DataSet(nchwBatch(8, step).mul(3).add(1), cyclicLabels(8)));
        }
        ComputationGraph converted = Layout.toNhwc(nchw);
        assertThat(Layout.of(converted.getConfiguration())).isEqualTo(CNN2DFormat.NHWC);
        assertThat(converted.getLayer("block1_conv1_bn").getParam("mean").ravel().toDoubleVector())
                .containsExactly(nchw.getLayer("block1_conv1_bn").getParam("mean").ravel().toDoubleVector());
        assertSameOutputs(nchw, converted, nchwBatch(4, 99));
        // the flatten feeds fc1 in (h, w, c) order now: its rows were reordered, not copied
        assertThat(converted.getLayer("fc1").getParam("W")).isNotEqualTo(nchw.getLayer("fc1").getParam("W"));
    }

    @Test
    void frozenLayersStayFrozenAndAGlobalPoolingHeadConverts() {
        ComputationGraph base = TestBundles.tinyVgg(3, false).build(3, CNN2DFormat.NCHW);
        ComputationGraph nchw = new TransferLearning.GraphBuilder(base)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().seed(5L).build())
                .setFeatureExtractor("block1_pool")
                .removeVertexAndConnections("predictions").removeVertexAndConnections("fc1")
                .removeVertexAndConnections("flatten")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "block2_pool")
                .addLayer("predictions", softmax(8), "gap")
                .setOutputs("predictions").build();

        ComputationGraph converted = Layout.toNhwc(nchw);

        assertThat(converted.getLayer("block1_conv1")).isInstanceOf(FrozenLayer.class);
        assertThat(converted.getLayer("block2_conv1")).isNotInstanceOf(FrozenLayer.class);
        assertSameOutputs(nchw, converted, nchwBatch(3, 7));
    }

    @Test
    void aBatchNormalisedDenseHeadConvertsUnchanged() {
        ComputationGraph base = TestBundles.tinyVgg(3, false).build(8, CNN2DFormat.NCHW);
        ComputationGraph nchw = new TransferLearning.GraphBuilder(base)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().seed(9L).build())
                .removeVertexAndConnections("predictions")
                .addLayer("head_bn1", new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().nIn(16)
                        .nOut(16).build(), "fc1")
                .addLayer("predictions", softmax(16), "head_bn1")
                .setOutputs("predictions").build();
        nchw.fit(new DataSet(nchwBatch(6, 10), cyclicLabels(6)));   // running statistics of the dense batch norm move

        ComputationGraph converted = Layout.toNhwc(nchw);

        assertSameOutputs(nchw, converted, nchwBatch(5, 11));
    }

    @Test
    void denseRowsMoveFromChwToHwcOrder() {
        long c = 2;
        long h = 3;
        long w = 4;
        INDArray kernel = Nd4j.arange(c * h * w).castTo(DataType.FLOAT).reshape(c * h * w, 1);
        INDArray reordered = Layout.chwRowsToHwc(kernel, new CnnToFeedForwardPreProcessor(h, w, c));
        for (long ci = 0; ci < c; ci++) {
            for (long hi = 0; hi < h; hi++) {
                for (long wi = 0; wi < w; wi++) {
                    long chw = ci * h * w + hi * w + wi;
                    long hwc = (hi * w + wi) * c + ci;
                    assertThat(reordered.getDouble(hwc, 0)).isEqualTo(chw);
                }
            }
        }
    }
}
