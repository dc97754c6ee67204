package org.finetune4j.cli;

import picocli.CommandLine.Option;

/** {@code --model}: the backbone a command starts from (train's wording; {@link HelpLayout} words it per command). */
public final class ModelOption {

    /** The backbone when none is named: the shipped network, pretrained on the synthetic source set. */
    static final String DEFAULT_MODEL = "mini-vgg-shapes";

    @Option(names = "--model", paramLabel = "M", description = "The backbone: a bundle name under models/ (e.g. "
            + "mini-vgg-shapes), a bundle folder, or mini-vgg (with --mode scratch). Default: ${DEFAULT-VALUE}.")
    String model = DEFAULT_MODEL;
}
