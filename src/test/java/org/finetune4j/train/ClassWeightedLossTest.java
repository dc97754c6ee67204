package org.finetune4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

class ClassWeightedLossTest {

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path tmp;

    private static ComputationGraph graph() {
        ComputationGraph backbone = TestBundles.tinyVgg(3, true).build(4);
        return FineTuner.build(backbone, TestBundles.INPUT, "block1_pool", new HeadSpec(null, List.of(8), "relu", 0.0,
                false), 3, new OptimizerConfig("adam", 1e-2, 0.9, "constant", 0, 0), 5);
    }

    /** Six random images, two of each class. */
    private static DataSet data() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 6, 16, 16, 3).muli(40);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
        for (int i = 0; i < 6; i++) {
            y.putScalar(i, i % 3, 1);
        }
        return new DataSet(x, y);
    }

    @Test
    void everyImagesLossIsMultipliedByItsClassWeight() {
        DataSet ds = data();
        ComputationGraph plain = graph();
        INDArray before = plain.scoreExamples(ds, false);
        ComputationGraph weighted = graph();
        double[] w = {1, 0.5, 3};
        ClassWeightedLoss.apply(weighted, w);
        INDArray after = weighted.scoreExamples(ds, false);
        for (int i = 0; i < 6; i++) {
            assertThat(after.getDouble(i)).as("image %d of class %d", i, i % 3)
                    .isCloseTo(w[i % 3] * before.getDouble(i), within(1e-4 * Math.abs(before.getDouble(i))));
        }
        ClassWeightedLoss.apply(plain, null);
        assertThat(plain.scoreExamples(ds, false)).as("null leaves the loss alone").isEqualTo(before);
    }

    @Test
    void theWeightsTravelWithTheConfigurationIntoTheTrainableLayersAndTheSecondStage() throws Exception {
        ComputationGraph g = graph();
        ClassWeightedLoss.apply(g, new double[] {1, 0.5, 3});
        ComputationGraph trainable = FrozenPrefix.of(g).orElseThrow().trainable();
        ComputationGraph stage2 = FineTuner.unfreezeAbove(g, "block1_pool", new org.nd4j.linalg.learning.config.Adam(
                1e-4));
        for (ComputationGraph c : List.of(trainable, stage2,
                ComputationGraph.load(save(g), false))) {
            LayerVertex v = (LayerVertex) c.getConfiguration().getVertices().get("predictions");
            LossMCXENT loss = (LossMCXENT) ((BaseOutputLayer) v.getLayerConf().getLayer()).getLossFn();
            assertThat(loss.getWeights().toDoubleVector()).containsExactly(1, 0.5, 3);
        }
    }

    private java.io.File save(ComputationGraph g) {
        try {
            java.io.File f = tmp.resolve("weighted.zip").toFile();
            g.save(f, false);
            return f;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
