package org.finetune4j.cli;

import org.finetune4j.features.ExtractionConfig;
import picocli.CommandLine.Option;

/** Feature-extraction options shared by {@code features} and {@code train --mode features}. */
public final class ExtractionOptions {

    @Option(names = "--layer", paramLabel = "LAYER", description = "Feature layer (`finetune4j layers --model M` "
            + "lists them). Default: the backbone's: fc2 for vgg16, vgg19 and mini-vgg-shapes (on "
            + "shapes-target its fc2 beat block4_pool + global average pooling in cross-validation, 0.654 vs 0.604).")
    String layer;

    @Option(names = "--pool", paramLabel = "P", description = "For a convolutional feature layer: avg or max "
            + "(global pooling, one value per channel) or none (the whole map, flattened); auto = avg for conv "
            + "layers, none for fully connected ones. Default: ${DEFAULT-VALUE}.")
    String pool = ExtractionConfig.defaults().pool();

    @Option(names = "--cache", paramLabel = "DIR", description = "Feature cache folder. Default: "
            + "$FINETUNE4J_CACHE/features, else ~/.finetune4j/features.")
    String cache;

    @Option(names = "--augment-copies", paramLabel = "N", description = "Augmented views per training image "
            + "(with --augment RECIPE), besides the centre view; each is seeded and cached. Default: "
            + "${DEFAULT-VALUE}.")
    int augmentCopies = ExtractionConfig.defaults().augmentCopies();

    ExtractionConfig config(String augment, int batchSize) {
        return new ExtractionConfig(layer, pool, cache, augmentCopies > 0 ? augment : null, augmentCopies,
                batchSize);
    }
}
