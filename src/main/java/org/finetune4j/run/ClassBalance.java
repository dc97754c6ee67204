package org.finetune4j.run;

import java.util.Locale;
import org.finetune4j.core.UsageException;

/**
 * How training counters class imbalance: loss weights per class and the order in which fine-tuning draws its
 * training images. Recorded in the bundle and the report with the rest of the run's configuration.
 * <pre>{@code
 * ClassBalance b = new ClassBalance("balanced", "balanced");   // --class-weights balanced --sampler balanced
 * }</pre>
 *
 * @param classWeights {@code none} (every image counts the same), {@code balanced} (weights inverse to the class's
 *                     share of the training split, {@link ClassWeights#balanced}) or the path of a CSV file of
 *                     {@code class,weight} lines ({@link ClassWeights#read}) ({@code --class-weights}); default none
 * @param sampler      fine-tuning's epoch order: {@code shuffle} (every training image once per epoch, in a seeded
 *                     order) or {@code balanced} (as many draws per epoch as images, with replacement, each image
 *                     drawn with probability inverse to its class's size, so every class is drawn equally often in
 *                     expectation) ({@code --sampler}); default shuffle
 */
public record ClassBalance(String classWeights, String sampler) {

    /** {@code --class-weights} with every image counting the same. */
    public static final String NONE = "none";
    /** {@code --class-weights} inverse to the class frequency, and the class-balanced {@code --sampler}. */
    public static final String BALANCED = "balanced";
    /** The {@code --sampler} that shuffles every training image once per epoch. */
    public static final String SHUFFLE = "shuffle";

    public ClassBalance {
        if (classWeights == null || classWeights.isBlank()) {
            throw new UsageException("--class-weights: empty. Expected none, balanced or a CSV file of class,weight "
                    + "lines.");
        }
        if (sampler == null || !(sampler.equals(SHUFFLE) || sampler.equals(BALANCED))) {
            throw new UsageException("--sampler " + sampler + ": unknown sampler. Expected shuffle or balanced.");
        }
    }

    /** @return no class weights, the shuffling sampler */
    public static ClassBalance defaults() {
        return new ClassBalance(NONE, SHUFFLE);
    }

    /** @return whether the loss weighs classes (balanced or from a file) */
    public boolean weighted() {
        return !classWeights.equals(NONE);
    }

    /** @return whether fine-tuning draws its epochs with the class-balanced sampler */
    public boolean balancedSampler() {
        return sampler.equals(BALANCED);
    }

    /** @return e.g. {@code class weights balanced, sampler shuffle} */
    public String describe() {
        return String.format(Locale.ROOT, "class weights %s, sampler %s", classWeights, sampler);
    }
}
