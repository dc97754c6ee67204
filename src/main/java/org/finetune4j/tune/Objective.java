package org.finetune4j.tune;

/**
 * What the search maximises. The fine-tuning objective trains a short run per trial ({@link FineTuneObjective}); the
 * features-mode objective cross-validates a linear classifier on cached features ({@link FeaturesObjective}).
 */
@FunctionalInterface
public interface Objective {
    /**
     * Scores one point. Returns a failed {@link TrialScore} (NaN score) for a trial that broke down (e.g. a
     * diverging loss); throws only for problems no trial can escape (bad data, bad options).
     *
     * @param params the point
     * @param index  the trial's number (for naming its scratch folder)
     */
    TrialScore score(TrialParams params, int index);
}
