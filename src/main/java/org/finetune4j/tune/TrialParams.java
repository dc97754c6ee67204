package org.finetune4j.tune;

/**
 * One point of the search space. A fine-tuning search sets the learning rate and the L2 penalty (and whatever else
 * it searches); a features-mode search sets only {@code c}.
 *
 * @param learningRate the learning rate, or null when not searched (features mode)
 * @param l2           the L2 penalty, or null when not searched (features mode)
 * @param dropout      the head's dropout, or null when not searched (the base configuration's is used)
 * @param headWidth    the width of one hidden head layer (0 = none), or null when not searched
 * @param freezeUntil  the freeze point, or null when not searched
 * @param c            the linear classifier's inverse regularization strength (features mode), or null when not
 *                     searched
 */
public record TrialParams(Double learningRate, Double l2, Double dropout, Integer headWidth, String freezeUntil,
                          Double c) {
}
