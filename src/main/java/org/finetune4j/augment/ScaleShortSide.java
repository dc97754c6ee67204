package org.finetune4j.augment;

import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Resizes the image, keeping its aspect ratio, so that its short side is a length L drawn uniformly from a range: the
 * scale augmentation of He et al. 2015, "Deep Residual Learning for Image Recognition" (§3.4: short side in [256, 480],
 * then a random 224×224 crop), which follows Simonyan &amp; Zisserman 2014, "Very Deep Convolutional Networks for
 * Large-Scale Image Recognition" (§3.1, scale jittering with S in [256, 512]). Follow it with {@code random-crop}.
 * Recipe name {@code scale-short-side}. DataVec has no aspect-preserving resize, so this step is our own; it uses
 * area interpolation when shrinking and bilinear when enlarging.
 *
 * @param minPx the smallest short side, in pixels at the actual input size
 * @param maxPx the largest short side, in pixels at the actual input size
 */
public record ScaleShortSide(int minPx, int maxPx) implements AugmentStep {

    /** The step's name in recipes. */
    public static final String NAME = "scale-short-side";

    /** @throws SettingException if the bounds are not 1 &le; min &le; max */
    public ScaleShortSide {
        SettingException.requireWithin(NAME, "short-side-px", minPx, 1, ImageSize.MAX_SIDE, "px");
        SettingException.requireWithin(NAME, "short-side-px", maxPx, minPx, ImageSize.MAX_SIDE, "px");
    }

    /**
     * The step as written in a recipe: lengths given for a reference input size and scaled with the actual one, so
     * that one recipe serves a 224-px VGG and a 64-px network alike.
     *
     * @param shortSidePx      the range of L, in pixels at an input of {@code referenceInputPx}; whole numbers
     * @param referenceInputPx the input side the lengths are given for; L scales by (actual input short side) /
     *                         (this)
     */
    public record Settings(Range shortSidePx, int referenceInputPx) implements StepSettings {

        /** @throws SettingException if a length or the reference is out of range */
        public Settings {
            Objects.requireNonNull(shortSidePx, "shortSidePx");
            SettingException.requireWithin(NAME, "short-side-px", shortSidePx, 1, ImageSize.MAX_SIDE, "px");
            SettingException.requireWithin(NAME, "reference-input-px", referenceInputPx, 1, ImageSize.MAX_SIDE,
                    "px");
        }

        /** @return the ResNet setting: L in [256, 480] for a 224-px input */
        public static Settings defaults() {
            return new Settings(new Range(256, 480), 224);
        }

        @Override
        public AugmentStep bind(ImageSize output) {
            double scale = (double) output.shortSide() / referenceInputPx;
            int min = Math.max(1, (int) Math.round(shortSidePx.min() * scale));
            int max = Math.max(min, (int) Math.round(shortSidePx.max() * scale));
            return new ScaleShortSide(min, max);
        }
    }

    /** @param shortSidePx the drawn short side L, in pixels */
    public record Params(int shortSidePx) implements StepParams {
        @Override
        public String describe() {
            return "short side " + shortSidePx;
        }
    }

    @Override
    public StepParams sample(SplittableRandom rng, ImageSize in) {
        return new Params(minPx == maxPx ? minPx : minPx + rng.nextInt(maxPx - minPx + 1));
    }

    @Override
    public Mat apply(Mat image, StepParams params) {
        Params p = StepParams.as(Params.class, params, NAME);
        ImageSize size = Geometry.shortSideSize(ImageSize.of(image), p.shortSidePx());
        return Geometry.resize(image, size.width(), size.height());
    }
}
