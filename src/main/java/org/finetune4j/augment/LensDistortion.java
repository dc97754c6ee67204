package org.finetune4j.augment;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;

import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Bends the image like a lens: barrel distortion for positive strength k, pincushion for negative, keeping the size.
 * With radii normalised so that a corner is at r = 1, the output pixel at radius r shows the input at radius
 * r·(1 + k·r²) (the first term of Brown's radial model); the image centre does not move. Pixels from outside (corners
 * under barrel distortion) are filled per {@link Border}. Recipe name {@code distort}. Our own (OpenCV {@code remap}):
 * DataVec has no lens distortion.
 *
 * @param strength the range of k, within [-0.3, 1]; below -1/3 the mapping would fold over at the corners
 * @param border   how pixels from outside are filled
 */
public record LensDistortion(Range strength, Border border) implements AugmentStep, StepSettings {

    /** The step's name in recipes. */
    public static final String NAME = "distort";

    /** @throws SettingException if the range leaves [-0.3, 1] */
    public LensDistortion {
        SettingException.requireWithin(NAME, "strength", Objects.requireNonNull(strength), -0.3, 1,
                "(k; 0 = none)");
        Objects.requireNonNull(border, "border");
    }

    /** @return k in [-0.2, 0.2], reflected border */
    public static LensDistortion defaults() {
        return new LensDistortion(new Range(-0.2, 0.2), Border.REFLECT);
    }

    /** @param strength the drawn k (positive: barrel, negative: pincushion) */
    public record Params(double strength) implements StepParams {
        @Override
        public String describe() {
            return String.format(Locale.ROOT, "distort %+.2f", strength);
        }
    }

    @Override
    public StepParams sample(SplittableRandom rng, ImageSize in) {
        return new Params(strength.uniform(rng));
    }

    @Override
    public Mat apply(Mat image, StepParams params) {
        Params p = StepParams.as(Params.class, params, NAME);
        int w = image.cols();
        int h = image.rows();
        if (p.strength() == 0) {
            return image.clone();
        }
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        double r2max = Math.max(cx * cx + cy * cy, 1e-9);
        float[] mapX = new float[w * h];
        float[] mapY = new float[w * h];
        double k = p.strength();
        for (int y = 0; y < h; y++) {
            double dy = y - cy;
            for (int x = 0; x < w; x++) {
                double dx = x - cx;
                double f = 1 + k * (dx * dx + dy * dy) / r2max;
                mapX[y * w + x] = (float) (cx + dx * f);
                mapY[y * w + x] = (float) (cy + dy * f);
            }
        }
        Mat out = new Mat();
        try (Mat mx = new Mat(h, w, CV_32FC1); Mat my = new Mat(h, w, CV_32FC1);
             FloatPointer px = new FloatPointer(mx.data()); FloatPointer py = new FloatPointer(my.data());
             Scalar zero = new Scalar(0, 0, 0, 0)) {
            px.put(mapX);
            py.put(mapY);
            opencv_imgproc.remap(image, out, mx, my, INTER_LINEAR, border.openCvCode(), zero);
        }
        return out;
    }

    @Override
    public AugmentStep bind(ImageSize output) {
        return this;
    }
}
