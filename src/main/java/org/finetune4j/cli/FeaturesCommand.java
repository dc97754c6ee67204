package org.finetune4j.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.Locale;
import org.finetune4j.core.Json;
import org.finetune4j.extract.FeatureCache;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.FeatureTrainer;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.Mode;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.stage.FeaturesStage;
import org.finetune4j.stage.TrainingFacts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code finetune4j features}: extract and cache the features of a folder's images, or clear the cache. */
@Command(name = "features",
        description = {"Runs the frozen backbone up to --layer on every image of a folder (train, val and test "
                + "splits, the same split `train` uses for the seed) and caches the feature vectors on disk, keyed "
                + "by model, layer, pooling, preprocessing, view and image content; a second run on the same data "
                + "reads them back without network work. Prints throughput and cache statistics. `train --mode "
                + "features` uses the same cache.",
            "--clear empties the cache and says how much was freed; --out FILE writes the features as CSV."})
final class FeaturesCommand extends DataCommand {

    @Mixin
    ExtractionOptions extraction;

    @Mixin
    PreparationOptions preparation;

    @Mixin
    ModelOption model;

    @Mixin
    AugmentOption augment;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per forward pass. Default: "
            + "${DEFAULT-VALUE}.")
    int batchSize = ExtractionConfig.defaults().batchSize();

    @Option(names = "--clear", description = "Empty the feature cache (--cache or the default) and exit.")
    boolean clear;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the features as CSV: split, relative "
            + "path, label, view, then one column per value.")
    Path outFile;

    @Mixin
    WeightsOptions weights;

    @Option(names = "--models-dir", paramLabel = "DIR", description = "Where bundle backbones are looked up. "
            + "Default: ${DEFAULT-VALUE}.")
    Path modelsDir = org.finetune4j.model.Backbones.MODELS_DIR;

    @Override
    public Integer call() {
        ExtractionConfig ex = extraction.config(augment.augment, batchSize);
        FeatureCache cache = ex.cache();
        var out = out();
        if (clear) {
            FeatureCache.Stats freed = cache.clear();
            if (common.json) {
                out.println(Json.write(new Cleared(cache.root().toString(), freed.entries(), freed.bytes())));
            } else {
                out.printf(Locale.ROOT, "cleared %s: %d entries in %d key folders, %s freed%n", cache.root(),
                        freed.entries(), freed.spaces(), bytes(freed.bytes()));
            }
            out.flush();
            return Finetune4j.EXIT_OK;
        }
        Path dir = resolveData();
        TrainConfig run = new TrainConfig(Mode.FEATURES, dir.getFileName() + "-features",
                new TrainConfig.BackboneSettings(model.resolve(dir, data.given(), common.quiet, err()), null,
                        ArchitectureSettings.defaults(),
                        weights.settings()),
                new TrainConfig.FineTuneSettings(HeadSpec.defaults(), OptimizerConfig.defaults(),
                        new TrainConfig.Schedule(1, batchSize, EarlyStopping.defaults()), null),
                preparation.settings(dir, data, augment.augment), common.seed);
        var err = err();
        FeaturesStage.Result result = FeaturesStage.run(run, ex, modelsDir, outFile, common.log(err),
                !common.quiet);
        FeatureTrainer.Featurized f = result.features();
        FeatureCache.Stats stats = result.cache();
        if (common.json) {
            out.println(Json.write(new Summary(f.extractor().layer(), f.extractor().pooling().name()
                    .toLowerCase(Locale.ROOT), f.extractor().dimension(), f.stats(),
                    Double.isNaN(f.stats().imagesPerSecond()) ? null : f.stats().imagesPerSecond(),
                    cache.root().toString(), stats.entries(), stats.bytes(),
                    outFile == null ? null : outFile.toString())));
        } else {
            out.printf(Locale.ROOT, "features of %s: layer %s%s, %d values per image; train %d, val %d, test %d "
                            + "rows%n", dir, f.extractor().layer(), f.extractor().pooling().name().equals("NONE") ? ""
                            : " + global " + f.extractor().pooling().name().toLowerCase(Locale.ROOT) + " pool",
                    f.extractor().dimension(), f.train().size(), f.val().size(), f.test().size());
            out.println(TrainingFacts.throughput(f.stats()));
            out.printf(Locale.ROOT, "cache: %s (%d entries in %d key folders, %s)%n", cache.root(), stats.entries(),
                    stats.spaces(), bytes(stats.bytes()));
            if (outFile != null) {
                out.println("csv: " + outFile);
            }
            if (!f.data().badImages().list().isEmpty()) {
                out.println("skipped " + f.data().badImages().list().size() + " bad file(s):");
                f.data().badImages().list().forEach(b -> out.println("  " + b.relativePath() + ": " + b.reason()));
            }
        }
        out.flush();
        return Finetune4j.EXIT_OK;
    }

    /** What {@code features --clear --json} prints (keys in alphabetical order). */
    @JsonPropertyOrder(alphabetic = true)
    record Cleared(String cache, long freedEntries, long freedBytes) {
    }

    /** What {@code features --json} prints (keys in alphabetical order; {@code out} only with --out). */
    @JsonPropertyOrder(alphabetic = true)
    record Summary(String layer, String pooling, int dimension, FeatureExtractor.Stats featurization,
                   Double imagesPerSecond, String cache, long cacheEntries, long cacheBytes,
                   @JsonInclude(JsonInclude.Include.NON_NULL) String out) {
    }

    private static String bytes(long b) {
        return b >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MB", b / 1048576.0)
                : String.format(Locale.ROOT, "%.1f kB", b / 1024.0);
    }
}
