package org.finetune4j.report;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-epoch loss and accuracy of one training run, the input of {@link Plots#learningCurves(java.nio.file.Path,
 * String, LearningCurves)}. A missing value is {@code NaN}; a curve that was not recorded at all (e.g. no validation
 * split) may be passed as {@code null} and becomes all-{@code NaN}. Arrays are copied in and out.
 * <pre>{@code
 * LearningCurves curves = LearningCurves.of(new int[] {1, 2, 3}, trainLoss, valLoss, trainAcc, valAcc)
 *         .withBestEpoch(2)
 *         .withStageBoundaryEpoch(3);   // epoch 3 was the first after unfreezing
 * }</pre>
 *
 * @param epochs             epoch numbers, strictly increasing, at least one (usually 1, 2, ..., n)
 * @param trainLoss          training loss per epoch, one value per epoch; {@code NaN} where unknown (infinite values,
 *                           e.g. of a diverged epoch, are not drawn either)
 * @param valLoss            validation loss per epoch; {@code NaN} where unknown
 * @param trainAccuracy      training accuracy per epoch as a fraction in [0, 1]; {@code NaN} where unknown
 * @param valAccuracy        validation accuracy per epoch as a fraction in [0, 1]; {@code NaN} where unknown
 * @param bestEpoch          the epoch to mark as best (e.g. whose weights were kept), one of {@code epochs}; or
 *                           {@code null} for no mark
 * @param stageBoundaryEpoch the first epoch of a second training stage (e.g. after unfreezing more layers), later
 *                           than the first epoch; or {@code null} for a single stage
 * @param bestEpochBy        what chose the best epoch, drawn with its mark (e.g. {@code "val loss"}); or
 *                           {@code null} to leave it unsaid
 */
public record LearningCurves(int[] epochs, double[] trainLoss, double[] valLoss, double[] trainAccuracy,
                             double[] valAccuracy, Integer bestEpoch, Integer stageBoundaryEpoch,
                             String bestEpochBy) {

    /** Curves whose best epoch's criterion is not said; see the record components. */
    public LearningCurves(int[] epochs, double[] trainLoss, double[] valLoss, double[] trainAccuracy,
                          double[] valAccuracy, Integer bestEpoch, Integer stageBoundaryEpoch) {
        this(epochs, trainLoss, valLoss, trainAccuracy, valAccuracy, bestEpoch, stageBoundaryEpoch, null);
    }

    /**
     * Validates and copies the curves.
     *
     * @throws IllegalArgumentException if there are no epochs, epochs do not increase, a curve's length differs from
     *                                  the number of epochs, an accuracy is outside [0, 1], or a marked epoch is not
     *                                  within the epochs
     */
    public LearningCurves {
        if (epochs == null || epochs.length == 0) {
            throw new IllegalArgumentException("learning curves epochs: no epochs. Expected at least one epoch number; "
                    + "received " + (epochs == null ? "null" : "an empty array") + ". Pass the epochs that were run.");
        }
        epochs = epochs.clone();
        for (int i = 1; i < epochs.length; i++) {
            if (epochs[i] <= epochs[i - 1]) {
                throw new IllegalArgumentException("learning curves epochs: not strictly increasing at index " + i
                        + ". Expected each epoch larger than the one before; received " + epochs[i - 1] + " then "
                        + epochs[i] + ". Pass the epochs in order, each once.");
            }
        }
        trainLoss = curve("trainLoss", trainLoss, epochs, false);
        valLoss = curve("valLoss", valLoss, epochs, false);
        trainAccuracy = curve("trainAccuracy", trainAccuracy, epochs, true);
        valAccuracy = curve("valAccuracy", valAccuracy, epochs, true);
        if (bestEpoch != null && Arrays.stream(epochs).noneMatch(e -> e == bestEpoch)) {
            throw new IllegalArgumentException("learning curves bestEpoch: epoch " + bestEpoch + " was not run. "
                    + "Expected one of the epochs " + epochs[0] + ".." + epochs[epochs.length - 1] + "; received "
                    + bestEpoch + ". Pass an epoch from the epochs array, or null.");
        }
        if (stageBoundaryEpoch != null
                && (stageBoundaryEpoch <= epochs[0] || stageBoundaryEpoch > epochs[epochs.length - 1])) {
            throw new IllegalArgumentException("learning curves stageBoundaryEpoch: outside the run. Expected the "
                    + "first epoch of the second stage, in " + (epochs[0] + 1) + ".." + epochs[epochs.length - 1]
                    + "; received " + stageBoundaryEpoch + ". Pass null for a single-stage run.");
        }
    }

    /** Curves without marks; see the record components for what each array holds. */
    public static LearningCurves of(int[] epochs, double[] trainLoss, double[] valLoss, double[] trainAccuracy,
                                    double[] valAccuracy) {
        return new LearningCurves(epochs, trainLoss, valLoss, trainAccuracy, valAccuracy, null, null);
    }

    /** These curves with {@code epoch} marked as best. */
    public LearningCurves withBestEpoch(int epoch) {
        return new LearningCurves(epochs, trainLoss, valLoss, trainAccuracy, valAccuracy, epoch, stageBoundaryEpoch,
                bestEpochBy);
    }

    /** These curves with {@code epoch} marked as best, chosen by {@code by} (e.g. {@code "val loss"}). */
    public LearningCurves withBestEpoch(int epoch, String by) {
        return new LearningCurves(epochs, trainLoss, valLoss, trainAccuracy, valAccuracy, epoch, stageBoundaryEpoch,
                by);
    }

    /** These curves with a second stage starting at {@code epoch}. */
    public LearningCurves withStageBoundaryEpoch(int epoch) {
        return new LearningCurves(epochs, trainLoss, valLoss, trainAccuracy, valAccuracy, bestEpoch, epoch,
                bestEpochBy);
    }

    @Override
    public int[] epochs() {
        return epochs.clone();
    }

    @Override
    public double[] trainLoss() {
        return trainLoss.clone();
    }

    @Override
    public double[] valLoss() {
        return valLoss.clone();
    }

    @Override
    public double[] trainAccuracy() {
        return trainAccuracy.clone();
    }

    @Override
    public double[] valAccuracy() {
        return valAccuracy.clone();
    }

    /** Equal when all arrays hold equal values and the marks are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof LearningCurves c && Arrays.equals(epochs, c.epochs) && Arrays.equals(trainLoss, c.trainLoss)
                && Arrays.equals(valLoss, c.valLoss) && Arrays.equals(trainAccuracy, c.trainAccuracy)
                && Arrays.equals(valAccuracy, c.valAccuracy) && Objects.equals(bestEpoch, c.bestEpoch)
                && Objects.equals(stageBoundaryEpoch, c.stageBoundaryEpoch)
                && Objects.equals(bestEpochBy, c.bestEpochBy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(epochs), Arrays.hashCode(trainLoss), Arrays.hashCode(valLoss),
                Arrays.hashCode(trainAccuracy), Arrays.hashCode(valAccuracy), bestEpoch, stageBoundaryEpoch,
                bestEpochBy);
    }

    @Override
    public String toString() {
        return "LearningCurves[epochs=" + Arrays.toString(epochs) + ", trainLoss=" + Arrays.toString(trainLoss)
                + ", valLoss=" + Arrays.toString(valLoss) + ", trainAccuracy=" + Arrays.toString(trainAccuracy)
                + ", valAccuracy=" + Arrays.toString(valAccuracy) + ", bestEpoch=" + bestEpoch
                + ", stageBoundaryEpoch=" + stageBoundaryEpoch + ", bestEpochBy=" + bestEpochBy + "]";
    }

    private static double[] curve(String name, double[] values, int[] epochs, boolean isAccuracy) {
        if (values == null) {
            double[] missing = new double[epochs.length];
            Arrays.fill(missing, Double.NaN);
            return missing;
        }
        if (values.length != epochs.length) {
            throw new IllegalArgumentException("learning curves " + name + ": wrong length. Expected one value per "
                    + "epoch (" + epochs.length + "); received " + values.length + ". Pass NaN for epochs without "
                    + "a value, or null if the curve was not recorded.");
        }
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (isAccuracy && !Double.isNaN(v) && !(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("learning curves " + name + ": bad value at epoch " + epochs[i]
                        + ". Expected a fraction in [0, 1] or NaN; received " + v + ". Pass accuracy as a fraction, "
                        + "not a percentage.");
            }
        }
        return values.clone();
    }
}
