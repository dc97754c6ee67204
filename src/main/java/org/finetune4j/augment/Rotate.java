package org.finetune4j.augment;

import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.datavec.image.transform.RotateImageTransform;

/**
 * Rotates the image about its exact center, keeping its size; corners that come from outside are filled per
 * {@link Border}. Positive angles turn the content counter-clockwise as displayed: at +90° on a square image, pixel
 * (x, y) moves to (y, w-1-x). Recipe name {@code rotate}. Wraps DataVec's {@code RotateImageTransform} with a fixed
 * angle, scale 1 and the center offset that moves DataVec's integer center {@code (w/2, h/2)} to the pixel-grid
 * center {@code ((w-1)/2, (h-1)/2)}.
 *
 * @param degrees the angle range, in degrees within [-180, 180]
 * @param border  how corners are filled
 */
public record Rotate(Range degrees, Border border) implements AugmentStep, StepSettings {

    /** The step's name in recipes. */
    public static final String NAME = "rotate";

    /** @throws SettingException if the range leaves [-180, 180] */
    public Rotate {
        SettingException.requireWithin(NAME, "degrees", Objects.requireNonNull(degrees), -180, 180, "degrees");
        Objects.requireNonNull(border, "border");
    }

    /** @return up to 15° each way, reflected border */
    public static Rotate defaults() {
        return new Rotate(new Range(-15, 15), Border.REFLECT);
    }

    /** @param degrees the angle, counter-clockwise positive */
    public record Params(double degrees) implements StepParams {
        @Override
        public String describe() {
            return String.format(Locale.ROOT, "rotate %+.1f deg", degrees);
        }
    }

    @Override
    public StepParams sample(SplittableRandom rng, ImageSize in) {
        return new Params(degrees.uniform(rng));
    }

    @Override
    public Mat apply(Mat image, StepParams params) {
        Params p = StepParams.as(Params.class, params, NAME);
        float dx = (image.cols() - 1) / 2f - image.cols() / 2;
        float dy = (image.rows() - 1) / 2f - image.rows() / 2;
        RotateImageTransform t = new RotateImageTransform(null, dx, dy, (float) p.degrees(), 0f);
        t.borderMode(border.openCvCode()).borderValue(new Scalar(0, 0, 0, 0));
        return DataVecTransforms.apply(t, image);
    }

    @Override
    public AugmentStep bind(ImageSize output) {
        return this;
    }
}
