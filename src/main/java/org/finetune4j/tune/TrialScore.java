package org.finetune4j.tune;

/**
 * How a trial did.
 *
 * @param score        what the search maximises: validation accuracy (or mean cross-validation accuracy); NaN when
 *                     the trial failed
 * @param valLoss      validation loss at the kept epoch (tie-breaker); NaN when unknown
 * @param testAccuracy test accuracy, for the record only (never used to choose); NaN when unknown
 * @param seconds      wall-clock time of the trial
 * @param error        why the trial failed, or null
 */
public record TrialScore(double score, double valLoss, double testAccuracy, double seconds, String error) {
    /** @return a failed trial's score */
    public static TrialScore failed(String error, double seconds) {
        return new TrialScore(Double.NaN, Double.NaN, Double.NaN, seconds, error);
    }
}
