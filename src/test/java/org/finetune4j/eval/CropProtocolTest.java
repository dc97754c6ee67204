package org.finetune4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.finetune4j.core.UsageException;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.testing.TestMats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CropProtocolTest {

    @TempDir
    Path tmp;

    /** 6×6 input, evaluation short side 8: a 10×8 image is used as it is (no resampling), so pixels are exact. */
    private static final Preprocessing SMALL = new Preprocessing(new InputShape(6, 6, 3), 8,
            Preprocessing.ChannelOrder.BGR, new Preprocessing.MeanStd(new double[] {0, 0, 0}, new double[] {1, 1, 1}));

    @Test
    void tenCropCutsTheFourCornersAndTheCentreEachAlsoMirroredExactlyWhereExpected() {
        CropProtocol p = CropProtocolLoader.load("ten-crop");
        MultiCropEvaluator ev = new MultiCropEvaluator(SMALL, p, MultiCropEvaluator.Averaging.PROBABILITIES, 8);
        assertThat(ev.crops()).extracting(Crop::name).containsExactly("8px center", "8px center flipped",
                "8px top-left", "8px top-left flipped", "8px top-right", "8px top-right flipped", "8px bottom-left",
                "8px bottom-left flipped", "8px bottom-right", "8px bottom-right flipped");
        // expected window offsets in the 10×8 image, by position
        int[][] offsets = {{2, 1}, {2, 1}, {0, 0}, {0, 0}, {4, 0}, {4, 0}, {0, 2}, {0, 2}, {4, 2}, {4, 2}};
        try (Mat img = TestMats.coordinates(10, 8)) {
            List<Mat> crops = ev.cut(img);
            assertThat(crops).hasSize(10);
            for (int k = 0; k < 10; k++) {
                Mat c = crops.get(k);
                boolean flipped = ev.crops().get(k).flipped();
                assertThat(c.cols()).isEqualTo(6);
                assertThat(c.rows()).isEqualTo(6);
                for (int y = 0; y < 6; y++) {
                    for (int x = 0; x < 6; x++) {
                        int srcX = offsets[k][0] + (flipped ? 5 - x : x);
                        int srcY = offsets[k][1] + y;
                        assertThat(TestMats.pixel(c, x, y)).as("crop %s at (%d, %d)", ev.crops().get(k).name(), x, y)
                                .containsExactly(srcX, srcY, 200);
                    }
                }
                c.close();
            }
        }
    }

    @Test
    void centerProtocolIsOneUnflippedCentreCropAndGivesExactlyTheTensorOfPreprocessingFit() {
        Preprocessing vgg = Preprocessing.vgg(new InputShape(32, 32, 3));
        CropProtocol p = CropProtocolLoader.load("center");
        assertThat(p.isSingleCenterCrop(vgg)).isTrue();
        MultiCropEvaluator ev = new MultiCropEvaluator(vgg, p, MultiCropEvaluator.Averaging.PROBABILITIES, 8);
        assertThat(ev.crops()).containsExactly(new Crop(37, Crop.Position.CENTER, false));
        for (int[] size : new int[][] {{50, 41}, {41, 77}, {37, 37}, {20, 30}}) {
            try (Mat img = TestMats.scene(size[0], size[1], 7); Mat fitted = vgg.fit(img)) {
                List<Mat> crops = ev.cut(img);
                assertThat(vgg.toInput(crops.get(0))).as("image %dx%d", size[0], size[1])
                        .isEqualTo(vgg.toInput(fitted));
                crops.forEach(Mat::close);
            }
        }
    }

    @Test
    void multiScaleHasFiftyCropsAtScalesProportionalToTheInputAndCutsEachScaledImageAtItsCorners() {
        Preprocessing vgg = Preprocessing.vgg(new InputShape(32, 32, 3));
        CropProtocol p = CropProtocolLoader.load("multi-scale");
        List<Crop> crops = p.crops(vgg);
        assertThat(crops).hasSize(50);
        // {224, 256, 384, 480, 640} at 224 px -> 32 px input
        assertThat(crops.stream().map(Crop::shortSidePx).distinct()).containsExactly(32, 37, 55, 69, 91);
        assertThat(p.crops(Preprocessing.vgg(new InputShape(224, 224, 3))).stream().map(Crop::shortSidePx)
                .distinct()).containsExactly(224, 256, 384, 480, 640);
        MultiCropEvaluator ev = new MultiCropEvaluator(vgg, p, MultiCropEvaluator.Averaging.PROBABILITIES, 8);
        try (Mat img = TestMats.coordinates(40, 32)) {
            List<Mat> cut = ev.cut(img);
            for (int k = 0; k < crops.size(); k++) {
                Crop c = crops.get(k);
                try (Mat scaled = Preprocessing.resizeShortSide(img, c.shortSidePx())) {
                    assertThat(scaled.rows()).isEqualTo(c.shortSidePx());
                    assertThat(scaled.cols()).isEqualTo((int) Math.round(40.0 * c.shortSidePx() / 32));
                    int w = scaled.cols();
                    int h = scaled.rows();
                    int x = switch (c.position()) {
                        case TOP_LEFT, BOTTOM_LEFT -> 0;
                        case TOP_RIGHT, BOTTOM_RIGHT -> w - 32;
                        case CENTER -> (w - 32) / 2;
                    };
                    int y = switch (c.position()) {
                        case TOP_LEFT, TOP_RIGHT -> 0;
                        case BOTTOM_LEFT, BOTTOM_RIGHT -> h - 32;
                        case CENTER -> (h - 32) / 2;
                    };
                    try (Rect r = new Rect(x, y, 32, 32); Mat window = new Mat(scaled, r).clone()) {
                        if (c.flipped()) {
                            org.bytedeco.opencv.global.opencv_core.flip(window, window, 1);
                        }
                        assertThat(TestMats.bytes(cut.get(k))).as(c.name()).isEqualTo(TestMats.bytes(window));
                    }
                }
                cut.get(k).close();
            }
        }
    }

    @Test
    void aProtocolFileIsReadFromItsPathAndNamedAfterIt() throws Exception {
        Path f = Files.writeString(tmp.resolve("two-scales.yaml"), """
                version: 1
                # centre crops at two scales, no flips
                short-side-px: [default, 300]
                crops: [center]
                """);
        CropProtocol p = CropProtocolLoader.load(f.toString());
        assertThat(p.name()).isEqualTo("two-scales");
        assertThat(p.flip()).isFalse();
        assertThat(p.crops(Preprocessing.vgg(new InputShape(224, 224, 3)))).containsExactly(
                new Crop(256, Crop.Position.CENTER, false), new Crop(300, Crop.Position.CENTER, false));
    }

    @Test
    void invalidProtocolsAreRejectedNamingTheFileTheKeyAndTheLine() throws Exception {
        assertThatThrownBy(() -> CropProtocolLoader.parse("version: 1\nshort-side-px: [default]\ncrops: [centre]\n",
                "x", "eval/my.yaml")).isInstanceOf(UsageException.class)
                .hasMessageContaining("eval/my.yaml line 3: unknown crop \"centre\"")
                .hasMessageContaining("center, top-left, top-right, bottom-left, bottom-right");
        assertThatThrownBy(() -> CropProtocolLoader.parse("version: 1\nshort-side-px: [default]\ncrops: [center]\n"
                + "flips: true\n", "x", "eval/my.yaml")).isInstanceOf(UsageException.class)
                .hasMessageContaining("eval/my.yaml line 4: unknown key \"flips\"");
        assertThatThrownBy(() -> CropProtocolLoader.parse("version: 2\nshort-side-px: [default]\ncrops: [center]\n",
                "x", "eval/my.yaml")).isInstanceOf(UsageException.class)
                .hasMessageContaining("eval/my.yaml line 1: unsupported protocol version");
        assertThatThrownBy(() -> CropProtocolLoader.parse("version: 1\nshort-side-px: [256, -3]\ncrops: [center]\n",
                "x", "eval/my.yaml")).isInstanceOf(UsageException.class)
                .hasMessageContaining("eval/my.yaml line 2: short-side-px has -3");
        assertThatThrownBy(() -> CropProtocolLoader.parse("short-side-px: [256]\ncrops: [center]\n", "x",
                "eval/my.yaml")).isInstanceOf(UsageException.class).hasMessageContaining("missing \"version\"");
        assertThatThrownBy(() -> CropProtocolLoader.parse("version: 1\nshort-side-px: [100]\ncrops: [center]\n",
                "x", "eval/my.yaml").crops(Preprocessing.vgg(new InputShape(224, 224, 3))))
                .isInstanceOf(UsageException.class).hasMessageContaining("eval/my.yaml: scale 100")
                .hasMessageContaining("smaller than the network's input 224x224");
        assertThatThrownBy(() -> CropProtocolLoader.load("tencrop")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--protocol tencrop: no such protocol")
                .hasMessageContaining("center, ten-crop, multi-scale");
    }
}
