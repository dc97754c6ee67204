package org.finetune4j.model;

import java.util.function.IntFunction;

/**
 * A backbone that can be named with {@code --model}: its architecture, its preprocessing, its sensible defaults and
 * where its pretrained weights come from — timm's pretrained config and fastai's model meta in one record.
 *
 * @param name                the name users type, e.g. {@code vgg16}
 * @param description         one line for {@code --help} and {@code models/README.md}
 * @param architecture        the architecture for a number of output classes
 * @param preprocessing       what images go through before the network
 * @param defaultFreezeUntil  the default {@code --freeze-until}: the last conv block stays trainable
 * @param defaultFeatureLayer the default {@code --layer} for feature extraction
 * @param pretrained          whether ImageNet (or other) weights are loaded; false: random initialisation
 */
public record BackboneSpec(String name, String description, IntFunction<VggArchitecture> architecture,
                           Preprocessing preprocessing, String defaultFreezeUntil, String defaultFeatureLayer,
                           boolean pretrained) {
}
