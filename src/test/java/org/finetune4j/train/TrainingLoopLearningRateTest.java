package org.finetune4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * The training loop sets the learning rate only when the graph does not have it already: DL4J's
 * {@code setLearningRate} rebuilds the whole updater (for VGG16's head, two 0.5 GB state arrays allocated and copied).
 * So the rate it reads from the graph must be the one every learning layer has, and NaN whenever it is not one rate.
 */
class TrainingLoopLearningRateTest {

    private static ComputationGraph fineTuned(String freezeUntil, double lr) {
        return FineTuner.build(TestBundles.tinyVgg(5, false).build(4), TestBundles.INPUT, freezeUntil,
                new HeadSpec(null, List.of(8), "relu", 0.0, false), 3,
                new OptimizerConfig("adam", lr, 0.9, "constant", 0, 0), 7);
    }

    @Test
    void theRateOfTheLearningLayersFrozenOnesAside() {
        ComputationGraph g = fineTuned("block1_pool", 1e-3);
        assertThat(TrainingLoop.learningRate(g)).isEqualTo(1e-3);
        g.setLearningRate(5e-4);
        assertThat(TrainingLoop.learningRate(g)).isEqualTo(5e-4);
        assertThat(TrainingLoop.learningRate(fineTuned("fc1", 0.02))).isEqualTo(0.02);
    }

    @Test
    void notOneRateIsNaN() {
        ComputationGraph g = fineTuned("block1_pool", 1e-3);
        g.setLearningRate(new StepSchedule(ScheduleType.ITERATION, 1e-3, 0.5, 10));
        assertThat(TrainingLoop.learningRate(g)).as("a schedule").isNaN();
        ComputationGraph h = fineTuned("block1_pool", 1e-3);
        // (on the layer's configuration: DL4J's own per-layer setLearningRate fails rebuilding the updater's state)
        ((BaseLayer) h.getLayer("predictions").conf().getLayer()).setIUpdater(new Adam(2e-3));
        assertThat(TrainingLoop.learningRate(h)).as("two rates").isNaN();
    }
}
