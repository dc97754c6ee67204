package org.finetune4j.cli;

import org.finetune4j.model.ArchitectureSettings;
import java.nio.file.Path;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.Mode;
import org.finetune4j.run.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code finetune4j pretrain}: train a VGG-style network from scratch, to be a backbone. */
@Command(name = "pretrain",
        description = {"Trains a VGG-style network from scratch (random initialisation, nothing frozen, the "
                + "dataset's own mean/std normalisation) and writes it as a bundle that can be a backbone for "
                + "`train`. This is how models/mini-vgg-shapes was made from data/shapes-source "
                + "(models/README.md has the exact command)."})
final class PretrainCommand extends TrainingCommand {

    @Option(names = "--arch", paramLabel = "A", description = "Architecture: mini-vgg (or vgg16, vgg19: large). "
            + "Default: ${DEFAULT-VALUE}.")
    String arch = "mini-vgg";

    @Option(names = "--name", paramLabel = "NAME", description = "The bundle to write: models/<name>/. Default: "
            + "${DEFAULT-VALUE}.")
    String name = "mini-vgg-pretrained";

    @Option(names = "--init", paramLabel = "I", description = "Weight initialisation: he, he-uniform, xavier, "
            + "xavier-uniform, lecun, normal-0.01. Default: ${DEFAULT-VALUE} (for relu-like activations).")
    String init = ArchitectureSettings.defaults().init();

    @Option(names = "--activation", paramLabel = "A", description = "Hidden activation: relu, leakyrelu, elu, selu, "
            + "swish, tanh, sigmoid. Default: ${DEFAULT-VALUE}.")
    String activation = ArchitectureSettings.defaults().activation();

    @Option(names = "--input-size", paramLabel = "PX", description = "Square input size of mini-vgg (a multiple of "
            + "16). Default: ${DEFAULT-VALUE}.")
    int inputSize = ArchitectureSettings.defaults().inputSize();

    @Option(names = "--no-batch-norm", description = "Leave out batch normalisation after the convolutions.")
    boolean noBatchNorm;

    @Mixin
    AugmentOption augment;

    @Override
    public Integer call() {
        Path dir = resolveData();
        HeadSpec head = new HeadSpec(null, train.headHidden, train.headActivation, train.dropout,
                train.headBatchNorm);
        TrainConfig cfg = new TrainConfig(Mode.SCRATCH, name,
                new TrainConfig.BackboneSettings(arch, null, new ArchitectureSettings(activation, init, inputSize,
                        !noBatchNorm), train.weights.settings()),
                new TrainConfig.FineTuneSettings(head, train.optimizer(), train.schedule(), null),
                preparation.settings(dir, data, augment.augment), common.seed, train.balance());
        return TrainingRun.run(cfg, train, common.quiet, common.json, out(), err());
    }
}
