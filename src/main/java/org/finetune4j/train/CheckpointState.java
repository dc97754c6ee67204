package org.finetune4j.train;

import org.finetune4j.run.History;

/**
 * Where a run is, so that {@code --resume} can continue it exactly.
 *
 * @param stage      1 or 2
 * @param epochIndex the global epoch (0-based) in progress; equal to the number of finished epochs when
 *                   {@code nextBatch} is 0
 * @param stageEpoch the epoch within the stage (0-based), for the learning-rate schedule
 * @param nextBatch  the first batch of {@code epochIndex} still to train
 * @param progress   what the epoch in progress has done so far
 * @param history    the finished epochs
 * @param stopping   the early-stopping state
 */
public record CheckpointState(int stage, int epochIndex, int stageEpoch, int nextBatch, EpochProgress progress,
                              History history, Stopping stopping) {

    /**
     * The epoch in progress, up to the checkpoint.
     *
     * @param lossSum training loss summed over the batches done
     * @param hits    correct training predictions
     * @param seen    training images seen
     * @param seconds seconds spent in the epoch before the checkpoint
     */
    public record EpochProgress(double lossSum, long hits, long seen, double seconds) {
        /** @return an epoch not started */
        public static EpochProgress none() {
            return new EpochProgress(0, 0, 0, 0);
        }
    }

    /**
     * Early stopping, carried across epochs and stages.
     *
     * @param bestScore the early-stopping score of the best epoch (higher is better)
     * @param waited    epochs since the best one
     * @param stopped   whether early stopping ended the stage
     */
    public record Stopping(double bestScore, int waited, boolean stopped) {
        /** @return before any epoch: no best score yet */
        public static Stopping start() {
            return new Stopping(Double.NEGATIVE_INFINITY, 0, false);
        }
    }

    /** @return the state at the very start of a run */
    public static CheckpointState start() {
        return new CheckpointState(1, 0, 0, 0, EpochProgress.none(), History.empty(), Stopping.start());
    }

    /**
     * @param next the stage that starts (2)
     * @return the state at its start: the global epoch count and the history go on, the best score carries over (a
     *         later stage must beat the earlier one's best epoch), patience starts afresh
     */
    public CheckpointState startStage(int next) {
        return new CheckpointState(next, epochIndex, 0, 0, EpochProgress.none(), history,
                new Stopping(stopping.bestScore(), 0, false));
    }
}
