package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GradCamTest {

    /** The tiny VGG in float64 with block 1 frozen, as a fine-tuned bundle has it. */
    private static ComputationGraph tinyNetwork(boolean batchNorm) {
        ComputationGraph g = TestBundles.tinyVgg(3, batchNorm).build(5);
        return new TransferLearning.GraphBuilder(g).fineTuneConfiguration(new FineTuneConfiguration.Builder()
                .seed(1L).build()).setFeatureExtractor("block1_pool").build().convertDataType(DataType.DOUBLE);
    }

    private static INDArray image(long seed) {
        SplittableRandom rng = Seeds.of(seed).stream("image");
        double[] v = new double[16 * 16 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextGaussian();
        }
        return Nd4j.create(v, new long[] {1, 16, 16, 3}, DataType.DOUBLE);
    }

    @Test
    void theCopysLogitsGiveTheNetworksProbabilities() {
        ComputationGraph net = tinyNetwork(true);
        GradCam cam = GradCam.of(net, null, TestBundles.INPUT);
        INDArray x = image(1);
        INDArray p = net.outputSingle(false, x);
        INDArray logits = cam.logits(x);
        INDArray softmax = Nd4j.nn().softmax(logits, 1);
        for (int k = 0; k < 3; k++) {
            assertThat(softmax.getDouble(0, k)).isCloseTo(p.getDouble(0, k), within(1e-10));
        }
        assertThat(cam.layer()).isEqualTo("block2_conv1_act");
    }

    @Test
    void theLayerGradientMatchesFiniteDifferences() {
        for (boolean batchNorm : new boolean[] {false, true}) {
            ComputationGraph net = tinyNetwork(batchNorm);
            String layer = batchNorm ? "block2_conv1_act" : "block2_conv1";
            GradCam cam = GradCam.of(net, layer, TestBundles.INPUT);
            for (int cls = 0; cls < 3; cls += 2) {
                INDArray x = image(10 + cls);
                GradCam.LayerGradient g = cam.gradient(x, cls);
                assertThat(g.gradient().shape()).isEqualTo(g.activations().shape());
                for (long dir = 0; dir < 2; dir++) {
                    // directional check through the input: d logit ≈ Σ grad · d A, both from forward passes
                    INDArray v = image(100 + dir).muli(1e-6);
                    INDArray plus = x.add(v);
                    INDArray minus = x.sub(v);
                    double dLogit = cam.logits(plus).getDouble(0, cls) - cam.logits(minus).getDouble(0, cls);
                    INDArray dA = cam.activations(plus).sub(cam.activations(minus));
                    double predicted = g.gradient().mul(dA).sumNumber().doubleValue();
                    assertThat(predicted).as("batch norm %s, class %d, direction %d", batchNorm, cls, dir)
                            .isCloseTo(dLogit, within(1e-6 * Math.max(1e-3, Math.abs(dLogit)) + 1e-12));
                }
            }
        }
    }

    @Test
    void theMapIsTheReluOfTheGradientWeightedChannels() {
        GradCam cam = GradCam.of(tinyNetwork(false), "block2_conv1", TestBundles.INPUT);
        INDArray x = image(3);
        GradCam.LayerGradient g = cam.gradient(x, 1);
        GradCam.HeatMap m = cam.map(x, 1);
        long h = g.activations().size(1);
        long w = g.activations().size(2);
        assertThat(m.heat()).hasNumberOfRows((int) h);
        double[] weights = g.gradient().mean(0, 1, 2).toDoubleVector();
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                double s = 0;
                for (int k = 0; k < weights.length; k++) {
                    s += weights[k] * g.activations().getDouble(0, y, xx, k);
                }
                assertThat(m.heat()[y][xx]).isCloseTo(Math.max(0, s), within(1e-12));
            }
        }
    }

    @Test
    void aBatchGivesEachImageItsOwnMap() {
        for (boolean batchNorm : new boolean[] {false, true}) {
            GradCam cam = GradCam.of(tinyNetwork(batchNorm), null, TestBundles.INPUT);
            INDArray[] images = {image(4), image(5), image(6)};
            int[] classes = {2, 0, 2};
            java.util.List<GradCam.HeatMap> maps = cam.maps(Nd4j.concat(0, images), classes);
            assertThat(maps).hasSize(3);
            for (int i = 0; i < 3; i++) {
                GradCam.HeatMap alone = cam.map(images[i], classes[i]);
                assertThat(maps.get(i).logit()).isCloseTo(alone.logit(), within(1e-6 * (1 + Math.abs(alone.logit()))));
                double scale = 1e-6 * (1 + alone.max());
                for (int y = 0; y < alone.heat().length; y++) {
                    for (int x = 0; x < alone.heat()[y].length; x++) {
                        assertThat(maps.get(i).heat()[y][x]).isCloseTo(alone.heat()[y][x], within(scale));
                    }
                }
            }
            // different images and classes give different maps: the rows are not mixed up
            assertThat(maps.get(0).heat()).isNotEqualTo(maps.get(2).heat());
        }
    }

    @Test
    void rejectsALayerWithoutAConvolutionalOutput() {
        assertThatThrownBy(() -> GradCam.of(tinyNetwork(false), "fc1", TestBundles.INPUT))
                .isInstanceOf(UsageException.class).hasMessageContaining("--explain-layer fc1");
    }
}
