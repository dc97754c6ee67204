package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ShapesConfig;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.data.ShapesSet;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.Slow;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Grad-CAM on the shapes task: for correctly classified test images the heat inside the shape's bounding box is
 * higher, on average, than outside it. Measured 2026-12-03: see docs/clean.md.
 */
@Slow
class GradCamShapesTest {

    @TempDir
    Path tmp;

    @Test
    void theHeatLiesOnTheShapeForMostCorrectlyClassifiedTestImages() throws Exception {
        ShapesConfig cfg = ShapesConfig.defaults();
        ShapesGenerator.ensureSet(cfg, tmp.resolve("data"), ShapesSet.TARGET, ShapesGenerator.Listener.NONE);
        Path data = tmp.resolve("data").resolve(ShapesSet.TARGET.folderName());
        Path models = tmp.resolve("models");
        TestFolders.copyTree(Path.of("models", "mini-vgg-shapes"), models.resolve("mini-vgg-shapes"));
        Cli.Result r = Cli.run("train", "--mode", "features", "--data", data.toString(), "--models-dir",
                models.toString(), "--reports-dir", tmp.resolve("reports").toString(), "--cache",
                tmp.resolve("cache").toString(), "--name", "cam", "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        BundleStore.Loaded bundle = BundleStore.load(models.resolve("cam"));
        Preprocessing pre = bundle.bundle().preprocessing();
        GradCam cam = GradCam.of(bundle.graph(), null, pre.input());
        ImageDecoder decoder = ImageDecoder.defaults();
        List<String> classes = ShapesSet.TARGET.classNames();
        int right = 0;
        int onShape = 0;
        for (String rel : bundle.bundle().data().testSplit()) {
            String cls = rel.substring(0, rel.indexOf('/'));
            int classIndex = classes.indexOf(cls);
            int imageIndex = Integer.parseInt(rel.replaceAll(".*_(\\d+)\\.png$", "$1")) - 1;
            try (Mat decoded = decoder.decode(data.resolve(rel), rel); Mat fitted = pre.fit(decoded)) {
                INDArray x = pre.toInput(List.of(fitted));
                int predicted = bundle.graph().outputSingle(false, x).argMax(1).getInt(0);
                if (predicted != bundle.bundle().labels().indexOf(cls)) {
                    continue;
                }
                right++;
                double[][] heat = cam.map(x, predicted).heat();
                try (Mat box = fittedBox(ShapesGenerator.shapeMask(cfg, ShapesSet.TARGET, classIndex, imageIndex),
                        pre, decoder); Mat up = upsampled(heat, fitted.cols(), fitted.rows())) {
                    double in = 0;
                    double out = 0;
                    int nIn = 0;
                    int nOut = 0;
                    try (UByteIndexer b = box.createIndexer(); DoubleIndexer h = up.createIndexer()) {
                        for (int yy = 0; yy < fitted.rows(); yy++) {
                            for (int xx = 0; xx < fitted.cols(); xx++) {
                                if (b.get(yy, xx, 0) > 127) {
                                    in += h.get(yy, xx);
                                    nIn++;
                                } else {
                                    out += h.get(yy, xx);
                                    nOut++;
                                }
                            }
                        }
                    }
                    if (nIn > 0 && (nOut == 0 || in / nIn > out / nOut)) {
                        onShape++;
                    }
                }
            }
        }
        double share = (double) onShape / right;
        System.out.printf(Locale.ROOT, "Grad-CAM: %d of %d correctly classified test images hotter inside the box "
                + "(%.3f)%n", onShape, right, share);
        assertThat(right).isGreaterThanOrEqualTo(20);
        assertThat(share).isGreaterThanOrEqualTo(0.70);
    }

    /** The bounding box of the mask, filled, in the picture the network saw (the same fit as the image). */
    private Mat fittedBox(BufferedImage mask, Preprocessing pre, ImageDecoder decoder) throws Exception {
        int x0 = mask.getWidth();
        int y0 = mask.getHeight();
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < mask.getHeight(); y++) {
            for (int x = 0; x < mask.getWidth(); x++) {
                if (mask.getRaster().getSample(x, y, 0) > 0) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        BufferedImage box = new BufferedImage(mask.getWidth(), mask.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = box.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
        g.dispose();
        Path file = Files.createTempFile(tmp, "box", ".png");
        ImageIO.write(box, "png", file.toFile());
        try (Mat m = decoder.decode(file, file.getFileName().toString())) {
            return pre.fit(m);
        }
    }

    private static Mat upsampled(double[][] heat, int width, int height) {
        Mat small = new Mat(heat.length, heat[0].length, org.bytedeco.opencv.global.opencv_core.CV_64F);
        try (DoubleIndexer ix = small.createIndexer()) {
            for (int y = 0; y < heat.length; y++) {
                for (int x = 0; x < heat[0].length; x++) {
                    ix.put(y, x, heat[y][x]);
                }
            }
        }
        Mat up = new Mat();
        opencv_imgproc.resize(small, up, new org.bytedeco.opencv.opencv_core.Size(width, height), 0, 0,
                opencv_imgproc.INTER_LINEAR);
        small.close();
        return up;
    }
}
