package org.finetune4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerceptualHashTest {

    @TempDir
    Path tmp;

    private Mat mat(BufferedImage im, String name) throws java.io.IOException {
        Path file = tmp.resolve(name);
        javax.imageio.ImageIO.write(im, "png", file.toFile());
        return ImageDecoder.defaults().decode(file, name);
    }

    @Test
    void aResizedCopyIsCloseAndDistinctShapesAreFar() throws Exception {
        ShapesConfig cfg = ShapesConfig.defaults();
        Mat a = mat(ShapesGenerator.render(cfg, ShapesSet.TARGET, 0, 0), "a.png");
        Mat b = mat(ShapesGenerator.render(cfg, ShapesSet.TARGET, 1, 0), "b.png");
        Mat small = new Mat();
        org.bytedeco.opencv.global.opencv_imgproc.resize(a, small, new Size(a.cols() * 7 / 10, a.rows() * 7 / 10),
                0, 0, org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA);
        PerceptualHash ha = PerceptualHash.of(a);
        assertThat(ha.distance(ha)).isZero();
        assertThat(ha.distance(PerceptualHash.of(small))).isLessThanOrEqualTo(PerceptualHash.NEAR_BITS);
        assertThat(ha.distance(PerceptualHash.of(b))).isGreaterThan(PerceptualHash.NEAR_BITS);
        assertThat(ha.hex()).hasSize(32);
    }

    @Test
    void nearGroupsAreJoinedAndLeaksNamed() {
        List<LabeledImage> ims = List.of(new LabeledImage(null, "a/1.png", 0), new LabeledImage(null, "a/2.png", 0),
                new LabeledImage(null, "b/3.png", 1), new LabeledImage(null, "b/4.png", 1));
        Map<String, PerceptualHash> h = Map.of("a/1.png", new PerceptualHash(0L, 0L),
                "a/2.png", new PerceptualHash(0xFFL, 0L), "b/3.png", new PerceptualHash(0x7FFFL, 0L),
                "b/4.png", new PerceptualHash(-1L, -1L));
        Split split = new Split(List.of(ims.get(0), ims.get(3)), List.of(ims.get(1)), List.of(ims.get(2)));
        List<DatasetReport.DuplicateGroup> g = Duplicates.findNear(ims, h, 8, List.of("a", "b"), split);
        // 1–2 are 8 bits apart, 2–3 7 bits: one group of three, across train, val and test; 4 is alone
        assertThat(g).hasSize(1);
        assertThat(g.get(0).files()).containsExactly("a/1.png", "a/2.png", "b/3.png");
        assertThat(g.get(0).isLeak()).isTrue();
        Split together = Duplicates.keepTogether(split, g);
        assertThat(together.train()).extracting(LabeledImage::relativePath)
                .containsExactly("a/1.png", "a/2.png", "b/3.png", "b/4.png");
    }
}
