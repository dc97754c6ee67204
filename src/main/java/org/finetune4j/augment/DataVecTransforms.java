package org.finetune4j.augment;

import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.datavec.image.data.ImageWritable;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.datavec.image.transform.ImageTransform;
import org.datavec.image.transform.WarpImageTransform;

/**
 * Runs a DataVec {@link ImageTransform} on an OpenCV matrix, deterministically.
 *
 * <p>The transform is always called with a {@code null} {@link java.util.Random}: DataVec transforms then use the
 * constructor's values as they are (a {@code FlipImageTransform(1)} flips horizontally, a {@code CropImageTransform}
 * crops exactly its margins). Callers create the transform per call: DataVec transforms keep per-call state in fields
 * and are not thread-safe. The frame conversion wraps the matrix without copying it.
 */
final class DataVecTransforms {
    private DataVecTransforms() {
    }

    /**
     * @return the transform's result; for cropping transforms this is a view into {@code image} (clone it)
     */
    static Mat apply(ImageTransform transform, Mat image) {
        OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
        ImageWritable out = transform.transform(new ImageWritable(converter.convert(image)), null);
        return converter.convert(out.getFrame());
    }

    /**
     * Moves the image's four corners by fixed offsets (a perspective warp, the same size as the input), filling
     * uncovered pixels per {@code border}.
     *
     * @param corners eight offsets in pixels, (dx, dy) of the top-left, top-right, bottom-right and bottom-left
     *                corners in that order, as {@code WarpImageTransform} takes them
     * @return a new matrix
     */
    static Mat warp(Mat image, Border border, float... corners) {
        WarpImageTransform t = new WarpImageTransform(corners[0], corners[1], corners[2], corners[3], corners[4],
                corners[5], corners[6], corners[7]);
        t.borderMode(border.openCvCode()).borderValue(new Scalar(0, 0, 0, 0));
        return apply(t, image);
    }
}
