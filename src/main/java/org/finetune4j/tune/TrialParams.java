package org.finetune4j.tune;

/**
 * One point of the search space.
 *
 * @param learningRate the learning rate
 * @param l2           the L2 penalty
 * @param dropout      the head's dropout, or null when not searched (the base configuration's is used)
 * @param headWidth    the width of one hidden head layer (0 = none), or null when not searched
 * @param freezeUntil  the freeze point, or null when not searched
 */
public record TrialParams(double learningRate, double l2, Double dropout, Integer headWidth, String freezeUntil) {
}
