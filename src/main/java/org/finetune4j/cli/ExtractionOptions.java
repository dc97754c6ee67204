package org.finetune4j.cli;

import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.run.TrainConfig;
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

    @Option(names = "--cache", paramLabel = "DIR", description = "Cache of the frozen layers' outputs (features, "
            + "and the frozen prefix of fine-tuning). Default: $FINETUNE4J_CACHE/features, else "
            + "~/.finetune4j/features.")
    String cache;

    @Option(names = "--augment-copies", paramLabel = "N", description = "Seeded augmented copies of each training "
            + "image whose frozen-layer outputs are computed once and cached. Fine-tuning: each epoch trains on one "
            + "copy per image, drawn from the seed (default: " + TrainConfig.PrefixCache.DEFAULT_COPIES + "). "
            + "Features mode: views besides the centre view (default: 0).")
    Integer augmentCopies;

    ExtractionConfig config(String augment, int batchSize) {
        int copies = augmentCopies == null ? ExtractionConfig.defaults().augmentCopies() : augmentCopies;
        return new ExtractionConfig(layer, pool, cache, copies > 0 ? augment : null, copies, batchSize);
    }

    /** @return how fine-tuning caches the frozen layers' outputs */
    TrainConfig.PrefixCache prefixCache(TrainOptions train) {
        return new TrainConfig.PrefixCache(augmentCopies == null ? TrainConfig.PrefixCache.DEFAULT_COPIES
                : augmentCopies, train.perEpochAugment, train.cacheBudgetGb, cache);
    }
}
