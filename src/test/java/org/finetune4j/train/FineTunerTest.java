package org.finetune4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link FineTuner#build} assembles the network itself instead of calling {@code TransferLearning}'s {@code build()}
 * (which draws random weights for the whole backbone and then copies it through temporaries): what comes out must be
 * the network {@code TransferLearning} makes, apart from the random draws of the new layers.
 */
class FineTunerTest {

    private static final OptimizerConfig OPTIMIZER = new OptimizerConfig("adam", 1e-2, 0.9, "constant", 0, 0);

    private static FineTuner.Edit edit(ComputationGraph backbone, String freezeUntil, HeadSpec head, long seed) {
        return FineTuner.edit(backbone, TestBundles.INPUT, freezeUntil, head, 3, OPTIMIZER, seed);
    }

    private static HeadSpec head(boolean hidden, boolean batchNorm) {
        return new HeadSpec(null, hidden ? List.of(8) : List.of(), "relu", hidden ? 0.25 : 0.0, batchNorm);
    }

    @ParameterizedTest(name = "frozen to {0}, hidden layer {1}, batch norm {2}")
    @CsvSource({"block1_pool, true, true", "block2_pool, false, false", "fc1, true, false", ", true, false"})
    void theNetworkIsTransferLearningsWithTheBackbonesWeightsAndTheBackboneIsLeftAlone(String freezeUntil,
                                                                                        boolean hidden,
                                                                                        boolean batchNorm) {
        ComputationGraph backbone = TestBundles.tinyVgg(5, true).build(4);
        INDArray backboneBefore = backbone.params().dup();
        HeadSpec head = head(hidden, batchNorm);
        ComputationGraph ours = FineTuner.build(backbone, TestBundles.INPUT, freezeUntil, head, 3, OPTIMIZER, 7);
        ComputationGraph theirs = edit(backbone, freezeUntil, head, 7).builder().build();

        assertThat(ours.getConfiguration().toJson()).isEqualTo(theirs.getConfiguration().toJson());
        assertThat(ours.numParams()).isEqualTo(theirs.numParams());
        assertThat(FineTuner.frozenLayers(ours)).isEqualTo(FineTuner.frozenLayers(theirs));
        List<String> added = edit(backbone, freezeUntil, head, 7).added();
        assertThat(added).contains("predictions");
        for (org.deeplearning4j.nn.api.Layer layer : ours.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            INDArray p = layer.params();
            if (p == null || p.length() == 0) {
                continue;
            }
            if (added.contains(name)) {
                assertThat(p.shape()).as(name).isEqualTo(theirs.getLayer(name).params().shape());
            } else {
                assertThat(p.equals(backbone.getLayer(name).params())).as(name + " holds the backbone's weights")
                        .isTrue();
            }
        }
        assertThat(backbone.params().equals(backboneBefore)).as("the backbone is not modified").isTrue();
        assertThat(org.finetune4j.model.ArrayIO.sharesParameters(ours, backbone)).as("a copy, not a view").isFalse();
    }

    @ParameterizedTest(name = "frozen to {0}")
    @CsvSource({"block1_pool", "fc1"})
    void theNewLayersAreDrawnFromTheSeedLikeDl4jsOwnInitialisationAndTheNetworkTrains(String freezeUntil) {
        ComputationGraph backbone = TestBundles.tinyVgg(5, false).build(4);
        HeadSpec head = head(true, false);
        ComputationGraph a = FineTuner.build(backbone, TestBundles.INPUT, freezeUntil, head, 3, OPTIMIZER, 7);
        ComputationGraph b = FineTuner.build(backbone, TestBundles.INPUT, freezeUntil, head, 3, OPTIMIZER, 7);
        ComputationGraph c = FineTuner.build(backbone, TestBundles.INPUT, freezeUntil, head, 3, OPTIMIZER, 8);
        ComputationGraph theirs = edit(backbone, freezeUntil, head, 7).builder().build();
        assertThat(a.params().equals(b.params())).as("same seed, same network").isTrue();
        assertThat(a.getLayer("head_fc1").params().equals(c.getLayer("head_fc1").params()))
                .as("another seed, other new weights").isFalse();

        // the weights follow the layer's initialisation (RELU: normal with variance 2 / fan-in; biases 0), as DL4J's
        INDArray w = a.getLayer("head_fc1").getParam("W");
        INDArray reference = theirs.getLayer("head_fc1").getParam("W");
        double std = w.stdNumber().doubleValue();
        double referenceStd = reference.stdNumber().doubleValue();
        assertThat(std).isBetween(0.8 * referenceStd, 1.25 * referenceStd);
        assertThat(Math.abs(w.meanNumber().doubleValue())).isLessThan(0.2 * std);
        assertThat(a.getLayer("head_fc1").getParam("b").amaxNumber().doubleValue()).isZero();
        assertThat(a.getLayer("predictions").getParam("W").amaxNumber().doubleValue()).isPositive();

        // and it trains like TransferLearning's network: the frozen layers stay, the others move
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 6, 16, 16, 3).muli(40);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
        for (int i = 0; i < 6; i++) {
            y.putScalar(i, i % 3, 1);
        }
        String frozen = FineTuner.frozenLayers(a).get(0);
        INDArray frozenBefore = a.getLayer(frozen).params().dup();
        INDArray headBefore = a.getLayer("predictions").params().dup();
        for (int i = 0; i < 3; i++) {
            a.fit(new DataSet(x, y));
        }
        assertThat(a.getLayer(frozen).params().equals(frozenBefore)).as(frozen + " is frozen").isTrue();
        assertThat(a.getLayer("predictions").params().equals(headBefore)).as("the head trains").isFalse();
        assertThat(Double.isFinite(a.score())).isTrue();
    }
}
