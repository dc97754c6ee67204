package org.finetune4j.cli;

import org.finetune4j.model.WeightsSettings;
import picocli.CommandLine.Option;

/** Where vgg16/vgg19 weights come from: a file, a mirror, a cache folder (train's wording). */
public final class WeightsOptions {

    @Option(names = "--weights", paramLabel = "FILE", description = "vgg16/vgg19: a Keras weights file you "
            + "already have (e.g. vgg16_weights_tf_dim_ordering_tf_kernels.h5), instead of downloading it.")
    String weightsFile;

    @Option(names = "--weights-md5", paramLabel = "HASH|any", description = "With --weights: the MD5 your file "
            + "must have instead of the published one (a Keras re-save, or your own weights in Keras's layout), or "
            + "`any` to load it unchecked (a warning names its MD5). Default: the published MD5.")
    String weightsMd5;

    @Option(names = "--weights-url", paramLabel = "URL", description = "vgg16/vgg19: a mirror of the Keras weights "
            + "file. Default: Keras's own URL, given in models/README.md.")
    String weightsUrl;

    @Option(names = "--weights-cache", paramLabel = "DIR", description = "Where downloaded weights are kept. "
            + "Default: $FINETUNE4J_CACHE, else ~/.finetune4j/weights.")
    String weightsCache;

    WeightsSettings settings() {
        return new WeightsSettings(weightsFile, weightsUrl, weightsCache, weightsMd5);
    }
}
