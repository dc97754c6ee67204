package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.core.Json;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class PreprocessingTest {

    @TempDir
    Path tmp;

    @Test
    void fitScalesTheShortSideAndCropsTheCentre() {
        // 200 x 100, left quarter red; short side 100 -> 64 (x0.64): 128 x 64, centre crop 56 x 56 from x = 36
        Path f = TestImages.write(tmp.resolve("a.png"), TestImages.solid(200, 100, Color.BLUE), "png");
        Preprocessing p = new Preprocessing(new InputShape(56, 56, 3), 64, Preprocessing.ChannelOrder.BGR,
                new Preprocessing.VggMeanBgr());
        try (Mat m = ImageDecoder.defaults().decode(f, "a.png"); Mat fitted = p.fit(m)) {
            assertThat(fitted.cols()).isEqualTo(56);
            assertThat(fitted.rows()).isEqualTo(56);
        }
        try (Mat m = new Mat(100, 200, org.bytedeco.opencv.global.opencv_core.CV_8UC3)) {
            try (Mat r = Preprocessing.resizeShortSide(m, 64)) {
                assertThat(r.cols()).isEqualTo(128);
                assertThat(r.rows()).isEqualTo(64);
            }
        }
    }

    @Test
    void vggMeanIsSubtractedPerBgrChannelWithoutScaling() {
        Path f = TestImages.write(tmp.resolve("s.png"), TestImages.solid(8, 8, new Color(200, 100, 50)), "png");
        Preprocessing p = Preprocessing.vgg(new InputShape(8, 8, 3));
        try (Mat m = ImageDecoder.defaults().decode(f, "s.png")) {
            INDArray x = p.toInput(m);
            assertThat(x.shape()).containsExactly(1, 8, 8, 3);
            assertThat(x.getDouble(0, 3, 3, 0)).isCloseTo(50 - 103.939, within());
            assertThat(x.getDouble(0, 3, 3, 1)).isCloseTo(100 - 116.779, within());
            assertThat(x.getDouble(0, 3, 3, 2)).isCloseTo(200 - 123.68, within());
        }
    }

    @Test
    void meanStdNormalisesAndRgbSwapsChannels() {
        Path f = TestImages.write(tmp.resolve("s.png"), TestImages.solid(4, 4, new Color(200, 100, 50)), "png");
        Preprocessing p = new Preprocessing(new InputShape(4, 4, 3), 5, Preprocessing.ChannelOrder.RGB,
                new Preprocessing.MeanStd(new double[] {100, 100, 100}, new double[] {50, 50, 50}));
        try (Mat m = ImageDecoder.defaults().decode(f, "s.png")) {
            INDArray x = p.toInput(m);
            assertThat(x.getDouble(0, 0, 0, 0)).isCloseTo((200 - 100) / 50.0, within());   // R first
            assertThat(x.getDouble(0, 0, 0, 2)).isCloseTo((50 - 100) / 50.0, within());
        }
    }

    @Test
    void survivesAJsonRoundTripAsStoredInTheBundle() throws Exception {
        for (Preprocessing p : new Preprocessing[] {Preprocessing.vgg(new InputShape(224, 224, 3)),
            Preprocessing.meanStd(new InputShape(64, 64, 3), new double[] {1, 2, 3}, new double[] {4, 5, 6})}) {
            String json = Json.write(p);
            assertThat(Json.mapper().readValue(json, Preprocessing.class)).isEqualTo(p);
        }
        assertThat(Json.write(Preprocessing.vgg(new InputShape(224, 224, 3)))).contains("\"kind\" : \"vgg-mean-bgr\"")
                .contains("\"resize-short-side-px\" : 256");
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-4);
    }
}
