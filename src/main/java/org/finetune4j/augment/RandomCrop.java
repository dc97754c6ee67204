package org.finetune4j.augment;

import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Cuts out a window of exactly the network's input size at a random position, each position equally likely. Recipe
 * name {@code random-crop}; no keys besides {@code probability} (default 1). An image smaller than the window in
 * either side is first enlarged, keeping its aspect ratio, until it just covers the window. The window is copied
 * through DataVec's {@code CropImageTransform} with fixed margins (DataVec's {@code RandomCropTransform} draws from and
 * reseeds ND4J's global generator, so it is not used).
 *
 * @param output the window size: the network's input size
 */
public record RandomCrop(ImageSize output) implements AugmentStep {

    /** The step's name in recipes. */
    public static final String NAME = "random-crop";

    /** @param output the network's input size */
    public RandomCrop {
        Objects.requireNonNull(output, "output");
    }

    /** A random crop as written in a recipe: no settings, the window is the network's input size. */
    public record Settings() implements StepSettings {
        /** @return the settings (there are none to choose) */
        public static Settings defaults() {
            return new Settings();
        }

        @Override
        public AugmentStep bind(ImageSize output) {
            return new RandomCrop(output);
        }
    }

    /**
     * Where the window goes.
     *
     * @param x left column of the window, in the image after any enlarging
     * @param y top row of the window, in the image after any enlarging
     */
    public record Params(int x, int y) implements StepParams {
        @Override
        public String describe() {
            return "crop at " + x + "," + y;
        }
    }

    @Override
    public StepParams sample(SplittableRandom rng, ImageSize in) {
        ImageSize covered = Geometry.coverSize(in, output);
        int x = rng.nextInt(covered.width() - output.width() + 1);
        int y = rng.nextInt(covered.height() - output.height() + 1);
        return new Params(x, y);
    }

    @Override
    public Mat apply(Mat image, StepParams params) {
        Params p = StepParams.as(Params.class, params, NAME);
        if (ImageSize.of(image).covers(output)) {
            return Geometry.crop(image, p.x(), p.y(), output);
        }
        try (Mat covered = Geometry.cover(image, output)) {
            return Geometry.crop(covered, p.x(), p.y(), output);
        }
    }
}
