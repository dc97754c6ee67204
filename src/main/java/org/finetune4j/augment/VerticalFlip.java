package org.finetune4j.augment;

import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.datavec.image.transform.FlipImageTransform;

/**
 * Mirrors the image top–bottom: pixel (x, y) moves to (x, h-1-y). Recipe name {@code vflip}; no keys besides
 * {@code probability} (default 0.5). Only for images without an "up" (cells, textures, aerial photos). Wraps DataVec's
 * {@code FlipImageTransform(0)}, called without a {@link java.util.Random}.
 */
public record VerticalFlip() implements AugmentStep, StepSettings {

    /** The step's name in recipes. */
    public static final String NAME = "vflip";

    /** A vertical flip has no parameters: whether it happens is the recipe's probability. */
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
        return DataVecTransforms.apply(new FlipImageTransform(0), image);
    }

    @Override
    public AugmentStep bind(ImageSize output) {
        return this;
    }
}
