package org.finetune4j.cli;

import java.nio.file.Path;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.run.Mode;
import org.finetune4j.run.TrainConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The backbone and recipe options of {@code train} and of the commands that probe a training setup ({@code check},
 * {@code lr-find}, {@code search}), with {@code train}'s defaults and wording ({@link HelpLayout} words them for the
 * probes).
 */
public final class BackboneOptions {

    @Option(names = "--mode", paramLabel = "MODE", description = "finetune (new head on the pretrained backbone, "
            + "early layers frozen), scratch (the same architecture, freshly initialised) or features (frozen "
            + "backbone as cached feature extractor + a linear classifier; see --classifier). Default: "
            + "${DEFAULT-VALUE}.")
    String mode = Mode.FINETUNE.key();

    @Mixin
    ModelOption model;

    @Option(names = "--freeze-until", paramLabel = "LAYER", description = "Freeze this layer and everything below "
            + "it; `none` freezes nothing. Default: the backbone's (mini-vgg: block3_pool, vgg16: block4_pool — the "
            + "last conv block stays trainable).")
    String freezeUntil;

    @Mixin
    AugmentOption augment;

    /**
     * @param command the command's name, for the message
     * @throws UsageException for {@code --mode features}: the command probes gradient training
     */
    void requireGradientTraining(String command) {
        if (mode.equals("features")) {
            throw new org.finetune4j.core.UsageException("--mode features: `" + command + "` probes gradient "
                    + "training (a learning rate, a loss going down) and does not apply to the features mode's "
                    + "linear classifier. Expected --mode finetune or scratch; to tune a features-mode classifier, "
                    + "run `finetune4j search --mode features` (k-fold cross-validation of C).");
        }
    }


    /** @return the recipe option's value */
    String augment() {
        return augment.augment;
    }

    /**
     * @param stage2 the second stage, or null
     * @return the configuration {@code train} would run with these options
     */
    TrainConfig config(String name, Path data, CommonOptions common, DataOptions dataOptions,
                       PreparationOptions preparation, TrainOptions train, TrainConfig.StageTwo stage2,
                       java.io.PrintWriter err) {
        return new TrainConfig(Mode.parse(mode), name,
                new TrainConfig.BackboneSettings(model.resolve(data, dataOptions.given(), common.quiet, err),
                        freezeUntil, ArchitectureSettings.defaults(),
                        train.weights.settings()),
                new TrainConfig.FineTuneSettings(train.head(), train.optimizer(), train.schedule(), stage2),
                preparation.settings(data, dataOptions, augment()), common.seed, train.balance());
    }
}
