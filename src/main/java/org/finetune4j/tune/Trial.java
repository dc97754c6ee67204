package org.finetune4j.tune;

/**
 * A finished trial.
 *
 * @param index  0-based trial number; its parameters come from the seed stream {@code search-trial/index}
 * @param stage  {@code coarse} or {@code fine}
 * @param params the point tried
 * @param score  how it did
 */
public record Trial(int index, String stage, TrialParams params, TrialScore score) {
}
