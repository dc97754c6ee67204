package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.finetune4j.core.UsageException;
import org.finetune4j.testing.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Loads the tiny Keras-format fixture of {@code src/test/resources/keras/} (made by {@code make_tiny_vgg_fixture.py},
 * which also computed the expected outputs with NumPy) and compares DL4J's forward pass with NumPy's.
 */
class KerasVggWeightsTest {

    private static final double TOLERANCE = 1e-5;
    private static final long SEED = 42;

    @TempDir
    Path tmp;

    /** The fixture's network: 16×12×3 input, blocks of 1 and 2 convolutions (4, 8 channels), fc 16, 12, 5 classes. */
    private static VggArchitecture tiny(int[] convsPerBlock, int[] channels, int classes) {
        return new VggArchitecture("tiny-vgg", new InputShape(16, 12, 3), convsPerBlock, channels,
                new int[] {16, 12}, classes, false, Activation.RELU, WeightInit.RELU);
    }

    private static VggArchitecture tiny() {
        return tiny(new int[] {1, 2}, new int[] {4, 8}, 5);
    }

    private static Path resource(String name) {
        try {
            return Path.of(KerasVggWeightsTest.class.getResource("/keras/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static INDArray npy(String name) {
        return Nd4j.createFromNpyFile(resource(name).toFile());
    }

    /** The fixture input, NHWC in the file as in the network. */
    private static INDArray input() {
        return npy("tiny_vgg_input.npy");
    }

    private static Map<String, INDArray> activations(ComputationGraph graph) {
        return graph.feedForward(input(), false);
    }

    private static double maxAbsDiff(INDArray actual, INDArray expected) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        return Transforms.abs(actual.castTo(expected.dataType()).sub(expected)).maxNumber().doubleValue();
    }

    @Test
    void fullFileReproducesTheNumpyForwardPass() {
        ComputationGraph graph = KerasVggWeights.load(resource("tiny_vgg_weights_tf_dim_ordering_tf_kernels.h5"),
                tiny(), SEED);

        Map<String, INDArray> acts = activations(graph);

        assertThat(maxAbsDiff(acts.get("block2_pool"), npy("tiny_vgg_block2_pool.npy"))).isLessThan(TOLERANCE);
        assertThat(maxAbsDiff(acts.get("fc2"), npy("tiny_vgg_fc2.npy"))).isLessThan(TOLERANCE);
        assertThat(maxAbsDiff(acts.get("predictions"), npy("tiny_vgg_predictions.npy"))).isLessThan(TOLERANCE);
        assertThat(maxAbsDiff(graph.outputSingle(input()), npy("tiny_vgg_predictions.npy"))).isLessThan(TOLERANCE);
    }

    @Test
    void fc1RowsKeepKerasFlattenOrderWhichTheNhwcFlattenShares() {
        ComputationGraph graph = KerasVggWeights.load(resource("tiny_vgg_weights_tf_dim_ordering_tf_kernels.h5"),
                tiny(), SEED);
        // with fc1's rows in the (c, h, w) order an NCHW flatten would need, fc2 would differ from NumPy's by far
        // more than the tolerance: the row order matters and the loaded one is right
        INDArray fc1 = graph.getLayer("fc1").getParam("W");
        INDArray chw = fc1.reshape('c', 4, 3, 8, 16).permute(2, 0, 1, 3).dup('c').reshape('c', 96, 16);
        graph.getLayer("fc1").setParam("W", chw);

        assertThat(maxAbsDiff(activations(graph).get("fc2"), npy("tiny_vgg_fc2.npy"))).isGreaterThan(1e-2);
    }

    @Test
    void keras2LayoutLoadsTheSameWeights() {
        ComputationGraph keras1 = KerasVggWeights.load(resource("tiny_vgg_weights_tf_dim_ordering_tf_kernels.h5"),
                tiny(), SEED);
        ComputationGraph keras2 = KerasVggWeights.load(resource("tiny_vgg_weights_keras2_layout.h5"), tiny(), 7);

        assertThat(keras2.params()).isEqualTo(keras1.params());
        assertThat(maxAbsDiff(keras2.outputSingle(input()), npy("tiny_vgg_predictions.npy"))).isLessThan(TOLERANCE);
    }

    @Test
    void notopFileLoadsConvolutionsOnlyAndLeavesTheHeadInitialised() {
        VggArchitecture architecture = tiny();
        ComputationGraph fresh = architecture.build(SEED);
        ComputationGraph graph = architecture.build(SEED);

        List<String> loaded = KerasVggWeights.copyInto(
                resource("tiny_vgg_weights_tf_dim_ordering_tf_kernels_notop.h5"), architecture, graph);

        assertThat(loaded).containsExactly("block1_conv1", "block2_conv1", "block2_conv2");
        INDArray pool = npy("tiny_vgg_block2_pool.npy");
        assertThat(maxAbsDiff(activations(graph).get("block2_pool"), pool)).isLessThan(TOLERANCE);
        for (String head : List.of("fc1", "fc2", "predictions")) {
            assertThat(graph.getLayer(head).params()).as(head).isEqualTo(fresh.getLayer(head).params());
        }
        assertThat(graph.getLayer("block1_conv1").params()).isNotEqualTo(fresh.getLayer("block1_conv1").params());
    }

    @Test
    void fullFileLoadsEveryLayer() {
        ComputationGraph graph = tiny().build(SEED);

        List<String> loaded = KerasVggWeights.copyInto(resource("tiny_vgg_weights_tf_dim_ordering_tf_kernels.h5"),
                tiny(), graph);

        assertThat(loaded).containsExactly("block1_conv1", "block2_conv1", "block2_conv2", "fc1", "fc2",
                "predictions");
    }

    @Test
    void wrongShapeNamesTheLayerAndBothShapes() {
        Path file = resource("tiny_vgg_weights_tf_dim_ordering_tf_kernels.h5");

        assertThatThrownBy(() -> KerasVggWeights.load(file, tiny(new int[] {1, 2}, new int[] {4, 6}, 5), SEED))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining(file + " layer block2_conv1: kernel has the wrong shape. "
                        + "Expected [3, 3, 4, 6]; received [3, 3, 4, 8].");
        assertThatThrownBy(() -> KerasVggWeights.load(file, tiny(new int[] {1, 2}, new int[] {4, 8}, 7), SEED))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("layer predictions: kernel has the wrong shape. Expected [12, 7]; "
                        + "received [12, 5].");
    }

    @Test
    void missingLayerIsNamed() {
        Path file = resource("tiny_vgg_weights_tf_dim_ordering_tf_kernels.h5");

        assertThatThrownBy(() -> KerasVggWeights.load(file, tiny(new int[] {1, 3}, new int[] {4, 8}, 5), SEED))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith(file + ": no weights for block2_conv3 of tiny-vgg.")
                .hasMessageContaining("received weights for block1_conv1, block2_conv1, block2_conv2, fc1, fc2, "
                        + "predictions");
    }

    @Test
    void layerTheArchitectureLacksIsNamed() {
        Path file = resource("tiny_vgg_weights_tf_dim_ordering_tf_kernels.h5");

        assertThatThrownBy(() -> KerasVggWeights.load(file, tiny(new int[] {1, 1}, new int[] {4, 8}, 5), SEED))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith(file + ": has weights for block2_conv2, which tiny-vgg does not have.");
    }

    @Test
    @Slow
    void realKerasVgg16WeightsLoadWhenAlreadyCached() {
        WeightsCache cache = WeightsCache.defaults();
        WeightsSource source = WeightsSource.kerasVgg16(true);
        Path file = cache.pathOf(source);
        assumeTrue(Files.isRegularFile(file), "needs " + file + " (downloaded by an earlier run or placed by hand)");

        // verified, not fetch: a test never downloads
        ComputationGraph vgg16 = KerasVggWeights.load(WeightsCache.verified(file, source), VggArchitecture.vgg16(1000),
                SEED);
        // the ImageNet mean image: zeros after VGG's BGR mean subtraction
        INDArray probabilities = vgg16.outputSingle(Nd4j.zeros(DataType.FLOAT, 2, 224, 224, 3));

        assertThat(probabilities.shape()).containsExactly(2, 1000);
        assertThat(probabilities.sum(1).toDoubleVector()).containsExactly(new double[] {1, 1}, within(1e-4));
    }

    @Test
    void rejectsATruncatedFile() throws IOException {
        byte[] whole = Files.readAllBytes(resource("tiny_vgg_weights_tf_dim_ordering_tf_kernels.h5"));
        Path cut = Files.write(tmp.resolve("cut.h5"), Arrays.copyOf(whole, whole.length / 2));

        assertThatThrownBy(() -> KerasVggWeights.load(cut, tiny(), SEED))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith(cut + ": cannot read as HDF5")
                .hasMessageContaining("Download it again and check its checksum.");
    }

    @Test
    void rejectsMissingAndNonHdf5Files() throws IOException {
        Path zip = Files.write(tmp.resolve("vgg16_dl4j_inference.zip"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0});

        assertThatThrownBy(() -> KerasVggWeights.load(zip, tiny(), SEED))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith(zip + ": not an HDF5 file.");
        assertThatThrownBy(() -> KerasVggWeights.load(tmp.resolve("absent.h5"), tiny(), SEED))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("absent.h5: no such file.");
    }
}
