package org.finetune4j.stage;

import static org.finetune4j.stage.TrainingMetrics.nanToNull;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.finetune4j.core.RunInfo;
import org.finetune4j.data.BadImage;
import org.finetune4j.data.DatasetReport;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.features.CrossValidation;
import org.finetune4j.features.FeatureTrainConfig;
import org.finetune4j.features.FeatureTrainResult;

/**
 * What a features-mode run writes to its report's {@code metrics.json}, one component a key (flat, as scripts read
 * them; written in alphabetical order; NaN scores as null).
 *
 * @param run                 the run's name (the report folder's name)
 * @param bundle              the bundle folder written
 * @param mode                always {@code features}
 * @param testAccuracy        accuracy on the held-out test split, or null without one
 * @param testLoss            its loss, or null
 * @param valAccuracy         accuracy on the validation split, or null without one
 * @param trainAccuracy       accuracy on the training split
 * @param classifier          the linear classifier, in words
 * @param featureLayer        the layer the features are read from
 * @param pooling             the global pooling of a convolutional feature layer, or {@code none}
 * @param featureDimension    values per feature vector
 * @param classifierDimension values the classifier sees (after PCA)
 * @param chosenC             the C cross-validation chose
 * @param crossValidation     every C tried, per fold
 * @param featurization       cache hits, computed views, forward passes
 * @param imagesPerSecond     featurization throughput, or null when nothing was computed
 * @param frozenLayers        the backbone's layers (all frozen)
 * @param badImages           the files left out, with reasons
 * @param leaks               byte-identical files across the split
 * @param seconds             the run's wall-clock time
 * @param config              the run's configuration
 * @param runInfo             versions, platform, seed and time
 */
@JsonPropertyOrder(alphabetic = true)
public record FeatureTrainingMetrics(String run, String bundle, String mode, Double testAccuracy, Double testLoss,
                                     Double valAccuracy, Double trainAccuracy, String classifier, String featureLayer,
                                     String pooling, int featureDimension, int classifierDimension, double chosenC,
                                     CrossValidation.Result crossValidation, FeatureExtractor.Stats featurization,
                                     Double imagesPerSecond, List<String> frozenLayers, List<BadImage> badImages,
                                     List<DatasetReport.DuplicateGroup> leaks, double seconds,
                                     FeatureTrainConfig config, RunInfo runInfo) {

    /** @return the metrics of a finished run */
    static FeatureTrainingMetrics of(String run, FeatureTrainConfig cfg, FeatureTrainResult r) {
        return new FeatureTrainingMetrics(run, r.train().bundleDir().toString(), "features",
                nanToNull(r.train().testAccuracy()), nanToNull(r.train().testLoss()), nanToNull(r.valAccuracy()),
                nanToNull(r.trainAccuracy()), r.classifier(), r.layer(), r.pooling(), r.featureDimension(),
                r.classifierDimension(), r.cv().best().c(), r.cv(), r.extraction(),
                nanToNull(r.extraction().imagesPerSecond()), r.train().frozen(), r.train().badImages(),
                r.train().leaks(), r.train().seconds(), cfg, RunInfo.current(cfg.run().seed()));
    }
}
