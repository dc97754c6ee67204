package org.finetune4j.model;

/**
 * How a freshly built network (mode {@code scratch}, {@code pretrain}) is made.
 *
 * @param activation hidden activation of a freshly built network ({@code --activation})
 * @param init       weight initialisation ({@code --init}: he, xavier, …)
 * @param inputSize  square input size of a freshly built mini VGG ({@code --input-size})
 * @param batchNorm  batch normalisation in a freshly built mini VGG
 */
public record ArchitectureSettings(String activation, String init, int inputSize, boolean batchNorm) {
    /** @return relu, he, 64 px, batch norm on */
    public static ArchitectureSettings defaults() {
        return new ArchitectureSettings("relu", "he", 64, true);
    }
}
