package org.finetune4j.features;

import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.run.TrainResult;

/**
 * What {@code train --mode features} produced.
 *
 * @param train               bundle, test accuracy and loss, bad files, time (its history is empty)
 * @param cv                  the cross-validation table (accuracy per value of C) and the chosen value
 * @param classifier          e.g. {@code logreg (L2)}
 * @param layer               the feature layer
 * @param pooling             {@code none}, {@code avg} or {@code max}
 * @param featureDimension    values per image out of the backbone
 * @param classifierDimension values per image into the classifier (after PCA)
 * @param trainAccuracy       accuracy on the training split's centre views
 * @param valAccuracy         accuracy on the validation split, NaN without one
 * @param extraction          how many features were computed and read from the cache, and how fast
 * @param extractSeconds      seconds for data, backbone and features
 * @param fitSeconds          seconds for cross-validation and the final fit
 * @param model               the classifier on the preprocessed features
 * @param transform           the fitted feature preprocessing
 */
public record FeatureTrainResult(TrainResult train, CrossValidation.Result cv, String classifier, String layer,
                                 String pooling, int featureDimension, int classifierDimension, double trainAccuracy,
                                 double valAccuracy, FeatureExtractor.Stats extraction, double extractSeconds,
                                 double fitSeconds, LinearModel model, FeatureTransform transform) {
}
