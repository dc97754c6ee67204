package org.finetune4j.model;

/**
 * Which backbone a run starts from, and how it is made: what {@link BackboneLoader} needs of a run's configuration.
 *
 * @param model        a built-in backbone name or a bundle ({@code --model})
 * @param fresh        the architecture freshly initialised instead of its pretrained weights (mode {@code scratch})
 * @param architecture how a freshly built network is made
 * @param weights      where the pretrained weights of {@code vgg16}/{@code vgg19} come from
 */
public record BackboneChoice(String model, boolean fresh, ArchitectureSettings architecture,
                             WeightsSettings weights) {
}
