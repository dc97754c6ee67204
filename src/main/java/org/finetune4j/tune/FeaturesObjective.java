package org.finetune4j.tune;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.CrossValidation;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.FeatureTrainConfig;
import org.finetune4j.features.FeatureTrainer;
import org.finetune4j.features.LinearClassifier;
import org.finetune4j.run.ClassWeights;
import org.finetune4j.run.PreparedRun;
import org.finetune4j.run.TrainConfig;

/**
 * Scores a trial of a features-mode search: the seeded stratified k-fold cross-validation accuracy of the linear
 * classifier at the trial's C on the training split's cached features ({@link CrossValidation}, the same folds
 * {@code train --mode features} uses to pick C), with the mean held-out cross-entropy as the tie-breaker.
 *
 * <p>The features are loaded once, on the first trial that runs (a resumed search whose trials are all finished
 * loads nothing), by {@link FeatureTrainer#featurize} — the same data preparation, split and feature cache as
 * {@code train --mode features}, so a search after a features run, or a second search, does no network work.
 * <pre>{@code
 * Objective o = new FeaturesObjective(run, extraction, classifier, Path.of("models"), log, true);
 * }</pre>
 */
public final class FeaturesObjective implements Objective {

    private final FeatureTrainConfig config;
    private final Path modelsDir;
    private final Consumer<String> log;
    private final boolean progress;
    private FeatureTrainer.Featurized features;
    private FeatureExtractor.Stats stats;

    /**
     * @param run        data, model, seed and threads ({@code train}'s options; mode {@code features})
     * @param extraction layer, pooling, cache
     * @param classifier classifier, folds, iterations and feature preprocessing; its grid of C is not used (each
     *                   trial brings its C)
     * @param modelsDir  where bundle backbones are found
     * @param log        receives one-line notes
     * @param progress   show the extraction's progress bars
     */
    public FeaturesObjective(TrainConfig run, ExtractionConfig extraction, ClassifierConfig classifier,
                             Path modelsDir, Consumer<String> log, boolean progress) {
        this.config = new FeatureTrainConfig(run, extraction, classifier);
        this.modelsDir = modelsDir;
        this.log = log;
        this.progress = progress;
    }

    /** @return the extraction counts of the features loaded, or null if no trial has run */
    public FeatureExtractor.Stats stats() {
        return stats;
    }

    /** @return the classifier configuration that scores (and {@code train} refits) exactly {@code c} */
    public ClassifierConfig configFor(double c) {
        return config.classifier().withGrid(List.of(c));
    }

    @Override
    public TrialScore score(TrialParams p, int index) {
        if (p.c() == null) {
            throw new IllegalArgumentException("a features-mode trial needs a C; received " + p);
        }
        if (features == null) {
            features = new FeatureTrainer(modelsDir, log, progress).featurize(config.run(), config.extraction());
            stats = features.stats();
            if (features.train().size() < config.classifier().folds()) {
                throw new UsageException("--folds " + config.classifier().folds() + ": the training split has only "
                        + features.train().size() + " usable images. Expected at least as many images as folds; "
                        + "use fewer folds or more data.");
            }
        }
        long started = System.nanoTime();
        ClassifierConfig cc = configFor(p.c());
        Seeds seeds = features.seeds();
        LinearClassifier clf = LinearClassifier.of(cc, seeds.value("classifier"), ClassWeights.of(
                config.run().balance().classWeights(), features.data().classes(),
                PreparedRun.trainCounts(features.data())));
        CrossValidation.Point point = CrossValidation.run(features.train(), features.data().classes().size(), clf,
                cc, seeds, Math.max(1, config.run().data().threads())).best();
        double seconds = (System.nanoTime() - started) / 1e9;
        if (Double.isNaN(point.meanAccuracy())) {
            return TrialScore.failed("no fold could be scored", seconds);
        }
        return new TrialScore(point.meanAccuracy(), point.meanLoss(), Double.NaN, seconds, null);
    }
}
