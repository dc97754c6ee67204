package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.finetune4j.core.UsageException;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Dl4jZooWeightsTest {

    @TempDir
    Path tmp;

    private static VggArchitecture tiny() {
        return TestBundles.tinyVgg(5, false);
    }

    @Test
    void aZooStyleZipLoadsWithItsWeightsLaidOutNhwc() throws Exception {
        // DL4J's zoo networks are NCHW
        ComputationGraph g = tiny().build(4, CNN2DFormat.NCHW);
        Path zip = tmp.resolve("tiny_dl4j_inference.zip");
        ModelSerializer.writeModel(g, zip.toFile(), false);
        ComputationGraph loaded = Dl4jZooWeights.load(zip, tiny());
        assertThat(Layout.of(loaded.getConfiguration())).isEqualTo(CNN2DFormat.NHWC);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
        assertThat(loaded.outputSingle(x.permute(0, 2, 3, 1).dup()).ravel().toDoubleVector())
                .containsExactly(g.outputSingle(x).ravel().toDoubleVector(), within(1e-6));
    }

    @Test
    void aZipOfAnotherArchitectureIsRejectedNamingTheMissingLayers() throws Exception {
        Path zip = tmp.resolve("other.zip");
        ModelSerializer.writeModel(tiny().build(4), zip.toFile(), false);
        VggArchitecture deeper = new VggArchitecture("deeper", new InputShape(16, 16, 3), new int[] {1, 2},
                new int[] {4, 8}, new int[] {16}, 5, false, org.nd4j.linalg.activations.Activation.RELU,
                org.deeplearning4j.nn.weights.WeightInit.RELU);
        assertThatThrownBy(() -> Dl4jZooWeights.load(zip, deeper)).isInstanceOf(UsageException.class)
                .hasMessageContaining("[block2_conv2]");
    }

    @Test
    void aNonZipIsAClearError() throws Exception {
        Path bad = java.nio.file.Files.writeString(tmp.resolve("x.zip"), "not a zip");
        assertThatThrownBy(() -> Dl4jZooWeights.load(bad, tiny())).isInstanceOf(UsageException.class);
    }
}
