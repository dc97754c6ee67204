package org.finetune4j.api;

/**
 * One label and the probability the model gives it.
 *
 * @param label       the class name, as in the bundle's labels
 * @param probability softmax probability in [0, 1]
 */
public record LabelScore(String label, double probability) {
}
