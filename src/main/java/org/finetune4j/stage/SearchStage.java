package org.finetune4j.stage;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Json;
import org.finetune4j.core.Seeds;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.report.Plots;
import org.finetune4j.run.RunSetup;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.tune.BestConfig;
import org.finetune4j.tune.FeaturesObjective;
import org.finetune4j.tune.FineTuneObjective;
import org.finetune4j.tune.HyperparameterSearch;
import org.finetune4j.tune.SearchSpace;
import org.finetune4j.tune.Trial;
import org.finetune4j.tune.TrialParams;

/**
 * The {@code search} stage: runs (or resumes) a {@link HyperparameterSearch} of fine-tuning trials or of the linear
 * classifier's C on features, and writes the search folder: {@code search.json} and {@code trials.jsonl} (by the
 * search), {@code trials.csv} (best first), {@code trials-scatter.png} and {@code best-config.yaml}.
 * <pre>
 * SearchStage.Result r = SearchStage.fineTune(base, 5, settings, log, listener);
 * r.search().best();   // best-config.yaml is r.bestConfig()
 * </pre>
 */
public final class SearchStage {

    /**
     * What is searched and where.
     *
     * @param space     the ranges searched
     * @param search    trial counts, time budget and how the fine stage narrows the space
     * @param modelsDir where bundle backbones are looked up
     * @param folder    the search folder, read back on resume
     */
    public record Settings(SearchSpace space, HyperparameterSearch.Settings search, Path modelsDir, Path folder) {
    }

    /**
     * What {@code search} found.
     *
     * @param search        every trial (best first), and whether the search is complete
     * @param folder        the search folder
     * @param featurization the feature extraction counts of a features search, or null (fine-tuning, or no trial
     *                      run now)
     */
    public record Result(HyperparameterSearch.Result search, Path folder, FeatureExtractor.Stats featurization) {

        /** @return the {@code best-config.yaml} written, or null when no trial succeeded */
        public Path bestConfig() {
            return search.best() == null ? null : folder.resolve("best-config.yaml");
        }
    }

    /**
     * Everything that determines the trials besides the budgets: what {@code search.json} holds and a resumed search
     * must match. The base configuration and the space hold only what the trials use (the run's name, and for a
     * features search the fine-tuning settings and the freeze point, may change between resumes).
     *
     * @param trialEpochs  epochs per fine-tuning trial, or null for a features search
     * @param extraction   how features are extracted, or null for a fine-tuning search
     * @param classifier   the classifier whose C is searched (its grid left out), or null for a fine-tuning search
     * @param base         the base configuration the trials vary
     * @param space        the ranges searched
     * @param coarseTrials trials of the coarse stage
     * @param topK         best coarse trials that seed the fine stage
     * @param seed         the root seed
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"trialEpochs", "extraction", "classifier", "base", "space", "coarseTrials", "topK", "seed"})
    record Options(Integer trialEpochs, JsonNode extraction, JsonNode classifier, JsonNode base, JsonNode space,
                   int coarseTrials, int topK, long seed) {

        static Options fineTune(TrainConfig base, int trialEpochs, Settings settings) {
            ObjectNode baseNode = tree(base);
            baseNode.remove("name");
            return new Options(trialEpochs, null, null, baseNode, space(settings.space(), List.of("c-min", "c-max")),
                    settings.search().coarseTrials(), settings.search().topK(), base.seed());
        }

        static Options features(TrainConfig base, ExtractionConfig extraction, ClassifierConfig classifier,
                                Settings settings) {
            ObjectNode baseNode = tree(base);
            baseNode.remove("name");
            // what a linear classifier on features does not use; changing it must not block a resume
            baseNode.remove("fine-tune");
            ((ObjectNode) baseNode.get("backbone")).remove("freeze-until");
            ObjectNode classifierNode = tree(classifier);
            classifierNode.remove("c-grid");
            return new Options(null, tree(extraction), classifierNode, baseNode, space(settings.space(),
                    List.of("lr-min", "lr-max", "l2-min", "l2-max", "dropout-min", "dropout-max", "head-widths",
                            "freeze-points")), settings.search().coarseTrials(), settings.search().topK(),
                    base.seed());
        }

        /** Only the searched ranges (a fine-tuning search.json stays as it was before C could be searched). */
        private static ObjectNode space(SearchSpace space, List<String> unsearched) {
            ObjectNode node = tree(space);
            node.remove(unsearched);
            return node;
        }

        private static ObjectNode tree(Object value) {
            return Json.mapper().valueToTree(value);
        }
    }

    private SearchStage() {
    }

    /**
     * Searches fine-tuning trials: each a short training run of {@code trialEpochs} epochs from {@code base}.
     *
     * @param log      one-line notes
     * @param listener told of every trial and of the fine stage
     * @throws org.finetune4j.core.UsageException for a bad trial count, or a folder holding a search with other
     *                                            options
     */
    public static Result fineTune(TrainConfig base, int trialEpochs, Settings settings, Consumer<String> log,
                                  HyperparameterSearch.Listener listener) {
        Path folder = settings.folder();
        new RunSetup(settings.modelsDir(), log).fetchWeights(base);   // unreachable weights stop it before any trial
        FineTuneObjective objective = new FineTuneObjective(base, trialEpochs, settings.modelsDir(),
                folder.resolve("trials"), log);
        HyperparameterSearch.Result r = new HyperparameterSearch(settings.space(), settings.search(),
                Seeds.of(base.seed()), folder).run(Json.mapper().valueToTree(Options.fineTune(base, trialEpochs,
                settings)), objective, listener);
        writeCsv(folder, "rank,trial,stage,learning-rate,l2,dropout,head-width,freeze-until,val-accuracy,val-loss,"
                + "test-accuracy,seconds,error", r.trials(), SearchStage::fineTuneRow);
        if (!r.trials().isEmpty()) {
            double[] x = r.trials().stream().mapToDouble(t -> t.params().learningRate()).toArray();
            double[] y = r.trials().stream().mapToDouble(t -> t.params().l2()).toArray();
            double[] c = r.trials().stream().mapToDouble(t -> t.score().score()).toArray();
            Plots.scatter(folder.resolve("trials-scatter.png"), "Search: " + r.trials().size() + " trials",
                    "learning rate", "L2 penalty", true, true, x, y, c, "validation accuracy");
        }
        if (r.best() != null) {
            AtomicFiles.writeString(folder.resolve("best-config.yaml"), BestConfig.yaml(r.best(), base,
                    r.trials().size()));
        }
        removeTrialsFolder(folder);
        return new Result(r, folder, null);
    }

    /**
     * Searches the linear classifier's C: each trial a cross-validation on the training split's cached features.
     *
     * @param log      one-line notes
     * @param progress whether to show the featurization's progress display
     * @param listener told of every trial and of the fine stage
     * @throws org.finetune4j.core.UsageException for a folder holding a search with other options, or more folds
     *                                            than training images
     */
    public static Result features(TrainConfig base, ExtractionConfig extraction, ClassifierConfig classifier,
                                  Settings settings, Consumer<String> log, boolean progress,
                                  HyperparameterSearch.Listener listener) {
        Path folder = settings.folder();
        new RunSetup(settings.modelsDir(), log).fetchWeights(base);   // unreachable weights stop it before any trial
        FeaturesObjective objective = new FeaturesObjective(base, extraction, classifier, settings.modelsDir(), log,
                progress);
        HyperparameterSearch.Result r = new HyperparameterSearch(settings.space(), settings.search(),
                Seeds.of(base.seed()), folder).run(Json.mapper().valueToTree(Options.features(base, extraction,
                classifier, settings)), objective, listener);
        writeCsv(folder, "rank,trial,stage,c,cv-accuracy,cv-loss,seconds,error", r.trials(),
                SearchStage::featuresRow);
        List<Trial> scored = r.trials().stream().filter(t -> !Double.isNaN(t.score().score())).toList();
        if (!scored.isEmpty()) {
            // one dimension is searched: C against the score, coloured by the held-out loss (the tie-breaker)
            double[] x = scored.stream().mapToDouble(t -> t.params().c()).toArray();
            double[] y = scored.stream().mapToDouble(t -> t.score().score()).toArray();
            double[] c = scored.stream().mapToDouble(t -> t.score().valLoss()).toArray();
            Plots.scatter(folder.resolve("trials-scatter.png"), "Search: " + r.trials().size() + " trials, "
                            + classifier.describe() + ", " + classifier.folds() + "-fold cross-validation",
                    "C (inverse regularization strength)", "cross-validation accuracy", true, false, x, y, c,
                    "cross-validation loss");
        }
        if (r.best() != null) {
            AtomicFiles.writeString(folder.resolve("best-config.yaml"), BestConfig.featuresYaml(r.best(), base,
                    extraction, classifier, r.trials().size()));
        }
        removeTrialsFolder(folder);
        return new Result(r, folder, objective.stats());
    }

    /** Writes {@code trials.csv}: the header, then a row per trial, best first, ranked from 1. */
    private static void writeCsv(Path folder, String header, List<Trial> trials,
                                 Function<Trial, String> row) {
        StringBuilder csv = new StringBuilder(header).append('\n');
        int rank = 1;
        for (Trial t : trials) {
            csv.append(rank++).append(',').append(row.apply(t)).append(String.format(Locale.ROOT, "%n"));
        }
        AtomicFiles.writeString(folder.resolve("trials.csv"), csv.toString());
    }

    private static String fineTuneRow(Trial t) {
        TrialParams p = t.params();
        return String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%.1f,%s", t.index(), t.stage(),
                p.learningRate(), p.l2(), p.dropout() == null ? "" : p.dropout(),
                p.headWidth() == null ? "" : p.headWidth(), p.freezeUntil() == null ? "" : p.freezeUntil(),
                num(t.score().score()), num(t.score().valLoss()), num(t.score().testAccuracy()), t.score().seconds(),
                error(t));
    }

    private static String featuresRow(Trial t) {
        return String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%.3f,%s", t.index(), t.stage(), t.params().c(),
                num(t.score().score()), num(t.score().valLoss()), t.score().seconds(), error(t));
    }

    /** @return the trial's error quoted for CSV, or empty */
    private static String error(Trial t) {
        return t.score().error() == null ? "" : "\"" + t.score().error().replace("\"", "'") + "\"";
    }

    /** @return a score to four decimals, or empty for NaN (a failed trial) */
    public static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static void removeTrialsFolder(Path folder) {
        try {
            Files.deleteIfExists(folder.resolve("trials"));   // empty once every trial is scored
        } catch (IOException notEmpty) {
            // a trial that crashed the JVM left its bundle; the next run of the search removes it
        }
    }
}
