package org.finetune4j.report;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;

import java.nio.file.Path;
import java.util.Base64;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.ImageDecoder;

/**
 * Small pictures embedded in report pages: an image shrunk (or enlarged without smoothing) to fit a square, encoded as
 * PNG in a {@code data:} URI, so a page is one self-contained file.
 * <pre>{@code
 * String src = Thumbnails.dataUri(ImageDecoder.defaults(), file, "cat/1.jpg", 112);
 * }</pre>
 */
public final class Thumbnails {

    private Thumbnails() {
    }

    /**
     * @param decoder the decoder
     * @param file    the image file
     * @param name    its name in messages (the relative path)
     * @param px      the side of the square the thumbnail fits in
     * @return {@code data:image/png;base64,…}, or null when the file cannot be decoded
     */
    public static String dataUri(ImageDecoder decoder, Path file, String name, int px) {
        try (Mat m = decoder.decode(file, name)) {
            return dataUri(m, px);
        } catch (BadImageException ex) {
            return null;
        }
    }

    /**
     * @param image an 8-bit BGR image (not modified)
     * @param px    the side of the square the thumbnail fits in
     * @return {@code data:image/png;base64,…}, or null when the image cannot be encoded
     */
    public static String dataUri(Mat image, int px) {
        try (Mat small = new Mat(); BytePointer buf = new BytePointer()) {
            double scale = px / (double) Math.max(image.cols(), image.rows());
            try (Size size = new Size(Math.max(1, (int) Math.round(image.cols() * scale)),
                    Math.max(1, (int) Math.round(image.rows() * scale)))) {
                opencv_imgproc.resize(image, small, size, 0, 0, scale < 1 ? INTER_AREA : INTER_NEAREST);
            }
            if (!opencv_imgcodecs.imencode(".png", small, buf)) {
                return null;
            }
            byte[] bytes = new byte[(int) buf.limit()];
            buf.get(bytes);
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes);
        }
    }
}
