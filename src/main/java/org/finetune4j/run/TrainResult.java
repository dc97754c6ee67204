package org.finetune4j.run;

import java.nio.file.Path;
import java.util.List;
import org.finetune4j.data.BadImage;
import org.finetune4j.data.DatasetReport;
import org.finetune4j.model.ModelBundle;

/**
 * What a training run produced.
 *
 * @param bundleDir    the bundle folder written, or null when the run was interrupted
 * @param bundle       the bundle's metadata, or null when interrupted
 * @param history      the learning curves
 * @param testLoss     cross-entropy on the test split (centre crop), NaN without a test split
 * @param testAccuracy accuracy on the test split, NaN without a test split
 * @param badImages    files left out, with reasons
 * @param seconds      wall-clock seconds of the run
 * @param interrupted  whether Ctrl-C stopped it (a checkpoint was saved; {@code --resume} continues)
 * @param checkpoint   the checkpoint folder
 * @param frozen       names of the frozen layers
 * @param leaks        groups of byte-identical images that straddle the train/validation/test boundary
 */
public record TrainResult(Path bundleDir, ModelBundle bundle, History history, double testLoss,
                          double testAccuracy, List<BadImage> badImages, double seconds, boolean interrupted,
                          Path checkpoint, List<String> frozen, List<DatasetReport.DuplicateGroup> leaks) {
    public TrainResult {
        leaks = leaks == null ? List.of() : List.copyOf(leaks);
    }
}
