package org.finetune4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.finetune4j.clean.CleanConfig;
import org.finetune4j.clean.CleanResult;
import org.finetune4j.clean.DuplicateRule;
import org.finetune4j.core.Json;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.Mode;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.stage.CleanStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code finetune4j clean}: likely label errors, near-duplicates and outliers of a folder, from features. */
@Command(name = "clean",
        description = {"Finds likely label errors (confident learning on out-of-fold probabilities of a logistic "
                + "regression on the backbone's features), near-duplicates (feature cosine after PCA, or a "
                + "perceptual hash; groups across train/val/test are leaks) and outliers (far from their nearest "
                + "neighbours). Writes clean.html, clean.json and ranked CSV files to --out. Nothing in the data "
                + "folder is moved or deleted; --write-relabel FILE writes the likely label errors as a list to "
                + "review."})
final class CleanCommand extends DataCommand {

    @Mixin
    ModelOption model;

    @Mixin
    ExtractionOptions extraction;

    @Mixin
    PreparationOptions preparation;

    @Mixin
    WeightsOptions weights;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per forward pass. Default: "
            + "${DEFAULT-VALUE}.")
    int batchSize = ExtractionConfig.defaults().batchSize();

    @Option(names = "--out", paramLabel = "DIR", description = "Where the results are written. Default: "
            + "eval/reports/<data folder>-clean.")
    Path outDir;

    @Option(names = "--write-relabel", paramLabel = "FILE", description = "Also write the likely label errors as a "
            + "CSV list to review (path, given, suggested, score). Nothing is applied.")
    Path relabel;

    @Option(names = "--folds", paramLabel = "K", description = "Folds of the out-of-fold probabilities. Default: "
            + "${DEFAULT-VALUE}.")
    int folds = CleanConfig.defaults().folds();

    @Option(names = "--c-grid", paramLabel = "GRID", description = "Inverse regularization strengths of the "
            + "logistic regression, cross-validated: FROM:TO:COUNT (log-spaced) or a list. Default: "
            + "${DEFAULT-VALUE}.")
    String cGrid = CleanConfig.DEFAULT_GRID;

    @Option(names = "--components", paramLabel = "K", description = "Principal components of the similarity space. "
            + "Default: ${DEFAULT-VALUE}.")
    int components = CleanConfig.defaults().components();

    @Option(names = "--duplicate-bits", paramLabel = "B", description = "Pairs whose perceptual hashes differ in at "
            + "most B of 128 bits are near-duplicates. Default: ${DEFAULT-VALUE}.")
    int duplicateBits = DuplicateRule.defaults().hashBits();

    @Option(names = "--duplicate-cosine", paramLabel = "S", description = "Pairs at least this similar (cosine of "
            + "the features after PCA) whose hashes differ in at most --confirm-bits are near-duplicates too. "
            + "Default: ${DEFAULT-VALUE}.")
    double duplicateCosine = DuplicateRule.defaults().cosine();

    @Option(names = "--confirm-bits", paramLabel = "B", description = "See --duplicate-cosine; 128 lets the features "
            + "decide alone. Default: ${DEFAULT-VALUE}.")
    int confirmBits = DuplicateRule.defaults().confirmBits();

    @Option(names = "--neighbours", paramLabel = "K", description = "Nearest neighbours of the outlier score. "
            + "Default: ${DEFAULT-VALUE}.")
    int neighbours = CleanConfig.defaults().neighbours();

    @Option(names = "--outlier-z", paramLabel = "Z", description = "Outliers lie at least Z robust standard "
            + "deviations above the median outlier score. Default: ${DEFAULT-VALUE}.")
    double outlierZ = CleanConfig.defaults().outlierZ();

    @Option(names = "--page-rows", paramLabel = "N", description = "Rows per section of clean.html (the CSV and "
            + "JSON files list everything). Default: ${DEFAULT-VALUE}.")
    int pageRows = CleanConfig.defaults().pageRows();

    @Option(names = "--models-dir", paramLabel = "DIR", description = "Where bundle backbones are looked up. "
            + "Default: ${DEFAULT-VALUE}.")
    Path modelsDir = org.finetune4j.model.Backbones.MODELS_DIR;

    @Override
    public Integer call() {
        CleanConfig cfg = new CleanConfig(folds, ClassifierConfig.parseGrid(cGrid), components,
                new DuplicateRule(duplicateCosine, duplicateBits, confirmBits), neighbours, outlierZ, pageRows);
        ExtractionConfig ex = extraction.config(null, batchSize);
        Path dir = resolveData();
        var err = err();
        TrainConfig run = new TrainConfig(Mode.FEATURES, dir.getFileName() + "-clean",
                new TrainConfig.BackboneSettings(model.resolve(dir, data.given(), common.quiet, err), null,
                        ArchitectureSettings.defaults(), weights.settings()),
                new TrainConfig.FineTuneSettings(HeadSpec.defaults(), OptimizerConfig.defaults(),
                        new TrainConfig.Schedule(1, batchSize, EarlyStopping.defaults()), null),
                preparation.settings(dir, data, null), common.seed);
        Path out = outDir != null ? outDir : Path.of("eval", "reports", dir.getFileName() + "-clean");
        CleanStage.Result r = CleanStage.run(run, ex, cfg, new CleanStage.Settings(modelsDir, out, relabel),
                common.log(err), !common.quiet);
        CleanResult c = r.result();
        var o = out();
        if (common.json) {
            o.println(Json.write(new Summary(c.summary().images(), c.labelIssues().size(), c.duplicates().size(),
                    c.summary().leaks(), c.outliers().size(), c.summary().outOfFoldAccuracy(), c.summary().chosenC(),
                    r.outDir().toString(), relabel == null ? null : relabel.toString())));
        } else {
            o.printf(Locale.ROOT, "clean %s: %d images, %d classes (backbone %s, layer %s); out-of-fold accuracy "
                            + "%.3f (logistic regression, C = %.3g)%n", dir, c.summary().images(),
                    c.summary().classes().size(), r.backbone(), r.layer(), c.summary().outOfFoldAccuracy(),
                    c.summary().chosenC());
            o.printf(Locale.ROOT, "likely label errors: %d%n", c.labelIssues().size());
            c.labelIssues().stream().limit(5).forEach(i -> o.printf(Locale.ROOT, "  %s  given %s, suggested %s "
                    + "(score %.3f)%n", i.path(), i.given(), i.suggested(), i.score()));
            o.printf(Locale.ROOT, "near-duplicate groups: %d (%d across the split: leaks)%n", c.duplicates().size(),
                    c.summary().leaks());
            c.duplicates().stream().limit(5).forEach(g -> o.printf(Locale.ROOT, "  %s%s%n",
                    String.join(" = ", g.files()), g.leak() ? "  [leak: " + String.join(", ", g.splits()) + "]"
                            : ""));
            o.printf(Locale.ROOT, "outliers: %d%n", c.outliers().size());
            c.outliers().stream().limit(5).forEach(x -> o.printf(Locale.ROOT, "  %s (z %.1f)%n", x.path(),
                    x.robustZ()));
            o.println("page: " + r.page());
            o.println("files: " + r.outDir() + " (clean.json, label-issues.csv, near-duplicates.csv, outliers.csv, "
                    + "images.csv)");
            if (relabel != null) {
                o.println("relabel list to review: " + relabel);
            }
            if (!r.badImages().isEmpty()) {
                o.println("skipped " + r.badImages().size() + " bad file(s):");
                r.badImages().forEach(b -> o.println("  " + b.relativePath() + ": " + b.reason()));
            }
        }
        o.flush();
        return Finetune4j.EXIT_OK;
    }

    /** What {@code clean --json} prints. */
    @com.fasterxml.jackson.annotation.JsonPropertyOrder(alphabetic = true)
    record Summary(int images, int labelIssues, int duplicateGroups, long leaks, int outliers,
                   double outOfFoldAccuracy, double chosenC, String out,
                   @com.fasterxml.jackson.annotation.JsonInclude(
                           com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String relabel) {
    }
}
