package org.finetune4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class BackendTest {

    private static final long SEED = 12345L;
    private static final int BATCH = 8;
    private static final int CLASSES = 4;

    /*
     * Tolerances for helpers on vs off, as the L2 norm of the difference over the L2 norm of the helpers-off value,
     * per output or per parameter gradient. Both paths compute in float32 (eps 6e-8) and differ only in summation
     * order (oneDNN kernels vs DL4J's im2col + OpenBLAS GEMM; at most 512 terms per sum in this network). Measured on
     * 2 Zen 4 cores, linux-x86_64-onednn: outputs 5e-8, gradients 4e-7..1.5e-6 (largest: conv 0 bias), parameters
     * after 5 SGD steps 3e-7. Outputs get 1e-5 (200x margin). Gradients get 1e-4 (70x): they sum over batch and
     * positions and oneDNN may pick other kernels on other CPUs or thread counts; on VGG16 at 224 x 224 the
     * project notes saw 3e-4 (conv1 weights 1.6e-3), so deep networks need looser bounds than this one.
     */
    private static final double OUTPUT_TOLERANCE = 1e-5;
    private static final double GRADIENT_TOLERANCE = 1e-4;
    private static final double PARAMETER_TOLERANCE = 1e-5;

    @BeforeAll
    static void setUpBackend() {
        Backend.setUp();
    }

    @Test
    void setUpSwitchesHelpersOnUnlessTheUserChose() {
        Properties unset = new Properties();
        Backend.applyDefaults(unset, true);
        assertThat(unset.getProperty(Backend.HELPERS_DISABLE_PROPERTY)).isEqualTo("false");

        Properties userDisabled = new Properties();
        userDisabled.setProperty(Backend.HELPERS_DISABLE_PROPERTY, "true");
        Backend.applyDefaults(userDisabled, true);
        assertThat(userDisabled.getProperty(Backend.HELPERS_DISABLE_PROPERTY)).isEqualTo("true");
    }

    @Test
    void onCudaSetUpLeavesDl4jsDefaultBecauseM21HasNoCudnnHelperClasses() {
        Properties cuda = new Properties();
        Backend.applyDefaults(cuda, false);
        assertThat(cuda.getProperty(Backend.HELPERS_DISABLE_PROPERTY)).isNull();
    }

    @Test
    void cpuBackendPresentMatchesTheBackendThatLoads() {
        assertThat(Backend.cpuBackendPresent()).isEqualTo(Backend.describe().backend().equals("CPU"));
    }

    @Test
    void withHelpersRestoresThePreviousSetting() {
        String before = System.getProperty(Backend.HELPERS_DISABLE_PROPERTY);
        boolean inside = Backend.withHelpers(false, Backend::helpersEnabled);
        assertThat(inside).isFalse();
        assertThat(System.getProperty(Backend.HELPERS_DISABLE_PROPERTY)).isEqualTo(before);
    }

    /**
     * What holds for the build that runs: the default oneDNN natives, the plain build
     * ({@code -Dnd4j.classifier=linux-x86_64}) or either with {@code helpers.disable=true}. The helpers are on unless
     * the user switched them off, and active exactly when they are on and the natives carry oneDNN.
     */
    @Test
    void describeReportsTheLoadedNativeBuildAndWhetherHelpersAreActive() {
        Backend.Status status = Backend.describe();
        assumeTrue(status.backend().equals("CPU"), "oneDNN layer helpers exist only on the CPU backend");
        // set by the user (-D…helpers.disable=true) or left for Backend.setUp, which turns the helpers on
        boolean userDisabled = Boolean.parseBoolean(System.getProperty(Backend.HELPERS_DISABLE_PROPERTY));

        assertThat(status.nativeBuild()).isNotEqualTo("unknown");
        assertThat(status.oneDnnCompiled()).isEqualTo(status.nativeBuild().contains("onednn"));
        assertThat(status.threads()).isPositive();
        assertThat(status.helpersEnabled()).as(status.summary()).isEqualTo(!userDisabled);
        if (status.helpersEnabled()) {
            assertThat(status.helpers()).containsOnlyKeys("convolution", "subsampling", "batch-normalization");
        }
        assertThat(status.helpersActive()).as(status.summary())
                .isEqualTo(status.helpersEnabled() && status.oneDnnCompiled());
    }

    @Test
    void oneDnnHelpersInABuildWithoutOneDnnAreReportedInactive() {
        Map<String, String> mkldnn = Map.of("convolution", "MKLDNNConvHelper");
        Backend.Status plain = new Backend.Status("CPU", "linux-x86_64", false, 2, true, mkldnn);
        Backend.Status onednn = new Backend.Status("CPU", "linux-x86_64-onednn", true, 2, true, mkldnn);

        assertThat(plain.helpersActive()).isFalse();
        assertThat(plain.summary()).contains("convolution=MKLDNNConvHelper (inactive: no oneDNN in this build)");
        assertThat(onednn.helpersActive()).isTrue();
        assertThat(onednn.summary()).doesNotContain("inactive");
    }

    @Test
    void afterSetUpConvolutionPoolingAndBatchNormUseOneDnnHelpers() {
        assumeTrue(Backend.describe().backend().equals("CPU"), "oneDNN layer helpers exist only on the CPU backend");
        assumeTrue(Backend.describe().helpersEnabled(), "the layer helpers were switched off (helpers.disable=true)");

        MultiLayerNetwork net = network();

        assertThat(net.getLayer(0).getHelper()).isInstanceOf(MKLDNNConvHelper.class);
        assertThat(net.getLayer(1).getHelper()).isInstanceOf(MKLDNNBatchNormHelper.class);
        assertThat(net.getLayer(2).getHelper()).isInstanceOf(MKLDNNConvHelper.class);
        assertThat(net.getLayer(3).getHelper()).isInstanceOf(MKLDNNSubsamplingHelper.class);
    }

    @Test
    void helpersOnAndOffGiveTheSameOutputsGradientsAndTrainingSteps() {
        MultiLayerNetwork on = Backend.withHelpers(true, BackendTest::network);
        MultiLayerNetwork off = Backend.withHelpers(false, BackendTest::network);
        assertThat(off.getLayer(0).getHelper()).isNull();
        off.setParams(on.params().dup());
        DataSet batch = batch(7);

        assertThat(relativeDifference(on.output(batch.getFeatures(), false), off.output(batch.getFeatures(), false)))
                .as("inference outputs").isLessThan(OUTPUT_TOLERANCE);

        Map<String, INDArray> gradientsOn = gradients(on, batch);
        Map<String, INDArray> gradientsOff = gradients(off, batch);
        assertThat(gradientsOn).hasSameSizeAs(gradientsOff);
        for (Map.Entry<String, INDArray> gradient : gradientsOn.entrySet()) {
            assertThat(relativeDifference(gradient.getValue(), gradientsOff.get(gradient.getKey())))
                    .as("gradient of %s", gradient.getKey()).isLessThan(GRADIENT_TOLERANCE);
        }

        for (int step = 0; step < 5; step++) {
            on.fit(batch);
            off.fit(batch);
        }
        assertThat(relativeDifference(on.params(), off.params()))
                .as("parameters after 5 SGD steps").isLessThan(PARAMETER_TOLERANCE);
    }

    @Test
    void trainingWithHelpersIsRepeatable() {
        MultiLayerNetwork first = network();
        MultiLayerNetwork second = network();
        DataSet batch = batch(11);
        for (int step = 0; step < 3; step++) {
            first.fit(batch);
            second.fit(batch);
        }
        // INDArray.equals allows a difference of 1e-5; compare bit for bit instead.
        assertThat(first.params().toFloatVector()).containsExactly(second.params().toFloatVector());
    }

    private static Map<String, INDArray> gradients(MultiLayerNetwork net, DataSet batch) {
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        return net.gradient().gradientForVariable();
    }

    private static double relativeDifference(INDArray actual, INDArray expected) {
        double scale = expected.norm2Number().doubleValue();
        double difference = actual.sub(expected).norm2Number().doubleValue();
        return scale == 0 ? difference : difference / scale;
    }

    /** Conv, batch norm, conv, max pool, dense, softmax output on 16 x 16 x 3 input; fixed seed. */
    private static MultiLayerNetwork network() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(SEED).dataType(DataType.FLOAT).updater(new Sgd(0.05)).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(16, 16, 3))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Pixels uniform in [0, 1) from a seeded generator (not ND4J's global RNG); labels cycle through the classes. */
    private static DataSet batch(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] pixels = new float[BATCH * 3 * 16 * 16];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        INDArray labels = Nd4j.zeros(DataType.FLOAT, BATCH, CLASSES);
        for (int i = 0; i < BATCH; i++) {
            labels.putScalar(i, i % CLASSES, 1f);
        }
        return new DataSet(Nd4j.create(pixels, new long[] {BATCH, 3, 16, 16}), labels);
    }
}
