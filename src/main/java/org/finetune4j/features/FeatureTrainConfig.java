package org.finetune4j.features;

import org.finetune4j.run.Mode;
import org.finetune4j.run.TrainConfig;

/**
 * Everything {@code train --mode features} needs: the common run settings (data, backbone, bundle name, seed,
 * weights), how features are extracted, and the classifier.
 *
 * @param run        data, model, name, weights and seed (its mode is {@code features}; head, optimizer and schedule
 *                   are not used)
 * @param extraction layer, pooling, cache, augmented copies
 * @param classifier classifier, regularization grid, folds, feature preprocessing
 */
public record FeatureTrainConfig(TrainConfig run, ExtractionConfig extraction, ClassifierConfig classifier) {
    public FeatureTrainConfig {
        if (run.mode() != Mode.FEATURES) {
            throw new IllegalArgumentException("mode must be features, got " + run.mode());
        }
    }
}
