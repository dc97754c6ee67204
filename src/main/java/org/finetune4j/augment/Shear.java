package org.finetune4j.augment;

import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Shears the image about its center, keeping its size: x' = x + tan(a)·(y - h/2) and y' = y + tan(b)·(x - w/2); pixels
 * from outside are filled per {@link Border}. Recipe name {@code shear}. Wraps DataVec's {@code WarpImageTransform}
 * with fixed corner offsets (the four corners moved by the shear give exactly this affine map).
 *
 * @param xDegrees the range of a, the horizontal shear angle (positive: the bottom moves right), within [-45, 45]
 * @param yDegrees the range of b, the vertical shear angle (positive: the right side moves down), within [-45, 45]
 * @param border   how uncovered pixels are filled
 */
public record Shear(Range xDegrees, Range yDegrees, Border border) implements AugmentStep, StepSettings {

    /** The step's name in recipes. */
    public static final String NAME = "shear";

    /** @throws SettingException if a range leaves [-45, 45] */
    public Shear {
        SettingException.requireWithin(NAME, "x-degrees", Objects.requireNonNull(xDegrees), -45, 45, "degrees");
        SettingException.requireWithin(NAME, "y-degrees", Objects.requireNonNull(yDegrees), -45, 45, "degrees");
        Objects.requireNonNull(border, "border");
    }

    /** @return horizontal shear of up to 10° each way, no vertical shear, reflected border */
    public static Shear defaults() {
        return new Shear(new Range(-10, 10), Range.fixed(0), Border.REFLECT);
    }

    /**
     * @param xDegrees the horizontal shear angle a
     * @param yDegrees the vertical shear angle b
     */
    public record Params(double xDegrees, double yDegrees) implements StepParams {
        @Override
        public String describe() {
            return yDegrees == 0 ? String.format(Locale.ROOT, "shear %+.1f deg", xDegrees)
                    : String.format(Locale.ROOT, "shear %+.1f,%+.1f deg", xDegrees, yDegrees);
        }
    }

    @Override
    public StepParams sample(SplittableRandom rng, ImageSize in) {
        double a = xDegrees.uniform(rng);
        double b = yDegrees.uniform(rng);
        return new Params(a, b);
    }

    @Override
    public Mat apply(Mat image, StepParams params) {
        Params p = StepParams.as(Params.class, params, NAME);
        // the offset of each corner is its shear: the top and bottom rows move by ∓tan(a)·h/2, the left and right
        // columns by ∓tan(b)·w/2
        float halfDx = (float) Math.tan(Math.toRadians(p.xDegrees())) * image.rows() / 2;
        float halfDy = (float) Math.tan(Math.toRadians(p.yDegrees())) * image.cols() / 2;
        return DataVecTransforms.warp(image, border, -halfDx, -halfDy, -halfDx, halfDy, halfDx, halfDy, halfDx,
                -halfDy);
    }

    @Override
    public AugmentStep bind(ImageSize output) {
        return this;
    }
}
