package org.finetune4j.augment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The registry of recipe steps: each name a recipe may use, its default probability, its keys, and how its keys
 * become settings. {@code augment/README.md} documents the same list; a test keeps the two in step.
 */
public final class Steps {

    /**
     * One kind of step.
     *
     * @param name               the name used in recipes ({@code step: hflip})
     * @param defaultProbability the probability when the recipe gives none
     * @param keys               the keys the step accepts besides {@code step} and {@code probability}
     * @param parser             turns the step's keys into its settings
     */
    record StepType(String name, double defaultProbability, List<String> keys,
                    Function<StepFields, StepSettings> parser) {
    }

    private static final Map<String, StepType> TYPES = new LinkedHashMap<>();

    static {
        for (Flip.Axis axis : Flip.Axis.values()) {
            add(axis.stepName(), 0.5, List.of(), f -> new Flip(axis));
        }
        add(RandomCrop.NAME, 1, List.of(), f -> RandomCrop.Settings.defaults());
        add(ScaleShortSide.NAME, 1, List.of("short-side-px", "reference-input-px"), f -> {
            ScaleShortSide.Settings d = ScaleShortSide.Settings.defaults();
            return new ScaleShortSide.Settings(f.wholeRange("short-side-px", d.shortSidePx()),
                    f.wholeNumber("reference-input-px", d.referenceInputPx()));
        });
        add(ResizeCenterCrop.NAME, 1, List.of("short-side-px", "reference-input-px"), f -> {
            ResizeCenterCrop.Settings d = ResizeCenterCrop.Settings.defaults();
            return new ResizeCenterCrop.Settings(f.wholeNumber("short-side-px", d.shortSidePx()),
                    f.wholeNumber("reference-input-px", d.referenceInputPx()));
        });
        add(Translate.NAME, 1, List.of("x-fraction", "y-fraction", "border"), f -> {
            Translate d = Translate.defaults();
            return new Translate(f.range("x-fraction", d.xFraction()), f.range("y-fraction", d.yFraction()),
                    f.border("border", d.border()));
        });
        add(Rotate.NAME, 1, List.of("degrees", "border"), f -> {
            Rotate d = Rotate.defaults();
            return new Rotate(f.range("degrees", d.degrees()), f.border("border", d.border()));
        });
        add(Stretch.NAME, 1, List.of("aspect-ratio"), f ->
                new Stretch(f.range("aspect-ratio", Stretch.defaults().aspectRatio())));
        add(Shear.NAME, 1, List.of("x-degrees", "y-degrees", "border"), f -> {
            Shear d = Shear.defaults();
            return new Shear(f.range("x-degrees", d.xDegrees()), f.range("y-degrees", d.yDegrees()),
                    f.border("border", d.border()));
        });
        add(LensDistortion.NAME, 1, List.of("strength", "border"), f -> {
            LensDistortion d = LensDistortion.defaults();
            return new LensDistortion(f.range("strength", d.strength()), f.border("border", d.border()));
        });
        add(ColorJitter.NAME, 1, List.of("brightness-factor", "contrast-factor", "saturation-factor"), f -> {
            ColorJitter d = ColorJitter.defaults();
            return new ColorJitter(f.range("brightness-factor", d.brightnessFactor()),
                    f.range("contrast-factor", d.contrastFactor()),
                    f.range("saturation-factor", d.saturationFactor()));
        });
    }

    private Steps() {
    }

    private static void add(String name, double defaultProbability, List<String> keys,
                            Function<StepFields, StepSettings> parser) {
        TYPES.put(name, new StepType(name, defaultProbability, keys, parser));
    }

    /** @return every step name a recipe may use, in the order {@code augment/README.md} lists them */
    public static List<String> names() {
        return List.copyOf(TYPES.keySet());
    }

    /** @return the step's keys besides {@code step} and {@code probability} */
    public static List<String> keys(String name) {
        StepType t = TYPES.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no step " + name);
        }
        return t.keys();
    }

    static Optional<StepType> find(String name) {
        return Optional.ofNullable(TYPES.get(name));
    }
}
