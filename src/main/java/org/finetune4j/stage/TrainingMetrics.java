package org.finetune4j.stage;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.finetune4j.core.RunInfo;
import org.finetune4j.data.BadImage;
import org.finetune4j.data.DatasetReport;
import org.finetune4j.run.EpochStats;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.run.TrainResult;

/**
 * What a fine-tuning (or scratch) run writes to its report's {@code metrics.json}, one component a key
 * ({@code test-accuracy}, {@code history}, ...; the keys are flat, as scripts read them). Keys are written in
 * alphabetical order; NaN scores are written as null.
 *
 * @param run          the run's name (the report folder's name)
 * @param bundle       the bundle folder written
 * @param testAccuracy centre-crop accuracy on the held-out test split, or null without one
 * @param testLoss     its loss, or null
 * @param bestEpoch    the epoch kept
 * @param bestEpochBy  the early-stopping metric that chose it
 * @param diagnosis    the fit in words (under-, over- or well fitted)
 * @param history      every epoch's numbers
 * @param frozenLayers the layers that were frozen
 * @param badImages    the files left out, with reasons
 * @param leaks        byte-identical files across the split
 * @param seconds      the run's wall-clock time
 * @param config       the run's configuration
 * @param runInfo      versions, platform, seed and time
 */
@JsonPropertyOrder(alphabetic = true)
public record TrainingMetrics(String run, String bundle, Double testAccuracy, Double testLoss, int bestEpoch,
                              String bestEpochBy, String diagnosis, List<EpochStats> history, List<String> frozenLayers,
                              List<BadImage> badImages, List<DatasetReport.DuplicateGroup> leaks, double seconds,
                              TrainConfig config, RunInfo runInfo) {

    /** @return the metrics of a finished run */
    static TrainingMetrics of(String run, TrainConfig cfg, TrainResult r) {
        return new TrainingMetrics(run, r.bundleDir().toString(), nanToNull(r.testAccuracy()),
                nanToNull(r.testLoss()), r.history().bestEpoch(), cfg.schedule().earlyStopping().metric(),
                r.history().diagnosis(), r.history().epochs(), r.frozen(), r.badImages(), r.leaks(), r.seconds(), cfg,
                RunInfo.current(cfg.seed()));
    }

    /** @return null for NaN (JSON has no NaN), else the value */
    static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
