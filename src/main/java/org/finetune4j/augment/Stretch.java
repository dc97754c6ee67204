package org.finetune4j.augment;

import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Changes the aspect ratio: the width is multiplied by √r and the height divided by √r, so the area stays about the
 * same. r is drawn log-uniformly (r and 1/r equally likely). Recipe name {@code stretch}. Our own (area
 * interpolation for the shrinking side, bilinear for the growing one); DataVec's {@code ScaleImageTransform} adds
 * pixels rather than a factor and always interpolates bilinearly.
 *
 * @param aspectRatio the range of r = (new width / new height) / (old width / old height), within [0.25, 4]
 */
public record Stretch(Range aspectRatio) implements AugmentStep, StepSettings {

    /** The step's name in recipes. */
    public static final String NAME = "stretch";

    /** @throws SettingException if the range leaves [0.25, 4] */
    public Stretch {
        SettingException.requireWithin(NAME, "aspect-ratio", Objects.requireNonNull(aspectRatio), 0.25, 4,
                "(a factor; 1 = unchanged)");
    }

    /** @return r in [3/4, 4/3] */
    public static Stretch defaults() {
        return new Stretch(new Range(0.75, 4.0 / 3));
    }

    /** @param aspectRatio the drawn factor r (above 1: wider) */
    public record Params(double aspectRatio) implements StepParams {
        @Override
        public String describe() {
            return String.format(Locale.ROOT, "stretch x%.2f", aspectRatio);
        }
    }

    @Override
    public StepParams sample(SplittableRandom rng, ImageSize in) {
        return new Params(aspectRatio.logUniform(rng));
    }

    @Override
    public Mat apply(Mat image, StepParams params) {
        Params p = StepParams.as(Params.class, params, NAME);
        double root = Math.sqrt(p.aspectRatio());
        int w = Math.max(1, (int) Math.round(image.cols() * root));
        int h = Math.max(1, (int) Math.round(image.rows() / root));
        return Geometry.resize(image, w, h);
    }

    @Override
    public AugmentStep bind(ImageSize output) {
        return this;
    }
}
