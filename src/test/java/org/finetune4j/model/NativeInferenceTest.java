package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.finetune4j.core.Backend;
import org.finetune4j.extract.FeatureCache;
import org.finetune4j.extract.FeatureExtractor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class NativeInferenceTest {

    @BeforeAll
    static void backend() {
        Backend.setUp();
    }

    @Test
    void aChainOfConvolutionsAndPoolingsGivesDl4jsOutputsUpToRounding() {
        ComputationGraph g = network(CNN2DFormat.NHWC, false, true);
        try (NativeInference run = NativeInference.of(g)) {
            // every convolution and pooling: padding, stride, dilation, truncation, ReLU, leaky ReLU, no activation,
            // no bias, maximum and average pooling
            assertThat(run.nativeLayers()).isEqualTo(6);
            assertClose(run.output(input(5, 17, CNN2DFormat.NHWC)), g.outputSingle(false, input(5, 17,
                    CNN2DFormat.NHWC)));
        }
    }

    @Test
    void nchwNetworksRunNativelyToo() {
        ComputationGraph g = network(CNN2DFormat.NCHW, false, true);
        try (NativeInference run = NativeInference.of(g)) {
            assertThat(run.nativeLayers()).isEqualTo(6);
            INDArray x = input(3, 17, CNN2DFormat.NCHW);
            assertClose(run.output(x), g.outputSingle(false, x));
        }
    }

    @Test
    void aNetworkThatEndsInTheChainReturnsItsFeatureMaps() {
        ComputationGraph g = network(CNN2DFormat.NHWC, false, false);
        try (NativeInference run = NativeInference.of(g)) {
            assertThat(run.nativeLayers()).isEqualTo(6);
            INDArray x = input(2, 17, CNN2DFormat.NHWC);
            INDArray got = run.output(x);
            INDArray want = g.outputSingle(false, x);
            assertThat(got.shape()).isEqualTo(want.shape());
            assertClose(got, want);
        }
    }

    @Test
    void batchAndImageSizesChangeBetweenCalls() {
        ComputationGraph g = network(CNN2DFormat.NHWC, false, false);
        try (NativeInference run = NativeInference.of(g)) {
            // more shapes than plans kept, then the first again; 16 x 16 pools the last 3 x 3 map with padding
            // oneDNN cannot take from DL4J's truncation at every size
            for (int[] s : new int[][] {{4, 17}, {1, 17}, {3, 16}, {4, 17}, {2, 21}}) {
                INDArray x = input(s[0], s[1], CNN2DFormat.NHWC);
                assertClose(run.output(x), g.outputSingle(false, x));
            }
        }
    }

    @Test
    void batchesLargerThanTheBuffersRunInChunks() {
        ComputationGraph g = network(CNN2DFormat.NHWC, false, true);
        // c1's output, 17 x 17 x 8 floats, is the largest: 3 images per chunk; 7 images run as 3 + 3 + 1 and 6 as
        // 3 + 3, through the same weights
        try (NativeInference run = NativeInference.of(g, 3 * 17 * 17 * 8 * 4)) {
            for (int n : new int[] {7, 6, 1}) {
                INDArray x = input(n, 17, CNN2DFormat.NHWC);
                assertClose(run.output(x), g.outputSingle(false, x));
            }
        }
    }

    @Test
    void afterCloseTheNextCallMakesItsPlansAgain() {
        ComputationGraph g = network(CNN2DFormat.NHWC, false, true);
        try (NativeInference run = NativeInference.of(g)) {
            INDArray x = input(3, 17, CNN2DFormat.NHWC);
            INDArray first = run.output(x);
            run.close();
            assertThat(run.output(x)).isEqualTo(first);
        }
    }

    @Test
    void aNetworkThatDoesNotStartWithAConvolutionRunsThroughDl4jAlone() {
        ComputationGraph g = network(CNN2DFormat.NHWC, true, true);
        try (NativeInference run = NativeInference.of(g)) {
            assertThat(run.nativeLayers()).isZero();
            INDArray x = input(2, 17, CNN2DFormat.NHWC);
            assertThat(run.output(x)).isEqualTo(g.outputSingle(false, x));
        }
    }

    @Test
    void thePropertySwitchesItOff() {
        System.setProperty(NativeInference.DISABLE_PROPERTY, "true");
        try (NativeInference run = NativeInference.of(network(CNN2DFormat.NHWC, false, true))) {
            assertThat(run.nativeLayers()).isZero();
        } finally {
            System.clearProperty(NativeInference.DISABLE_PROPERTY);
        }
    }

    @Test
    void vgg16CutAtFc2GivesDl4jsFeatures(@TempDir Path cacheDir) {
        // cut at fc2 as the features mode cuts it (a softmax output would hide differences)
        ComputationGraph vgg = FeatureExtractor.of(VggArchitecture.vgg16(10).build(11),
                Preprocessing.vgg(new InputShape(224, 224, 3)), "fc2", "none", FeatureCache.of(cacheDir)).network();
        try (NativeInference run = NativeInference.of(vgg)) {
            assertThat(run.nativeLayers()).isEqualTo(18);   // 13 convolutions, 5 poolings
            Nd4j.getRandom().setSeed(5);
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, 224, 224, 3).subi(0.5).muli(200);
            assertClose(run.output(x), vgg.outputSingle(false, x));
        }
    }

    /** Within 1e-4 of the largest magnitude: oneDNN may sum in another order than DL4J's helper. */
    private static void assertClose(INDArray got, INDArray want) {
        assertThat(got.shape()).isEqualTo(want.shape());
        double scale = Math.max(1e-6, want.amaxNumber().doubleValue());
        double diff = got.castTo(DataType.DOUBLE).sub(want.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertThat(diff).isLessThanOrEqualTo(1e-4 * scale);
        assertThat(want.amaxNumber().doubleValue()).isGreaterThan(0.0);
    }

    private static INDArray input(int n, int size, CNN2DFormat format) {
        Nd4j.getRandom().setSeed(n * 31L + size);
        long[] shape = format == CNN2DFormat.NHWC ? new long[] {n, size, size, 3} : new long[] {n, 3, size, size};
        return Nd4j.rand(DataType.FLOAT, shape).subi(0.5).muli(4);
    }

    /**
     * @param batchNormFirst a batch normalization before the first convolution (nothing to run natively)
     * @param head           dense layers and a softmax after the chain; else the chain's last pooling is the output
     */
    private static ComputationGraph network(CNN2DFormat format, boolean batchNormFirst, boolean head) {
        var b = new NeuralNetConfiguration.Builder().seed(3).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(17, 17, 3, format));
        String from = "in";
        if (batchNormFirst) {
            b.addLayer("bn", new BatchNormalization.Builder().nOut(3).dataFormat(format).build(), from);
            from = "bn";
        }
        b.addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(8).convolutionMode(ConvolutionMode.Same)
                        .dataFormat(format).activation(Activation.RELU).build(), from)
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(12).stride(2, 2).padding(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).dataFormat(format)
                        .activation(new ActivationLReLU(0.1)).build(), "c1")
                .addLayer("p1", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .dataFormat(format).build(), "c2")
                .addLayer("c3", new ConvolutionLayer.Builder(3, 3).nOut(16).dilation(2, 2).padding(2, 2)
                        .convolutionMode(ConvolutionMode.Truncate).dataFormat(format).activation(Activation.IDENTITY)
                        .build(), "p1")
                .addLayer("c4", new ConvolutionLayer.Builder(1, 1).nOut(16).hasBias(false).dataFormat(format)
                        .activation(Activation.RELU).build(), "c3")
                .addLayer("p2", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(format).build(), "c4");
        if (head) {
            b.addLayer("fc", new DenseLayer.Builder().nOut(10).activation(Activation.RELU).build(), "p2")
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                            .activation(Activation.SOFTMAX).build(), "fc")
                    .setOutputs("out");
        } else {
            b.setOutputs("p2");
        }
        ComputationGraphConfiguration conf = b.build();
        // the reference is DL4J's own layer code: its oneDNN helper fails on dilated convolutions (it logs an error
        // and falls back to that code anyway)
        return Backend.withHelpers(false, () -> {
            ComputationGraph g = new ComputationGraph(conf);
            g.init();
            return g;
        });
    }
}
