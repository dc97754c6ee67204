package org.finetune4j.augment;

import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The evaluation view: resize the short side to S (aspect kept), then cut out the center at the network's input size
 * (offsets rounded down when the margin is odd). Deterministic. Recipe name {@code resize-center-crop}; the standard
 * single-crop test view of Simonyan &amp; Zisserman 2014 and He et al. 2015 (S = 256 for a 224 crop). If S leaves a
 * side shorter than the input, the image is enlarged until it covers the input first. The crop goes through DataVec's
 * {@code CropImageTransform} with fixed margins.
 *
 * @param shortSidePx S, in pixels at the actual input size
 * @param output      the network's input size
 */
public record ResizeCenterCrop(int shortSidePx, ImageSize output) implements AugmentStep {

    /** The step's name in recipes. */
    public static final String NAME = "resize-center-crop";

    /** @throws SettingException if S is out of range */
    public ResizeCenterCrop {
        SettingException.requireWithin(NAME, "short-side-px", shortSidePx, 1, ImageSize.MAX_SIDE, "px");
        Objects.requireNonNull(output, "output");
    }

    /**
     * The step as written in a recipe.
     *
     * @param shortSidePx      S, in pixels at an input of {@code referenceInputPx}
     * @param referenceInputPx the input side S is given for; S scales by (actual input short side) / (this)
     */
    public record Settings(int shortSidePx, int referenceInputPx) implements StepSettings {

        /** @throws SettingException if S or the reference is out of range */
        public Settings {
            SettingException.requireWithin(NAME, "short-side-px", shortSidePx, 1, ImageSize.MAX_SIDE, "px");
            SettingException.requireWithin(NAME, "reference-input-px", referenceInputPx, 1, ImageSize.MAX_SIDE,
                    "px");
        }

        /** @return S = 256 for a 224-px input (S = 73 for a 64-px input) */
        public static Settings defaults() {
            return new Settings(256, 224);
        }

        @Override
        public AugmentStep bind(ImageSize output) {
            int s = Math.max(1, (int) Math.round((double) shortSidePx * output.shortSide() / referenceInputPx));
            return new ResizeCenterCrop(s, output);
        }
    }

    /** No parameters: the view is fixed. */
    public record Params() implements StepParams {
        @Override
        public String describe() {
            return "center crop";
        }
    }

    @Override
    public StepParams sample(SplittableRandom rng, ImageSize in) {
        return new Params();
    }

    @Override
    public Mat apply(Mat image, StepParams params) {
        StepParams.as(Params.class, params, NAME);
        ImageSize size = Geometry.shortSideSize(ImageSize.of(image), shortSidePx);
        try (Mat resized = Geometry.resize(image, size.width(), size.height())) {
            if (size.covers(output)) {
                return Geometry.centerCrop(resized, output);
            }
            try (Mat covered = Geometry.cover(resized, output)) {
                return Geometry.centerCrop(covered, output);
            }
        }
    }
}
