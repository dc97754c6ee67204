package org.finetune4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class ImageDecoderTest {

    @TempDir
    Path tmp;

    private final ImageDecoder decoder = ImageDecoder.defaults();

    /** BGR value of pixel (x, y). */
    private static int[] bgr(Mat m, int x, int y) {
        try (UByteIndexer ix = m.createIndexer()) {
            return new int[] {ix.get(y, x, 0), ix.get(y, x, 1), ix.get(y, x, 2)};
        }
    }

    private String reason(Path file) {
        try {
            decoder.decode(file, file.getFileName().toString()).close();
            return null;
        } catch (BadImageException e) {
            return e.reason();
        }
    }

    @Test
    void decodesPngAsEightBitBgrKeepingPixelPositions() {
        Path f = TestImages.write(tmp.resolve("m.png"), TestImages.marker(7, 5, 5, 1), "png");
        try (Mat m = decoder.decode(f, "m.png")) {
            assertThat(m.cols()).isEqualTo(7);
            assertThat(m.rows()).isEqualTo(5);
            assertThat(m.channels()).isEqualTo(3);
            assertThat(bgr(m, 5, 1)).containsExactly(0, 0, 255);        // red, in BGR order
            assertThat(bgr(m, 0, 0)).containsExactly(128, 128, 128);
        }
    }

    @Test
    void toArrayGivesNchwFloatZeroTo255ThroughDataVec() {
        Path f = TestImages.write(tmp.resolve("m.png"), TestImages.marker(7, 5, 5, 1), "png");
        try (Mat m = decoder.decode(f, "m.png")) {
            INDArray a = decoder.toArray(m);
            assertThat(a.shape()).containsExactly(1, 3, 5, 7);
            assertThat(a.getDouble(0, 2, 1, 5)).isEqualTo(255.0);   // R channel of the marker
            assertThat(a.getDouble(0, 0, 1, 5)).isEqualTo(0.0);
        }
    }

    @Test
    void grayscaleIsExpandedToThreeChannels() {
        Path f = TestImages.grayscalePng(tmp.resolve("g.png"), 6, 4, 77);
        try (Mat m = decoder.decode(f, "g.png")) {
            assertThat(m.channels()).isEqualTo(3);
            assertThat(bgr(m, 3, 2)).containsExactly(77, 77, 77);
        }
    }

    @Test
    void sixteenBitIsScaledToZeroTo255() {
        // OpenCV keeps 16-bit PNGs at 0..65535; 51400/257 = 200
        Path f = TestImages.gray16Png(tmp.resolve("g16.png"), 6, 4, 51400);
        try (Mat m = decoder.decode(f, "g16.png")) {
            assertThat(m.depth()).isEqualTo(org.bytedeco.opencv.global.opencv_core.CV_8U);
            assertThat(bgr(m, 1, 1)).containsExactly(200, 200, 200);
        }
    }

    @Test
    void alphaIsCompositedOverWhite() {
        Path f = TestImages.alphaPng(tmp.resolve("a.png"), 8, 4, Color.GREEN);
        try (Mat m = decoder.decode(f, "a.png")) {
            assertThat(m.channels()).isEqualTo(3);
            assertThat(bgr(m, 1, 1)).containsExactly(0, 255, 0);
            // transparent pixels store black; they must not come out black
            assertThat(bgr(m, 6, 1)).containsExactly(255, 255, 255);
        }
    }

    @Test
    void palettePngAndGifDecodeToTheirColours() {
        for (String format : new String[] {"png", "gif"}) {
            Path f = TestImages.palette(tmp.resolve("p." + format), 8, 4, format);
            try (Mat m = decoder.decode(f, "p." + format)) {
                assertThat(m.channels()).as(format).isEqualTo(3);
                assertThat(bgr(m, 1, 1)).as(format).containsExactly(0, 0, 255);
                assertThat(bgr(m, 6, 1)).as(format).containsExactly(255, 0, 0);
            }
        }
    }

    @Test
    void bmpDecodes() {
        Path f = TestImages.write(tmp.resolve("b.bmp"), TestImages.marker(5, 5, 2, 3), "bmp");
        try (Mat m = decoder.decode(f, "b.bmp")) {
            assertThat(bgr(m, 2, 3)).containsExactly(0, 0, 255);
        }
    }

    @Test
    void exifOrientationIsHonoured() {
        // stored 40 wide, 20 high, left half red; orientation 6 = rotate 90° clockwise → 20 wide, 40 high, red on top
        Path f = TestImages.jpegWithOrientation(tmp.resolve("o.jpg"), 40, 20, 6);
        try (Mat m = decoder.decode(f, "o.jpg")) {
            assertThat(m.cols()).isEqualTo(20);
            assertThat(m.rows()).isEqualTo(40);
            assertThat(bgr(m, 10, 5)[2]).isGreaterThan(200);   // red on top
            assertThat(bgr(m, 10, 35)[0]).isGreaterThan(200);  // blue below
        }
    }

    @Test
    void grayOutputWhenOneChannelIsAsked() {
        Path f = TestImages.write(tmp.resolve("s.png"), TestImages.solid(4, 4, new Color(10, 20, 30)), "png");
        try (Mat m = new ImageDecoder(1, ImageDecoder.DEFAULT_MAX_PIXELS).decode(f, "s.png")) {
            assertThat(m.channels()).isEqualTo(1);
        }
    }

    @Test
    void zeroByteFileIsBad() {
        assertThat(reason(TestImages.empty(tmp.resolve("z.jpg")))).isEqualTo("empty file (0 bytes)");
    }

    @Test
    void truncatedJpegIsCaughtThoughOpenCvWouldDecodeIt() {
        assertThat(reason(TestImages.truncatedJpeg(tmp.resolve("t.jpg"), 0.6)))
                .startsWith("truncated JPEG");
        assertThat(reason(TestImages.truncatedJpeg(tmp.resolve("t10.jpg"), 0.1))).startsWith("truncated JPEG");
    }

    @Test
    void truncatedPngIsBad() {
        assertThat(reason(TestImages.truncatedPng(tmp.resolve("t.png"), 0.5))).startsWith("truncated PNG");
    }

    @Test
    void corruptPngIsBad() {
        assertThat(reason(TestImages.corruptPng(tmp.resolve("c.png")))).startsWith("corrupt");
    }

    @Test
    void textFileWithImageExtensionIsBad() {
        assertThat(reason(TestImages.notAnImage(tmp.resolve("n.jpg")))).startsWith("not an image");
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() {
        Path f = TestImages.hugeDimensionPng(tmp.resolve("bomb.png"), 20000, 20000);
        assertThat(f.toFile().length()).isLessThan(10_000);
        assertThatThrownBy(() -> decoder.probe(f, "cls/bomb.png")).isInstanceOf(BadImageException.class)
                .hasMessageContaining("cls/bomb.png").hasMessageContaining("absurd dimensions 20000×20000");
    }

    @Test
    void brokenLinkIsBad() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("l.png"), tmp.resolve("missing.png"));
        assertThat(reason(link)).contains("does not exist");
    }

    @Test
    void unreadableFileIsBad() throws Exception {
        Path f = TestImages.write(tmp.resolve("u.png"), TestImages.pattern(4, 4, 1), "png");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        assumeTrue(!Files.isReadable(f), "needs a non-root user: root reads files without permission");
        assertThat(reason(f)).isEqualTo("cannot read: permission denied");
    }

    @Test
    void probeReadsSizeAndFormatByContentNotExtension() {
        Path f = TestImages.write(tmp.resolve("really-a-png.jpg"), TestImages.pattern(31, 17, 1), "png");
        ImageInfo info = decoder.probe(f, "x");
        assertThat(info.format()).isEqualTo("png");
        assertThat(info.width()).isEqualTo(31);
        assertThat(info.height()).isEqualTo(17);
    }

    @Test
    void webpHeaderSizesAreParsed() {
        byte[] vp8l = new byte[30];
        System.arraycopy("RIFF".getBytes(), 0, vp8l, 0, 4);
        System.arraycopy("WEBPVP8L".getBytes(), 0, vp8l, 8, 8);
        int bits = (300 - 1) | (200 - 1) << 14;
        vp8l[21] = (byte) bits;
        vp8l[22] = (byte) (bits >> 8);
        vp8l[23] = (byte) (bits >> 16);
        vp8l[24] = (byte) (bits >> 24);
        assertThat(ImageDecoder.sniff(vp8l)).isEqualTo("webp");
        assertThat(ImageDecoder.webpSize(vp8l)).containsExactly(300, 200);
    }
}
