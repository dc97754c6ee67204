package org.finetune4j.cli;

import java.nio.file.Path;
import org.finetune4j.run.TrainConfig;
import picocli.CommandLine.Mixin;

/**
 * A command that trains a backbone, or probes such training ({@code train}, {@code check}, {@code lr-find},
 * {@code search}): {@code --mode}, {@code --model}, {@code --freeze-until} and {@code --augment} besides
 * {@code train}'s options.
 */
abstract class BackboneCommand extends TrainingCommand {

    @Mixin
    BackboneOptions backbone;

    /** @return the configuration {@code train} would run with these options, without a second stage */
    TrainConfig config(String name, Path dir) {
        return backbone.config(name, dir, common, data, preparation, train, null, err());
    }
}
