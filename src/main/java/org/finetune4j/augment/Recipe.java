package org.finetune4j.augment;

import java.util.List;
import java.util.Objects;
import org.finetune4j.core.UsageException;

/**
 * An augmentation recipe: an ordered list of steps, each applied to an image with its probability, and how the result
 * is brought to exactly the network's input size. Loaded from YAML by {@link RecipeLoader}; applied by
 * {@link Augmenter}.
 * <pre>
 * version: 1
 * fit: center-crop            # how the result is brought to the input size (center-crop or stretch)
 * steps:
 *   - step: scale-short-side
 *     short-side-px: [256, 480]
 *     reference-input-px: 224
 *   - step: random-crop
 *   - step: hflip
 *     probability: 0.5
 * </pre>
 *
 * @param version the recipe format version; only {@value #VERSION} exists
 * @param steps   the steps in the order they are applied
 * @param fit     how the image is brought to the input size after the steps, if it is not already that size
 * @param source  where the recipe came from, e.g. {@code augment/flip-crop.yaml} (for messages and reports)
 */
public record Recipe(int version, List<RecipeStep> steps, Fit fit, String source) {

    /** The only recipe format version. */
    public static final int VERSION = 1;

    /** How the output of the steps is brought to exactly the network's input size (a no-op if it already is). */
    public enum Fit {
        /**
         * Scale, keeping the aspect ratio, so that the image just covers the input size (the short side, relative
         * to the input, becomes the input's), then cut out the center. Nothing is stretched.
         */
        CENTER_CROP("center-crop"),
        /** Resize to the input size, ignoring the aspect ratio (what DataVec's loader does); nothing is cut off. */
        STRETCH("stretch");

        private final String key;

        Fit(String key) {
            this.key = key;
        }

        /** @return the word used in recipes */
        public String key() {
            return key;
        }
    }

    /** @throws UsageException if the version is not {@value #VERSION} */
    public Recipe {
        if (version != VERSION) {
            throw new UsageException(source + ": unsupported recipe version " + version + ". Expected version: "
                    + VERSION + "; received " + version + ". Write version: 1 (augment/README.md describes it).");
        }
        steps = List.copyOf(steps);
        Objects.requireNonNull(fit, "fit");
        Objects.requireNonNull(source, "source");
    }

    /** @return the recipe that changes nothing but the size: no steps, {@link Fit#CENTER_CROP} */
    public static Recipe defaults() {
        return new Recipe(VERSION, List.of(), Fit.CENTER_CROP, "defaults");
    }

    /** @return the recipe with these steps, made in code */
    public static Recipe of(Fit fit, RecipeStep... steps) {
        return new Recipe(VERSION, List.of(steps), fit, "code");
    }

    /** @return the step names in order, e.g. {@code [scale-short-side, random-crop, hflip]} */
    public List<String> stepNames() {
        return steps.stream().map(RecipeStep::name).toList();
    }

    /**
     * @return the steps and fit of the recipe, without its source and line numbers: the part that changes the
     *         pictures (a cache key of augmented views)
     */
    public String key() {
        StringBuilder s = new StringBuilder("fit=").append(fit);
        steps.forEach(st -> s.append(';').append(st.name()).append('@').append(st.probability()).append('=')
                .append(st.settings()));
        return s.toString();
    }
}
