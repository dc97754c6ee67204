package org.finetune4j.model;

/**
 * A backbone that can be named with {@code --model}: its architecture, its preprocessing, its sensible defaults and
 * where its pretrained weights come from — timm's pretrained config and fastai's model meta in one record.
 *
 * @param name                  the name users type, e.g. {@code vgg16}
 * @param description           one line for {@code --help} and {@code models/README.md}
 * @param architecture          the architecture for a number of output classes and the fresh-network settings
 * @param preprocessing         what images go through before the network
 * @param preprocessingFromData a freshly built network normalises by the training split's own mean and standard
 *                              deviation instead of {@code preprocessing}
 * @param defaultFreezeUntil    the default {@code --freeze-until}: the last conv block stays trainable
 * @param defaultFeatureLayer   the default {@code --layer} for feature extraction
 * @param weights               where the pretrained weights come from; null: none, random initialisation only
 */
public record BackboneSpec(String name, String description, Architecture architecture, Preprocessing preprocessing,
                           boolean preprocessingFromData, String defaultFreezeUntil, String defaultFeatureLayer,
                           PretrainedWeights weights) {

    /** Builds the backbone's architecture. */
    @FunctionalInterface
    public interface Architecture {
        /**
         * @param classes  output classes of the top layer (1000 for ImageNet weights)
         * @param settings how a fresh network is made ({@code --input-size}, batch norm; used where they apply)
         */
        VggArchitecture build(int classes, ArchitectureSettings settings);
    }

    /**
     * The two published sources of a backbone's ImageNet weights.
     *
     * @param keras Keras's HDF5 file (the default)
     * @param zoo   DL4J's zoo zip (when {@code --weights} or {@code --weights-url} names a {@code .zip})
     */
    public record PretrainedWeights(WeightsSource keras, WeightsSource zoo) {
    }

    /** @return whether pretrained weights exist; false: random initialisation only */
    public boolean pretrained() {
        return weights != null;
    }
}
