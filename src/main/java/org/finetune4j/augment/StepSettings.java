package org.finetune4j.augment;

/**
 * A step as a recipe describes it, before the network's input size is known. Steps whose work does not depend on that
 * size (flips, rotation, colour) are their own settings; the others ({@link RandomCrop}, {@link ScaleShortSide},
 * {@link ResizeCenterCrop}) have a {@code Settings} record that {@link #bind}s to a size.
 */
public interface StepSettings {

    /**
     * @param output the network's input size, height × width
     * @return the step for that size
     */
    AugmentStep bind(ImageSize output);
}
