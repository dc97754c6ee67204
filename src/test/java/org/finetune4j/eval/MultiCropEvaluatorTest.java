package org.finetune4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.testing.TestImages;
import org.finetune4j.testing.TestMats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MultiCropEvaluatorTest {

    @TempDir
    Path tmp;

    /** 6×6 input, short side 8, no normalisation: a 10×8 or 12×8 image is cropped without resampling. */
    private static final Preprocessing PRE = new Preprocessing(new InputShape(6, 6, 3), 8,
            Preprocessing.ChannelOrder.BGR, new Preprocessing.MeanStd(new double[] {0, 0, 0}, new double[] {1, 1, 1}));

    /**
     * A stub network with known outputs: it reads the blue value v of a crop's top-left pixel (= the x it came from
     * in a coordinates image) and answers p = [(v + 1) / 12, 1 - (v + 1) / 12].
     */
    private static final UnaryOperator<INDArray> STUB = in -> {
        int n = (int) in.size(0);
        INDArray out = Nd4j.create(DataType.FLOAT, n, 2);
        for (int i = 0; i < n; i++) {
            double p = (in.getDouble(i, 0, 0, 0) + 1) / 12;
            out.putScalar(i, 0, p);
            out.putScalar(i, 1, 1 - p);
        }
        return out;
    };

    private List<LabeledImage> images() {
        List<LabeledImage> out = new ArrayList<>();
        int[][] sizes = {{10, 8}, {12, 8}};
        for (int i = 0; i < sizes.length; i++) {
            Path f = tmp.resolve("img" + i + ".png");
            try (Mat m = TestMats.coordinates(sizes[i][0], sizes[i][1])) {
                opencv_imgcodecs.imwrite(f.toString(), m);
            }
            out.add(new LabeledImage(f, "c" + i + "/img" + i + ".png", i));
        }
        out.add(new LabeledImage(TestImages.empty(tmp.resolve("bad.png")), "c0/bad.png", 0));
        return out;
    }

    private static double p0(int v) {
        return (v + 1) / 12.0;
    }

    @Test
    void tenCropAveragesTheStubsKnownProbabilitiesAndReportsTheCentreCropFromTheSamePass() {
        // top-left blue values of the ten crops: centre, its mirror, then each corner and its mirror (mirror adds 5)
        int[][] v = {{2, 7, 0, 5, 4, 9, 0, 5, 4, 9}, {3, 8, 0, 5, 6, 11, 0, 5, 6, 11}};
        for (int batch : new int[] {1, 3, 10, 64}) {
            MultiCropEvaluator ev = new MultiCropEvaluator(PRE, CropProtocolLoader.load("ten-crop"),
                    MultiCropEvaluator.Averaging.PROBABILITIES, batch);
            Evaluation e = ev.evaluate(images(), List.of("a", "b"), ImageDecoder.defaults(), STUB, () -> { });
            assertThat(e.images()).hasSize(2);
            assertThat(e.badImages()).singleElement().satisfies(b -> assertThat(b.relativePath())
                    .isEqualTo("c0/bad.png"));
            for (int i = 0; i < 2; i++) {
                double mean = 0;
                for (int x : v[i]) {
                    mean += p0(x) / 10;
                }
                Evaluation.ImageResult r = e.images().get(i);
                assertThat(r.probabilities()[0]).as("batch %d image %d", batch, i).isCloseTo(mean, within(1e-6));
                assertThat(r.probabilities()[1]).isCloseTo(1 - mean, within(1e-6));
                assertThat(r.centerProbabilities()[0]).isCloseTo(p0(v[i][0]), within(1e-6));
            }
            // image 0 (class a): mean p0 = 50/120 < 0.5 -> b, wrong; centre 3/12 -> b, wrong
            // image 1 (class b): mean p0 = 65/120 > 0.5 -> a, wrong; centre 4/12 -> b, right
            assertThat(e.protocolMetrics().top1()).isEqualTo(0.0);
            assertThat(e.centerMetrics().top1()).isEqualTo(0.5);
            assertThat(e.mostConfidentlyWrong(5)).extracting(Evaluation.ImageResult::relativePath)
                    .containsExactly("c0/img0.png", "c1/img1.png");   // 70/120 for b beats 65/120 for a
        }
    }

    @Test
    void logProbabilityAveragingIsTheRenormalisedGeometricMean() {
        MultiCropEvaluator ev = new MultiCropEvaluator(PRE, CropProtocolLoader.load("ten-crop"),
                MultiCropEvaluator.Averaging.LOG_PROBABILITIES, 4);
        Evaluation e = ev.evaluate(images(), List.of("a", "b"), ImageDecoder.defaults(), STUB, () -> { });
        int[] v = {2, 7, 0, 5, 4, 9, 0, 5, 4, 9};
        double la = 0;
        double lb = 0;
        for (int x : v) {
            la += Math.log(p0(x)) / 10;
            lb += Math.log(1 - p0(x)) / 10;
        }
        double expected = Math.exp(la) / (Math.exp(la) + Math.exp(lb));
        assertThat(e.images().get(0).probabilities()[0]).isCloseTo(expected, within(1e-6));
        assertThat(e.averaging()).isEqualTo("log-probs");
    }

    @Test
    void averageOfKnownRows() {
        double[][] rows = {{0.5, 0.25, 0.25}, {0.1, 0.8, 0.1}};
        assertThat(MultiCropEvaluator.average(rows, MultiCropEvaluator.Averaging.PROBABILITIES))
                .containsExactly(new double[] {0.3, 0.525, 0.175}, within(1e-12));
        double[] g = {Math.sqrt(0.05), Math.sqrt(0.2), Math.sqrt(0.025)};
        double s = g[0] + g[1] + g[2];
        assertThat(MultiCropEvaluator.average(rows, MultiCropEvaluator.Averaging.LOG_PROBABILITIES))
                .containsExactly(new double[] {g[0] / s, g[1] / s, g[2] / s}, within(1e-12));
    }

    @Test
    void theCenterProtocolForwardsOneCropPerImageAndIsItsOwnCentreResult() {
        List<Integer> batchRows = new ArrayList<>();
        MultiCropEvaluator ev = new MultiCropEvaluator(PRE, CropProtocolLoader.load("center"),
                MultiCropEvaluator.Averaging.PROBABILITIES, 16);
        Evaluation e = ev.evaluate(images(), List.of("a", "b"), ImageDecoder.defaults(), in -> {
            batchRows.add((int) in.size(0));
            return STUB.apply(in);
        }, () -> { });
        assertThat(batchRows).containsExactly(1, 2);   // the warm-up pass, then both images in one batch
        assertThat(e.images().get(1).probabilities()).containsExactly(e.images().get(1).centerProbabilities());
        assertThat(e.images().get(1).probabilities()[0]).isCloseTo(p0(3), within(1e-6));
    }
}
