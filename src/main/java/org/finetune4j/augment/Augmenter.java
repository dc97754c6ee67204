package org.finetune4j.augment;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.core.Seeds;

/**
 * Applies a recipe to decoded images for training: the result for an image depends only on (seed, epoch, image
 * index), never on thread scheduling or the order images are asked for, and is always exactly the network's input size
 * (so the final stretch of DataVec's {@code NativeImageLoader} is a no-op).
 * <pre>{@code
 * Augmenter augmenter = Augmenter.of(RecipeLoader.load("resnet-scale"), ImageSize.square(64), Seeds.of(12345));
 * try (Mat decoded = decoder.decode(file, name);
 *      Mat input = augmenter.augment(decoded, epoch, imageIndex)) {
 *     INDArray x = decoder.toArray(input);                   // [1, 3, 64, 64], BGR 0..255
 * }
 * }</pre>
 * Each image's generator is {@code seeds.forSample("augment", epoch, imageIndex)}; each step gets its own split of it,
 * so a step's draws do not shift when an earlier step is skipped. For every step, in order, the step is applied with
 * its probability (a draw below the probability), its parameters drawn for the current image size. Then the recipe's
 * {@link Recipe.Fit} brings the image to the input size. Immutable and thread-safe; use one instance from any number
 * of threads.
 */
public final class Augmenter {

    /** A recipe step bound to the input size. */
    private record BoundStep(String name, double probability, AugmentStep step) {
    }

    private final Recipe recipe;
    private final ImageSize output;
    private final Seeds seeds;
    private final List<BoundStep> steps;

    private Augmenter(Recipe recipe, ImageSize output, Seeds seeds) {
        this.recipe = Objects.requireNonNull(recipe, "recipe");
        this.output = Objects.requireNonNull(output, "output");
        this.seeds = Objects.requireNonNull(seeds, "seeds");
        List<BoundStep> bound = new ArrayList<>();
        for (RecipeStep s : recipe.steps()) {
            bound.add(new BoundStep(s.name(), s.probability(), s.settings().bind(output)));
        }
        this.steps = List.copyOf(bound);
    }

    /**
     * @param recipe the recipe
     * @param output the network's input size, height × width
     * @param seeds  the run's seeds
     * @return an augmenter producing images of exactly {@code output}
     */
    public static Augmenter of(Recipe recipe, ImageSize output, Seeds seeds) {
        return new Augmenter(recipe, output, seeds);
    }

    /** @return the recipe applied */
    public Recipe recipe() {
        return recipe;
    }

    /** @return the size of every image this augmenter returns */
    public ImageSize output() {
        return output;
    }

    /**
     * Augments one image for one epoch.
     *
     * @param decoded    an 8-bit image with 1 or 3 channels (BGR), e.g. from {@code ImageDecoder.decode}; not
     *                   modified or closed
     * @param epoch      the epoch, from 0
     * @param imageIndex the image's stable index in the training set (not its position in a shuffled batch)
     * @return a new image of exactly {@link #output()}; the caller closes it
     */
    public Mat augment(Mat decoded, long epoch, long imageIndex) {
        return augmentAndDescribe(decoded, epoch, imageIndex).image();
    }

    /** Like {@link #augment}, also returning the steps applied and their parameters (for previews and reports). */
    public Augmented augmentAndDescribe(Mat decoded, long epoch, long imageIndex) {
        return augment(decoded, seeds.forSample("augment", epoch, imageIndex));
    }

    /**
     * Augments one image with an explicit generator (tests; callers normally use {@link #augment}).
     *
     * @param decoded an 8-bit image with 1 or 3 channels; not modified or closed
     * @param rng     the image's generator; consumed
     */
    public Augmented augment(Mat decoded, SplittableRandom rng) {
        check(decoded);
        List<AppliedStep> applied = new ArrayList<>();
        Mat current = decoded;
        try {
            for (BoundStep s : steps) {
                SplittableRandom stepRng = rng.split();
                boolean on = s.probability() >= 1 || stepRng.nextDouble() < s.probability();
                if (!on) {
                    continue;
                }
                StepParams params = s.step().sample(stepRng, ImageSize.of(current));
                Mat next = s.step().apply(current, params);
                if (current != decoded) {
                    current.close();
                }
                current = next;
                applied.add(new AppliedStep(s.name(), params));
            }
            Mat fitted;
            if (ImageSize.of(current).equals(output)) {
                fitted = current == decoded ? decoded.clone() : current;
            } else {
                fitted = fit(current);
                if (current != decoded) {
                    current.close();
                }
            }
            current = null;
            return new Augmented(fitted, applied);
        } catch (RuntimeException e) {
            if (current != null && current != decoded) {
                current.close();
            }
            throw e;
        }
    }

    private Mat fit(Mat image) {
        return switch (recipe.fit()) {
            case CENTER_CROP -> Geometry.coverAndCenterCrop(image, output);
            case STRETCH -> Geometry.resize(image, output.width(), output.height());
        };
    }

    private static void check(Mat image) {
        if (image == null || image.empty()) {
            throw new IllegalArgumentException("cannot augment an empty image");
        }
        if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
            throw new IllegalArgumentException("augmentation needs an 8-bit image with 1 or 3 channels; received "
                    + "depth " + image.depth() + " with " + image.channels() + " channels (decode with "
                    + "ImageDecoder)");
        }
    }
}
