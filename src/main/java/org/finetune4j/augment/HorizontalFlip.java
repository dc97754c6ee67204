package org.finetune4j.augment;

import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.datavec.image.transform.FlipImageTransform;

/**
 * Mirrors the image left–right: pixel (x, y) moves to (w-1-x, y). Recipe name {@code hflip}; no keys besides
 * {@code probability} (default 0.5). Wraps DataVec's {@code FlipImageTransform(1)}, called without a
 * {@link java.util.Random} (given one, it would pick among four flips).
 */
public record HorizontalFlip() implements AugmentStep, StepSettings {

    /** The step's name in recipes. */
    public static final String NAME = "hflip";

    /** A horizontal flip has no parameters: whether it happens is the recipe's probability. */
    public record Params() implements StepParams {
        @Override
        public String describe() {
            return NAME;
        }
    }

    @Override
    public StepParams sample(SplittableRandom rng, ImageSize in) {
        return new Params();
    }

    @Override
    public Mat apply(Mat image, StepParams params) {
        StepParams.as(Params.class, params, NAME);
        return DataVecTransforms.apply(new FlipImageTransform(1), image);
    }

    @Override
    public AugmentStep bind(ImageSize output) {
        return this;
    }
}
