package org.finetune4j.cli;

import picocli.CommandLine.Mixin;

/** A command that trains, or probes training: {@code train}'s optimisation, head and data-preparation options. */
abstract class TrainingCommand extends DataCommand {

    @Mixin
    TrainOptions train;

    @Mixin
    PreparationOptions preparation;
}
