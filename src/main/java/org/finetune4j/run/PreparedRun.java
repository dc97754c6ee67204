package org.finetune4j.run;

import org.finetune4j.core.Backend;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.TrainingData;

/**
 * A run set up and ready for its mode: what fine-tuning, features mode, the checks, the learning-rate range test
 * and the search all start from ({@link RunSetup#prepare}).
 *
 * @param config  the configuration, its freeze point resolved ({@link #freezeUntil()})
 * @param seeds   the derived random streams of the root seed; ND4J already seeded from them
 * @param data    the data scanned, split and screened
 * @param backend the native backend as it was set up (build, threads, layer helpers)
 */
public record PreparedRun(TrainConfig config, Seeds seeds, TrainingData data, Backend.Status backend) {

    /** @return the last frozen layer (the user's, or the backbone's default), or null for none */
    public String freezeUntil() {
        return config.freezeUntil();
    }

    /** @return training images per class, in label order */
    public long[] trainCounts() {
        return trainCounts(data);
    }

    /** @return training images per class of prepared data, in label order */
    public static long[] trainCounts(TrainingData data) {
        long[] counts = new long[data.classes().size()];
        data.split().train().forEach(im -> counts[im.classIndex()]++);
        return counts;
    }

    /** @return how lopsided the training split is */
    public Imbalance imbalance() {
        return Imbalance.of(data.classes(), trainCounts());
    }

    /**
     * @return the loss weight of each class ({@code --class-weights}), or null for none
     * @throws org.finetune4j.core.UsageException for a class-weights file that is missing or wrong
     */
    public double[] classWeights() {
        return ClassWeights.of(config.balance().classWeights(), data.classes(), trainCounts());
    }

    /** @return the resolved configuration of this run with the data's classes; backbone and preprocessing unset */
    public ResolvedRun resolved() {
        return new ResolvedRun(config, data.classes(), null, null);
    }
}
