package org.finetune4j.augment;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.datavec.image.transform.CropImageTransform;

/**
 * Resizing and cropping shared by the steps and by a recipe's fit.
 *
 * <p>Resizing uses {@code INTER_AREA} when shrinking (it averages the source pixels, so thin lines and fine texture do
 * not alias the way bilinear sampling makes them when the factor is large) and bilinear when enlarging (area
 * interpolation then degenerates to nearest-neighbour blocks). DataVec's {@code ResizeImageTransform} and
 * {@code ScaleImageTransform} always use bilinear, so resizing is done here.
 */
final class Geometry {
    private Geometry() {
    }

    /**
     * Resizes to exactly {@code width × height}; a new matrix, also when the size is unchanged. When one side shrinks
     * and the other grows, the shrinking side is resized first with area interpolation, then the other bilinearly.
     */
    static Mat resize(Mat src, int width, int height) {
        int w = src.cols();
        int h = src.rows();
        if (w == width && h == height) {
            return src.clone();
        }
        Mat dst = new Mat();
        if (width <= w && height <= h) {
            resize(src, dst, width, height, INTER_AREA);
        } else if (width >= w && height >= h) {
            resize(src, dst, width, height, INTER_LINEAR);
        } else {
            try (Mat shrunk = new Mat()) {
                if (width < w) {
                    resize(src, shrunk, width, h, INTER_AREA);
                } else {
                    resize(src, shrunk, w, height, INTER_AREA);
                }
                resize(shrunk, dst, width, height, INTER_LINEAR);
            }
        }
        return dst;
    }

    private static void resize(Mat src, Mat dst, int width, int height, int interpolation) {
        try (Size size = new Size(width, height)) {
            org.bytedeco.opencv.global.opencv_imgproc.resize(src, dst, size, 0, 0, interpolation);
        }
    }

    /** @return the size with the short side {@code shortSide} and the aspect ratio of {@code in} (rounded) */
    static ImageSize shortSideSize(ImageSize in, int shortSide) {
        if (in.height() <= in.width()) {
            return new ImageSize(shortSide, Math.max(1, (int) Math.round((double) in.width() * shortSide
                    / in.height())));
        }
        return new ImageSize(Math.max(1, (int) Math.round((double) in.height() * shortSide / in.width())),
                shortSide);
    }

    /**
     * @return {@code in} if it covers {@code target}; otherwise the smallest size with the aspect ratio of {@code in}
     *         (rounded) that covers it
     */
    static ImageSize coverSize(ImageSize in, ImageSize target) {
        if (in.covers(target)) {
            return in;
        }
        double scale = Math.max((double) target.height() / in.height(), (double) target.width() / in.width());
        return new ImageSize(Math.max(target.height(), (int) Math.round(in.height() * scale)),
                Math.max(target.width(), (int) Math.round(in.width() * scale)));
    }

    /** @return the image enlarged (aspect kept) to cover {@code target}, or a copy if it already does */
    static Mat cover(Mat image, ImageSize target) {
        ImageSize size = coverSize(ImageSize.of(image), target);
        return resize(image, size.width(), size.height());
    }

    /**
     * Copies the rectangle at {@code (x, y)} of size {@code out}, through DataVec's {@link CropImageTransform} with
     * fixed margins.
     *
     * @throws IllegalArgumentException if the rectangle does not lie inside the image
     */
    static Mat crop(Mat image, int x, int y, ImageSize out) {
        int w = image.cols();
        int h = image.rows();
        if (x < 0 || y < 0 || x + out.width() > w || y + out.height() > h) {
            throw new IllegalArgumentException("crop " + out + " at (" + x + ", " + y + ") does not fit in a "
                    + h + "x" + w + " image");
        }
        CropImageTransform t = new CropImageTransform(y, x, h - y - out.height(), w - x - out.width());
        Mat view = DataVecTransforms.apply(t, image);
        Mat copy = view.clone();
        view.close();
        return copy;
    }

    /**
     * @return the center {@code out} of the image (offsets rounded down when the margin is odd); the image must
     *         cover {@code out}
     */
    static Mat centerCrop(Mat image, ImageSize out) {
        return crop(image, (image.cols() - out.width()) / 2, (image.rows() - out.height()) / 2, out);
    }

    /** @return the image brought to exactly {@code out}: scaled (aspect kept) to cover it, then center-cropped */
    static Mat coverAndCenterCrop(Mat image, ImageSize out) {
        ImageSize in = ImageSize.of(image);
        if (in.equals(out)) {
            return image.clone();
        }
        double scale = Math.max((double) out.height() / in.height(), (double) out.width() / in.width());
        ImageSize scaled = new ImageSize(Math.max(out.height(), (int) Math.round(in.height() * scale)),
                Math.max(out.width(), (int) Math.round(in.width() * scale)));
        try (Mat resized = resize(image, scaled.width(), scaled.height())) {
            return centerCrop(resized, out);
        }
    }
}
