package org.finetune4j.augment;

import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.datavec.image.transform.FlipImageTransform;

/**
 * Mirrors the image about one axis. Recipe names {@code hflip} (left–right: pixel (x, y) moves to (w-1-x, y)) and
 * {@code vflip} (top–bottom: (x, y) moves to (x, h-1-y); only for images without an "up": cells, textures, aerial
 * photos); no keys besides {@code probability} (default 0.5). Wraps DataVec's {@code FlipImageTransform(1)} or
 * {@code FlipImageTransform(0)}, called without a {@link java.util.Random} (given one, it would pick among four flips).
 * <pre>{@code
 * Flip hflip = Flip.horizontal();
 * Mat mirrored = hflip.apply(image, new Flip.Params(Flip.Axis.HORIZONTAL));
 * }</pre>
 *
 * @param axis which way the image is mirrored
 */
public record Flip(Axis axis) implements AugmentStep, StepSettings {

    /** Which way a flip mirrors the image. */
    public enum Axis {
        /** Left–right, recipe name {@code hflip}. */
        HORIZONTAL,
        /** Top–bottom, recipe name {@code vflip}. */
        VERTICAL;

        /** @return the step's name in recipes, {@code hflip} or {@code vflip} */
        public String stepName() {
            return this == HORIZONTAL ? "hflip" : "vflip";
        }

        /** @return DataVec's flip code: 1 mirrors about the vertical axis (left–right), 0 about the horizontal one */
        int flipCode() {
            return this == HORIZONTAL ? 1 : 0;
        }
    }

    /** @throws NullPointerException if the axis is missing */
    public Flip {
        Objects.requireNonNull(axis, "axis");
    }

    /** @return the left–right flip, {@code hflip} */
    public static Flip horizontal() {
        return new Flip(Axis.HORIZONTAL);
    }

    /** @return the top–bottom flip, {@code vflip} */
    public static Flip vertical() {
        return new Flip(Axis.VERTICAL);
    }

    /**
     * A flip has no drawn parameters: whether it happens is the recipe's probability.
     *
     * @param axis the flip's axis, so that the parameters of one flip are not taken by the other
     */
    public record Params(Axis axis) implements StepParams {
        @Override
        public String describe() {
            return axis.stepName();
        }
    }

    @Override
    public StepParams sample(SplittableRandom rng, ImageSize in) {
        return new Params(axis);
    }

    @Override
    public Mat apply(Mat image, StepParams params) {
        String name = axis.stepName();
        if (StepParams.as(Params.class, params, name).axis() != axis) {
            throw new IllegalArgumentException("step " + name + " needs " + name + " parameters; received "
                    + params.describe());
        }
        return DataVecTransforms.apply(new FlipImageTransform(axis.flipCode()), image);
    }

    @Override
    public AugmentStep bind(ImageSize output) {
        return this;
    }
}
