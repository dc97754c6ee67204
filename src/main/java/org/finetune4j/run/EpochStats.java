package org.finetune4j.run;

/**
 * What one epoch measured; validation values are NaN when there is no validation split.
 *
 * @param epoch           the epoch, from 1
 * @param stage           1 for the main stage, 2 for the unfrozen second stage
 * @param trainLoss       mean training loss over the epoch's batches (including regularisation)
 * @param trainAccuracy   training accuracy over the epoch (before each batch's update, like Keras's running metric)
 * @param valLoss         validation loss (no regularisation), or NaN
 * @param valAccuracy     validation accuracy, or NaN
 * @param learningRate    the learning rate used in the epoch
 * @param seconds         wall-clock seconds of the epoch, validation included
 * @param imagesPerSecond training images per second
 * @param valBalancedAccuracy validation balanced accuracy (the mean recall over the classes with validation
 *                        images), or NaN
 */
public record EpochStats(int epoch, int stage, double trainLoss, double trainAccuracy, double valLoss,
                         double valAccuracy, double learningRate, double seconds, double imagesPerSecond,
                         double valBalancedAccuracy) {
}
