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

class TrainingAccuracyTest {

    private static final int N = 24;
    private static final int CLASSES = 3;

    private static DataSet batch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, N, 16, 16, 3).muli(40);
        INDArray y = Nd4j.zeros(DataType.FLOAT, N, CLASSES);
        for (int i = 0; i < N; i++) {
            y.putScalar(i, (i * 7 + (int) seed) % CLASSES, 1);
        }
        return new DataSet(x, y);
    }

    /** Without dropout and batch norm, the training pass predicts what an inference pass before the step does. */
    private static void assertHitsMatchAnInferencePassBeforeTheStep(ComputationGraph graph) {
        TrainingAccuracy accuracy = TrainingAccuracy.attach(graph);
        long total = 0;
        for (long seed = 1; seed <= 4; seed++) {
            DataSet ds = batch(seed);
            long expected = TrainingLoop.correct(graph.outputSingle(false, ds.getFeatures()), ds.getLabels());
            accuracy.expect(ds.getLabels());
            graph.fit(ds);
            assertThat(accuracy.hits()).as("batch " + seed).isEqualTo(expected);
            total += expected;
        }
        assertThat(total).isBetween(1L, 4L * N - 1);   // neither all wrong nor all right: the counts mean something
        accuracy.detach();
        assertThat(graph.getListeners()).doesNotContain(accuracy);
    }

    @Test
    void countsTheTrainingPassPredictionsOfAWholeNetwork() {
        assertHitsMatchAnInferencePassBeforeTheStep(TestBundles.tinyVgg(CLASSES, false).build(3));
    }

    @Test
    void countsThemForAHeadOnAConvolutionalLayerBehindAFrozenBackbone() {
        ComputationGraph backbone = TestBundles.tinyVgg(CLASSES, false).build(4);
        ComputationGraph graph = FineTuner.build(backbone, TestBundles.INPUT, "block1_pool",
                new HeadSpec("block2_pool", List.of(), "relu", 0.0, false), CLASSES,
                new OptimizerConfig("adam", 1e-2, 0.9, "constant", 0, 0), 5);
        assertHitsMatchAnInferencePassBeforeTheStep(graph);
    }
}
