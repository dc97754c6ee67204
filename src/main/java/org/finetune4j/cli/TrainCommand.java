package org.finetune4j.cli;

import java.nio.file.Path;
import org.finetune4j.core.UsageException;
import org.finetune4j.run.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code finetune4j train}: fine-tune a pretrained backbone (or train its architecture from scratch). */
@Command(name = "train",
        description = {"Fine-tunes a pretrained backbone on a folder of labelled images: freezes the layers up to "
                + "--freeze-until, replaces the old classifier with a new head for your classes, trains with "
                + "augmentation, early stopping and a checkpoint every epoch, evaluates on the held-out test split, "
                + "and writes a bundle (models/<name>/) and a report (eval/reports/<run>/). With no options it "
                + "fine-tunes the shipped models/mini-vgg-shapes on data/shapes-target.",
            "Ctrl-C stops after the current batch and saves a checkpoint; run the same command with --resume."})
final class TrainCommand extends BackboneCommand {

    @Option(names = "--name", paramLabel = "NAME", description = "The bundle to write: models/<name>/. Default: "
            + "<data folder>-<mode>.")
    String name;

    @Option(names = "--unfreeze", paramLabel = "LAYER", description = "Second stage: after stage 1, unfreeze the "
            + "layers above LAYER and train --stage2-epochs more at --stage2-lr.")
    String unfreeze;

    @Option(names = "--stage2-epochs", paramLabel = "N", description = "Epochs of the second stage. Default: "
            + "${DEFAULT-VALUE}.")
    int stage2Epochs = 5;

    @Option(names = "--stage2-lr", paramLabel = "X", description = "Learning rate of the second stage. Default: "
            + "${DEFAULT-VALUE}.")
    double stage2Lr = 1e-4;

    @Mixin
    ExtractionOptions extraction;

    @Mixin
    ClassifierOptions classifier;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of option values, keys are "
            + "the option names without dashes (e.g. `lr: 0.003`, `freeze-until: block3_pool`); options on the "
            + "command line win. `search` writes its best configuration in this format.")
    Path config;

    @Override
    public Integer call() {
        TrainConfig.StageTwo stage2 = unfreeze == null ? null
                : new TrainConfig.StageTwo(unfreeze, stage2Epochs, stage2Lr);
        if (unfreeze == null && spec.commandLine().getParseResult().hasMatchedOption("--stage2-epochs")) {
            throw new UsageException("--stage2-epochs: needs --unfreeze LAYER to say what the second stage "
                    + "unfreezes.");
        }
        Path dir = resolveData();
        String bundleName = name != null ? name : dir.getFileName() + "-" + backbone.mode;
        TrainConfig cfg = backbone.config(bundleName, dir, common, data, preparation, train, stage2, err())
                .withPrefix(extraction.prefixCache(train));
        if (backbone.mode.equals("features")) {
            return FeatureTrainingRun.run(cfg, extraction.config(backbone.augment(), train.batchSize),
                    classifier.config(), train.stageSettings(), common.quiet, common.json, out(), err());
        }
        return TrainingRun.run(cfg, train, common.quiet, common.json, out(), err());
    }
}
