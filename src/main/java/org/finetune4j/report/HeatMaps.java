package org.finetune4j.report;

import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_imgproc.COLORMAP_JET;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;

import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.finetune4j.core.AtomicFiles;

/**
 * Pictures of class activation maps: the map upsampled (bilinear) onto the picture the network saw, scaled so its
 * maximum is red (jet colour map), blended half and half with the picture, beside the picture itself.
 * <pre>{@code
 * HeatMaps.writePng(file, fitted, cam.map(input, cls).heat(), 256);
 * }</pre>
 */
public final class HeatMaps {

    private HeatMaps() {
    }

    /**
     * @param picture the network's input picture, 8-bit BGR (not modified)
     * @param heat    {@code [h][w]} non-negative map
     * @param minSide the picture is enlarged (nearest neighbour) to at least this many pixels on its short side
     * @return the picture and the overlay side by side, 8-bit BGR
     */
    public static Mat sideBySide(Mat picture, double[][] heat, int minSide) {
        double scale = Math.max(1, minSide / (double) Math.min(picture.rows(), picture.cols()));
        Mat big = new Mat();
        opencv_imgproc.resize(picture, big, new Size((int) Math.round(picture.cols() * scale),
                (int) Math.round(picture.rows() * scale)), 0, 0, INTER_NEAREST);
        double max = 0;
        for (double[] row : heat) {
            for (double v : row) {
                max = Math.max(max, v);
            }
        }
        Mat small = new Mat(heat.length, heat[0].length, CV_64F);
        try (DoubleIndexer ix = small.createIndexer()) {
            for (int y = 0; y < heat.length; y++) {
                for (int x = 0; x < heat[0].length; x++) {
                    ix.put(y, x, max > 0 ? 255 * heat[y][x] / max : 0);
                }
            }
        }
        Mat up = new Mat();
        opencv_imgproc.resize(small, up, big.size(), 0, 0, INTER_LINEAR);
        Mat grey = new Mat();
        up.convertTo(grey, CV_8U);
        Mat coloured = new Mat();
        opencv_imgproc.applyColorMap(grey, coloured, COLORMAP_JET);
        Mat blended = new Mat();
        opencv_core.addWeighted(big, 0.5, coloured, 0.5, 0, blended);
        Mat out = new Mat();
        opencv_core.hconcat(big, blended, out);
        for (Mat m : new Mat[] {big, small, up, grey, coloured, blended}) {
            m.close();
        }
        return out;
    }

    /** @return {@link #sideBySide} as a {@code data:image/png;base64,…} URI, or null when it cannot be encoded */
    public static String dataUri(Mat picture, double[][] heat, int minSide) {
        try (Mat m = sideBySide(picture, heat, minSide); BytePointer buf = new BytePointer()) {
            if (!opencv_imgcodecs.imencode(".png", m, buf)) {
                return null;
            }
            byte[] bytes = new byte[(int) buf.limit()];
            buf.get(bytes);
            return "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(bytes);
        }
    }

    /** Writes {@link #sideBySide} as a PNG, atomically. */
    public static void writePng(Path file, Mat picture, double[][] heat, int minSide) {
        try (Mat m = sideBySide(picture, heat, minSide); BytePointer buf = new BytePointer()) {
            if (!opencv_imgcodecs.imencode(".png", m, buf)) {
                throw new IllegalStateException("PNG encoding failed for " + file);
            }
            byte[] bytes = new byte[(int) buf.limit()];
            buf.get(bytes);
            AtomicFiles.writeBytes(file, bytes);
        }
    }
}
