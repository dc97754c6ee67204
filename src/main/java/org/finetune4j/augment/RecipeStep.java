package org.finetune4j.augment;

import java.util.Locale;
import java.util.Objects;

/**
 * One step of a recipe: which step, how likely it is applied to an image, and its settings.
 *
 * @param name        the step's recipe name, e.g. {@code hflip}
 * @param probability chance in [0, 1] that the step is applied to a given image in a given epoch
 * @param settings    the step's settings (bound to the network's input size by the {@link Augmenter})
 * @param line        the line of the recipe file where the step starts (1-based), or 0 for steps made in code
 */
public record RecipeStep(String name, double probability, StepSettings settings, int line) {

    /** @throws SettingException (a usage error) if the probability is outside [0, 1] */
    public RecipeStep {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(settings, "settings");
        if (!(probability >= 0 && probability <= 1)) {
            throw new SettingException("probability", String.format(Locale.ROOT, "probability of step \"%s\" is "
                    + "outside [0, 1]. Expected a number from 0 to 1; received %s. A probability is a fraction "
                    + "(0.5 = every other image), not a percentage.", name, Range.number(probability)));
        }
    }

    /** @return a step applied to every image, made in code */
    public static RecipeStep always(String name, StepSettings settings) {
        return new RecipeStep(name, 1.0, settings, 0);
    }
}
