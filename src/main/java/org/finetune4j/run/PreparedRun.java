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

    /** @return the resolved configuration of this run with the data's classes; backbone and preprocessing unset */
    public ResolvedRun resolved() {
        return new ResolvedRun(config, data.classes(), null, null);
    }
}
