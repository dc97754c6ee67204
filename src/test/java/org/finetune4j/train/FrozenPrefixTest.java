package org.finetune4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class FrozenPrefixTest {

    private static ComputationGraph fineTuning(String freezeUntil) {
        ComputationGraph backbone = TestBundles.tinyVgg(3, true).build(4);
        return FineTuner.build(backbone, TestBundles.INPUT, freezeUntil, new HeadSpec(null, List.of(8), "relu", 0.0,
                false), 3, new OptimizerConfig("adam", 1e-2, 0.9, "constant", 0, 0), 5);
    }

    private static INDArray images(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, 6, 16, 16, 3).muli(40);
    }

    private static INDArray boundaryOutput(ComputationGraph whole, String boundary, INDArray x) {
        return whole.output(List.of(boundary), false, new INDArray[] {x}, null)[0];
    }

    @Test
    void theTrainableLayersAloneComputeWhatTheWholeGraphComputes() {
        ComputationGraph whole = fineTuning("block1_pool");
        FrozenPrefix split = FrozenPrefix.of(whole).orElseThrow();
        assertThat(split.boundary()).isEqualTo("block1_pool");
        assertThat(split.trainable().getConfiguration().getNetworkInputs()).containsExactly("block1_pool");
        assertThat(FineTuner.frozenLayers(split.trainable())).as("no frozen layer is in the trainable graph")
                .isEmpty();
        assertThat(split.trainable().getConfiguration().getVertices()).doesNotContainKeys("block1_conv1",
                "block1_pool");
        INDArray x = images(1);
        INDArray expected = whole.outputSingle(false, x);
        INDArray actual = split.trainable().outputSingle(false, boundaryOutput(whole, "block1_pool", x));
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @Test
    void trainingTheTrainableGraphAndCopyingBackChangesOnlyTheTrainableLayersOfTheWholeGraph() {
        ComputationGraph whole = fineTuning("block1_pool");
        float[] frozenBefore = whole.getLayer("block1_conv1").params().toFloatVector();
        float[] headBefore = whole.getLayer("predictions").params().toFloatVector();
        FrozenPrefix split = FrozenPrefix.of(whole).orElseThrow();
        INDArray x = images(2);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
        for (int i = 0; i < 6; i++) {
            y.putScalar(i, i % 3, 1);
        }
        INDArray prefix = boundaryOutput(whole, "block1_pool", x);
        for (int step = 0; step < 3; step++) {
            split.trainable().fit(new DataSet(prefix, y));
        }
        assertThat(whole.getLayer("predictions").params().toFloatVector())
                .as("the trainable layers' parameters exist once: the whole graph sees every step")
                .isNotEqualTo(headBefore)
                .containsExactly(split.trainable().getLayer("predictions").params().toFloatVector());
        split.copyBack();
        assertThat(whole.getLayer("block1_conv1").params().toFloatVector()).containsExactly(frozenBefore);
        assertThat(whole.getLayer("predictions").params().toFloatVector())
                .containsExactly(split.trainable().getLayer("predictions").params().toFloatVector());
        assertThat(whole.getConfiguration().getIterationCount()).isEqualTo(3);
        INDArray viaWhole = whole.outputSingle(false, x);
        INDArray viaSplit = split.trainable().outputSingle(false, prefix);
        assertThat(viaWhole.sub(viaSplit).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @Test
    void nothingFrozenMeansNoSplit() {
        assertThat(FrozenPrefix.of(fineTuning(null))).isEmpty();
        assertThat(FrozenPrefix.boundaryOf(fineTuning("block2_pool"))).contains("block2_pool");
    }
}
