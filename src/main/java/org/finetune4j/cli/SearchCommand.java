package org.finetune4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.stage.SearchStage;
import org.finetune4j.stage.TrainingFacts;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.tune.HyperparameterSearch;
import org.finetune4j.tune.SearchSpace;
import org.finetune4j.tune.Trial;
import org.finetune4j.tune.TrialParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code finetune4j search}: coarse-to-fine random search over learning rate and regularisation (fine-tuning
 * trials), or over the linear classifier's C with cross-validated trials ({@code --mode features}).
 */
@Command(name = "search",
        description = {"Coarse-to-fine random search with train's options as the base: a coarse stage samples the "
                + "learning rate and L2 penalty log-uniformly (and optionally dropout, head width, freeze point); "
                + "the region of the best coarse trials seeds a narrower fine stage. Each trial is a short training "
                + "run (--trial-epochs) on the same seeded split as train, scored by validation accuracy.",
            "Writes eval/reports/<name>/: trials.jsonl (after every trial), trials.csv (best first), "
                + "trials-scatter.png (learning rate vs L2, coloured by validation accuracy) and best-config.yaml "
                + "for `train --config`. Seeded (trial i draws from the seed stream search-trial/i) and resumable: "
                + "rerun the same command and finished trials are read back, not rerun.",
            "--mode features searches the linear classifier's C (log-uniform in --c-range; no learning rate): each "
                + "trial is a seeded stratified --folds-fold cross-validation on the training split's cached "
                + "features (the cache train --mode features uses), so trials take a fraction of a second; the "
                + "scatter plots C against the cross-validation accuracy, and best-config.yaml holds the best C as "
                + "a one-value --c-grid."})
final class SearchCommand extends BackboneCommand {

    @Mixin
    ExtractionOptions extraction;

    @Mixin
    ClassifierOptions classifier;

    @Option(names = "--c-range", paramLabel = "MIN:MAX", description = "With --mode features: values of C (inverse "
            + "regularization strength of the linear classifier), log-uniform. Default: ${DEFAULT-VALUE}.")
    String cRange = "1e-3:1e3";

    @Option(names = "--name", paramLabel = "NAME", description = "The search folder: <reports-dir>/<name>/. "
            + "Default: search-<data folder>.")
    String name;

    @Option(names = "--lr-range", paramLabel = "MIN:MAX", description = "Learning rates, log-uniform. Default: "
            + "${DEFAULT-VALUE}.")
    String lrRange = "1e-5:1e-1";

    @Option(names = "--l2-range", paramLabel = "MIN:MAX", description = "L2 penalties, log-uniform. Default: "
            + "${DEFAULT-VALUE}.")
    String l2Range = "1e-6:1e-1";

    @Option(names = "--dropout-range", paramLabel = "MIN:MAX", description = "Search the head's dropout too, "
            + "uniform in this range (e.g. 0:0.7). Default: not searched (--dropout applies).")
    String dropoutRange;

    @Option(names = "--head-widths", paramLabel = "N[,N...]", split = ",", description = "Search one hidden head "
            + "layer of these widths (0 = none), e.g. 0,64,256. Default: not searched.")
    List<Integer> headWidths = List.of();

    @Option(names = "--freeze-choices", paramLabel = "LAYER[,LAYER...]", split = ",", description = "Search these "
            + "freeze points (`none` freezes nothing). Default: not searched (--freeze-until applies).")
    List<String> freezeChoices = List.of();

    @Option(names = "--coarse-trials", paramLabel = "N", description = "Trials of the coarse stage. Default: "
            + "${DEFAULT-VALUE}.")
    int coarseTrials = 12;

    @Option(names = "--max-trials", paramLabel = "N", description = "Trials in all (coarse + fine). Default: "
            + "${DEFAULT-VALUE}.")
    int maxTrials = 20;

    @Option(names = "--top-k", paramLabel = "K", description = "Coarse trials whose region the fine stage "
            + "searches. Default: ${DEFAULT-VALUE}.")
    int topK = 3;

    @Option(names = "--trial-epochs", paramLabel = "N", description = "Epochs per trial. Default: "
            + "${DEFAULT-VALUE}.")
    int trialEpochs = 5;

    @Option(names = "--time-budget", paramLabel = "DURATION", description = "Start no new trial after this long "
            + "(e.g. 90s, 10m, 1h); rerun to continue. Default: no limit.")
    String timeBudget;

    /** Options that only fine-tuning trials use. */
    private static final List<String> FINETUNE_ONLY = List.of("--lr-range", "--l2-range", "--dropout-range",
            "--head-widths", "--freeze-choices", "--trial-epochs");
    /** Options that only features-mode trials use. */
    private static final List<String> FEATURES_ONLY = List.of("--c-range", "--layer", "--pool", "--classifier", "--penalty", "--loss", "--folds", "--max-iterations", "--standardize",
            "--pca", "--whiten");

    @Override
    public Integer call() {
        boolean features = backbone.mode.equals("features");
        var parsed = spec.commandLine().getParseResult();
        for (String o : features ? FINETUNE_ONLY : FEATURES_ONLY) {
            if (parsed.hasMatchedOption(o)) {
                throw new UsageException(o + ": applies to " + (features ? "fine-tuning trials, not to --mode "
                        + "features (its trials search only C, in --c-range)." : "--mode features only (this search "
                        + "fine-tunes: --mode " + backbone.mode + "). Add --mode features or drop " + o + "."));
            }
        }
        if (parsed.hasMatchedOption("--c-grid")) {
            throw new UsageException("--c-grid: search samples C itself; give its range with --c-range MIN:MAX "
                    + "(e.g. 1e-3:1e3) instead.");
        }
        SearchSpace space;
        if (features) {
            double[] c = range("--c-range", cRange);
            space = SearchSpace.ofC(c[0], c[1]);
        } else {
            double[] lr = range("--lr-range", lrRange);
            double[] l2 = range("--l2-range", l2Range);
            double[] dropout = dropoutRange == null ? new double[] {Double.NaN, Double.NaN}
                    : range("--dropout-range", dropoutRange);
            space = new SearchSpace(lr[0], lr[1], l2[0], l2[1], dropout[0], dropout[1], headWidths, freezeChoices);
        }
        HyperparameterSearch.Settings settings = new HyperparameterSearch.Settings(Math.min(coarseTrials, maxTrials),
                maxTrials, seconds(timeBudget), topK, 1.5);
        Path dir = resolveData();
        String searchName = name != null ? name : "search-" + dir.getFileName();
        if (searchName.isBlank() || searchName.contains("/") || searchName.startsWith(".")) {
            throw new UsageException("--name " + searchName + ": expected a plain folder name, e.g. search-photos.");
        }
        TrainConfig base = config(searchName, dir).withPrefix(extraction.prefixCache(train));
        Path folder = train.reportsDir.resolve(searchName);
        var err = err();
        var out = out();
        ExtractionConfig extractionConfig = features ? extraction.config(base.data().augment(), train.batchSize)
                : null;
        ClassifierConfig classifierConfig = features ? classifier.config() : null;
        if (!common.quiet) {
            err.println("finetune4j: search " + searchName + ": " + settings.maxTrials() + " trials ("
                    + settings.coarseTrials() + " coarse), " + (features ? "each a " + classifierConfig.folds()
                    + "-fold cross-validation of " + classifierConfig.describe() + " on features" : trialEpochs
                    + " epochs each") + ", model " + base.model() + ", data " + base.data().folder() + ", seed "
                    + common.seed + "; folder " + folder);
            err.flush();
        }
        var log = common.log(err);
        String scoreName = features ? "cv acc" : "val acc";
        SearchStage.Settings stageSettings = new SearchStage.Settings(space, settings, train.modelsDir, folder);
        HyperparameterSearch.Listener listener = new HyperparameterSearch.Listener() {
            @Override
            public void onTrial(Trial t, boolean resumed, int done, int planned, double elapsed) {
                if (common.quiet) {
                    return;
                }
                double perTrial = elapsed / Math.max(1, done);
                err.println(String.format(Locale.ROOT, "trial %d (%d/%d) %-6s %s  %s %s%s", t.index(),
                        done, planned, t.stage(), describe(t.params()), scoreName, Double.isNaN(t.score().score()) ? "failed"
                                : String.format(Locale.ROOT, "%.3f", t.score().score()), resumed
                                ? "  (finished earlier)" : String.format(Locale.ROOT, "  %s  ETA %s",
                                TrainingFacts.duration(t.score().seconds()), TrainingFacts.duration(
                                        perTrial * (planned - done)))));
                err.flush();
            }

            @Override
            public void onFineStage(SearchSpace fine) {
                if (!common.quiet && fine.searchesC()) {
                    err.println(String.format(Locale.ROOT, "fine stage: C %.3g..%.3g", fine.cMin(), fine.cMax()));
                    err.flush();
                } else if (!common.quiet) {
                    err.println(String.format(Locale.ROOT, "fine stage: lr %.2g..%.2g, l2 %.2g..%.2g%s",
                            fine.lrMin(), fine.lrMax(), fine.l2Min(), fine.l2Max(), fine.searchesDropout()
                                    ? String.format(Locale.ROOT, ", dropout %.2f..%.2f", fine.dropoutMin(),
                                    fine.dropoutMax()) : ""));
                    err.flush();
                }
            }
        };
        SearchStage.Result result = features ? SearchStage.features(base, extractionConfig, classifierConfig,
                stageSettings, log, !common.quiet, listener) : SearchStage.fineTune(base, trialEpochs, stageSettings,
                log, listener);
        HyperparameterSearch.Result r = result.search();
        var featurization = result.featurization();
        Trial best = r.best();
        if (common.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("folder", folder.toString());
            m.put("complete", r.complete());
            m.put("ran-now", r.ranNow());
            m.put("best", best);
            m.put("best-config", result.bestConfig() == null ? null : result.bestConfig().toString());
            if (features) {
                m.put("featurization", featurization);
            }
            m.put("trials", r.trials());
            out.println(Json.write(m));
        } else {
            out.print(table(r.trials(), scoreName));
            out.printf(Locale.ROOT, "%d trials (%d run now, %d read back)%s%n", r.trials().size(), r.ranNow(),
                    r.trials().size() - r.ranNow(), r.complete() ? "" : "; stopped by the time budget: rerun the "
                            + "same command to continue");
            if (best != null) {
                out.printf(Locale.ROOT, "best: trial %d, %s, %s %.3f%n", best.index(), describe(best.params()),
                        scoreName, best.score().score());
                out.println("best config: " + folder.resolve("best-config.yaml") + "  (finetune4j train --config "
                        + folder.resolve("best-config.yaml") + ")");
            }
            if (featurization != null) {
                out.println(TrainingFacts.throughput(featurization));
            }
            out.println("folder: " + folder + " (trials.csv, trials-scatter.png)");
        }
        out.flush();
        return Finetune4j.EXIT_OK;
    }

    static String describe(TrialParams p) {
        if (p.c() != null) {
            return String.format(Locale.ROOT, "C %.3e", p.c());
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "lr %.2e l2 %.2e", p.learningRate(),
                p.l2()));
        if (p.dropout() != null) {
            sb.append(String.format(Locale.ROOT, " dropout %.2f", p.dropout()));
        }
        if (p.headWidth() != null) {
            sb.append(" head ").append(p.headWidth());
        }
        if (p.freezeUntil() != null) {
            sb.append(" freeze ").append(p.freezeUntil());
        }
        return sb.toString();
    }

    static String table(List<Trial> trials, String scoreName) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-4s %-5s %-6s %-45s %-7s %-7s%n", "rank",
                "trial", "stage", "parameters", scoreName, scoreName.replace("acc", "loss")));
        int rank = 1;
        for (Trial t : trials) {
            sb.append(String.format(Locale.ROOT, "%-4d %-5d %-6s %-45s %-7s %-7s%n", rank++, t.index(), t.stage(),
                    describe(t.params()), Double.isNaN(t.score().score()) ? "failed"
                            : SearchStage.num(t.score().score()), SearchStage.num(t.score().valLoss())));
        }
        return sb.toString();
    }

    static double[] range(String option, String text) {
        String[] parts = text.split(":");
        try {
            if (parts.length == 2) {
                return new double[] {Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(option + " " + text + ": expected MIN:MAX, e.g. 1e-5:1e-1.");
    }

    static double seconds(String duration) {
        if (duration == null) {
            return 0;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)([smh]?)")
                .matcher(duration.trim());
        if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
            throw new UsageException("--time-budget " + duration + ": expected a positive duration such as 90s, "
                    + "10m or 1h.");
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "m" -> v * 60;
            case "h" -> v * 3600;
            default -> v;
        };
    }
}
