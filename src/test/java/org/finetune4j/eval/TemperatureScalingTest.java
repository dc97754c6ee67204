package org.finetune4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.RunInfo;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TemperatureScalingTest {

    @TempDir
    Path tmp;

    @Test
    void theFoldedBundleGivesSoftmaxOfTheLogitsDividedByT() {
        ComputationGraph g = TestBundles.tinyVgg(4, false).build(4);
        Nd4j.getRandom().setSeed(7);
        INDArray in = Nd4j.rand(DataType.FLOAT, 6, 16, 16, 3);
        // The logits, computed from the output layer's input and its W and b.
        String out = g.getConfiguration().getNetworkOutputs().get(0);
        String below = g.getConfiguration().getVertexInputs().get(out).get(0);
        INDArray h = g.feedForward(in, false).get(below);
        INDArray w = g.getLayer(out).getParam("W").dup();
        INDArray b = g.getLayer(out).getParam("b").dup();
        double[][] logits = h.mmul(w).addiRowVector(b).toDoubleMatrix();
        double t = 2.7;
        TemperatureScaling.fold(g, t);
        ModelBundle meta = new ModelBundle(ModelBundle.FORMAT_VERSION, "t", List.of("a", "b", "c", "d"),
                Preprocessing.vgg(TestBundles.INPUT), new ModelBundle.Origin("tiny", null, null, "scratch", null),
                ModelBundle.DataOrigin.none(), Map.of("temperature", t), RunInfo.current(1), null);
        BundleStore.save(tmp.resolve("b"), g, meta);
        double[][] after = BundleStore.load(tmp.resolve("b")).graph().outputSingle(in).toDoubleMatrix();
        for (int i = 0; i < after.length; i++) {
            assertThat(after[i]).containsExactly(CalibrationTest.softmax(logits[i], t), within(1e-5));
            double[] plain = CalibrationTest.softmax(logits[i], 1);
            assertThat(Math.abs(after[i][0] - plain[0]) + Math.abs(after[i][1] - plain[1]))
                    .as("the temperature changes the probabilities").isGreaterThan(1e-3);
        }
    }

    @Test
    void refusesANonPositiveTemperature() {
        ComputationGraph g = TestBundles.tinyVgg(2, false).build(2);
        assertThatThrownBy(() -> TemperatureScaling.fold(g, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperature 0.0");
    }
}
