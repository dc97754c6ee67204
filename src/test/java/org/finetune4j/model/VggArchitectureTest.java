package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.UsageException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class VggArchitectureTest {

    @Test
    void vgg16HasTheKerasLayerNamesShapesAndParameterCountWithoutAllocatingIt() {
        VggArchitecture a = VggArchitecture.vgg16(1000);
        List<LayerInfo> layers = LayerInfo.of(a.configuration(1), InputType.convolutional(224, 224, 3));
        assertThat(layers).extracting(LayerInfo::name).containsExactly("input_1", "block1_conv1", "block1_conv2",
                "block1_pool", "block2_conv1", "block2_conv2", "block2_pool", "block3_conv1", "block3_conv2",
                "block3_conv3", "block3_pool", "block4_conv1", "block4_conv2", "block4_conv3", "block4_pool",
                "block5_conv1", "block5_conv2", "block5_conv3", "block5_pool", "flatten", "fc1", "fc2",
                "predictions");
        assertThat(layers).filteredOn(l -> l.name().equals("block5_pool")).singleElement()
                .extracting(LayerInfo::outputShape).isEqualTo("512x7x7");
        assertThat(layers).filteredOn(l -> l.name().equals("fc1")).singleElement()
                .extracting(LayerInfo::params).isEqualTo(25088L * 4096 + 4096);
        // the published parameter count of VGG16 (Simonyan & Zisserman; Keras summary)
        assertThat(layers.stream().mapToLong(LayerInfo::params).sum()).isEqualTo(138_357_544L);
    }

    @Test
    void vgg19AddsAFourthConvolutionToBlocksThreeToFive() {
        List<String> names = VggArchitecture.vgg19(1000).layerNames();
        assertThat(names).contains("block3_conv4", "block4_conv4", "block5_conv4");
        assertThat(LayerInfo.of(VggArchitecture.vgg19(1000).configuration(1), InputType.convolutional(224, 224, 3))
                .stream().mapToLong(LayerInfo::params).sum()).isEqualTo(143_667_240L);
    }

    @Test
    void miniVggBuildsRunsAndNamesLikeVgg() {
        ComputationGraph g = VggArchitecture.miniVgg(64, 20, true).build(42);
        assertThat(g.getVertex("block4_pool")).isNotNull();
        assertThat(g.getVertex("block1_conv1_bn")).isNotNull();
        INDArray out = g.outputSingle(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 64, 64, 3));
        assertThat(out.shape()).containsExactly(2, 20);
        assertThat(out.sum(1).getDouble(0)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void sameSeedSameWeights() {
        ComputationGraph a = VggArchitecture.miniVgg(32, 3, false).build(7);
        ComputationGraph b = VggArchitecture.miniVgg(32, 3, false).build(7);
        ComputationGraph c = VggArchitecture.miniVgg(32, 3, false).build(8);
        assertThat(a.params()).isEqualTo(b.params());
        assertThat(a.params()).isNotEqualTo(c.params());
    }

    @Test
    void inputSizeThatDoesNotFitThePoolingIsAUsageError() {
        assertThatThrownBy(() -> VggArchitecture.miniVgg(60, 3, false)).isInstanceOf(UsageException.class)
                .hasMessageContaining("multiple of 16").hasMessageContaining("64");
    }

    @Test
    void batchNormalisedBlocksAreNonLinear() {
        // DL4J's BatchNormalization ignores .activation(...): the ReLU must come from its own layer
        ComputationGraph g = VggArchitecture.miniVgg(32, 3, true).build(5);
        java.util.Map<String, INDArray> acts = g.feedForward(
                Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 32, 32, 3), false);
        INDArray act = acts.get("block1_conv1_act");
        assertThat(act.minNumber().doubleValue()).isGreaterThanOrEqualTo(0);
        // about half the normalised values are cut to zero by the ReLU
        double zeros = act.eq(0).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).meanNumber().doubleValue();
        assertThat(zeros).isBetween(0.2, 0.8);
    }
}
