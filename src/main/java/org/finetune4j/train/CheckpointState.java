package org.finetune4j.train;

import org.finetune4j.run.History;

/**
 * Where a run is, so that {@code --resume} can continue it exactly.
 *
 * @param stage            1 or 2
 * @param epochIndex       the global epoch (0-based) in progress; equal to the number of finished epochs when
 *                         {@code nextBatch} is 0
 * @param stageEpoch       the epoch within the stage (0-based), for the learning-rate schedule
 * @param nextBatch        the first batch of {@code epochIndex} still to train
 * @param lossSum          training loss summed over the batches done in the epoch in progress
 * @param hits             correct training predictions in the epoch in progress
 * @param seen             training images seen in the epoch in progress
 * @param epochSeconds     seconds spent in the epoch in progress before the checkpoint
 * @param history          the finished epochs
 * @param bestScore        the early-stopping score of the best epoch (higher is better)
 * @param waited           epochs since the best one
 * @param stopped          whether early stopping ended the stage
 */
public record CheckpointState(int stage, int epochIndex, int stageEpoch, int nextBatch, double lossSum, long hits,
                              long seen, double epochSeconds, History history, double bestScore, int waited,
                              boolean stopped) {

    /** @return the state at the very start of a run */
    public static CheckpointState start() {
        return new CheckpointState(1, 0, 0, 0, 0, 0, 0, 0, History.empty(), Double.NEGATIVE_INFINITY, 0, false);
    }
}
