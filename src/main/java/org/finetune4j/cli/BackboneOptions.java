package org.finetune4j.cli;

import org.finetune4j.model.ArchitectureSettings;
import java.nio.file.Path;
import org.finetune4j.train.TrainConfig;
import picocli.CommandLine.Option;

/**
 * {@code train}'s backbone and recipe options for the commands that probe a training setup ({@code check},
 * {@code lr-find}, {@code search}), with {@code train}'s defaults.
 */
public final class BackboneOptions {

    @Option(names = "--mode", paramLabel = "MODE", description = "finetune or scratch, as for train; search "
            + "also takes features (cross-validates the linear classifier's C on cached features). Default: "
            + "${DEFAULT-VALUE}.")
    String mode = "finetune";

    @Option(names = "--model", paramLabel = "M", description = "The backbone, as for train: a bundle name under "
            + "models/, a bundle folder, or a built-in name. Default: ${DEFAULT-VALUE}.")
    String model = "mini-vgg-shapes";

    @Option(names = "--freeze-until", paramLabel = "LAYER", description = "Freeze this layer and everything below "
            + "it; `none` freezes nothing. Default: the backbone's.")
    String freezeUntil;

    @Option(names = "--augment", paramLabel = "RECIPE", description = "Augmentation recipe (used by search trials; "
            + "check and lr-find use the evaluation view). Default: ${DEFAULT-VALUE}.")
    String augment = "flip-crop";

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

    /** @return the configuration {@code train} would run with these options */
    TrainConfig config(String name, Path data, CommonOptions common, DataOptions dataOptions,
                       PreparationOptions preparation, TrainOptions train) {
        return new TrainConfig(mode, model, name, freezeUntil, train.head(), train.optimizer(), train.schedule(),
                null, preparation.settings(data, dataOptions, augment, train.threads), ArchitectureSettings.defaults(),
                train.weights(), common.seed);
    }
}
