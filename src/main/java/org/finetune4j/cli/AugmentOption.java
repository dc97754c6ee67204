package org.finetune4j.cli;

import org.finetune4j.data.DataSettings;
import picocli.CommandLine.Option;

/** {@code --augment}: the augmentation recipe (train's wording; {@link HelpLayout} words it per command). */
public final class AugmentOption {

    /** The recipe when none is named. */
    static final String DEFAULT_RECIPE = DataSettings.DEFAULT_AUGMENT;

    @Option(names = "--augment", paramLabel = "RECIPE", description = "Augmentation recipe: none, flip-crop, "
            + "resnet-scale, creative, or a YAML file (augment/README.md). Default: ${DEFAULT-VALUE}.")
    String augment = DEFAULT_RECIPE;
}
