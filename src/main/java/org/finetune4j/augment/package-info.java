/**
 * Augmentation: recipes (YAML files in {@code augment/}) of steps with probabilities and ranges, each step built on
 * DataVec image transforms with deterministic arguments or written here where DataVec lacks one, and the
 * {@link org.finetune4j.augment.Augmenter} that applies a recipe reproducibly per (seed, epoch, image).
 */
package org.finetune4j.augment;
