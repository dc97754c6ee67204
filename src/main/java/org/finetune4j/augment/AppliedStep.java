package org.finetune4j.augment;

/**
 * A step that was applied to one image, with the parameters it drew.
 *
 * @param name   the step's recipe name
 * @param params the parameters
 */
public record AppliedStep(String name, StepParams params) {
}
