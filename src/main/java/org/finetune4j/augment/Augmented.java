package org.finetune4j.augment;

import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One augmented image and what was done to it.
 *
 * @param image the result, exactly the network's input size; the caller closes it
 * @param steps the steps applied, in order, with their parameters (skipped steps are absent)
 */
public record Augmented(Mat image, List<AppliedStep> steps) {

    /** @param steps copied */
    public Augmented {
        steps = List.copyOf(steps);
    }

    /** @return the applied steps' short descriptions, e.g. {@code [short side 80, crop at 3,12, hflip]} */
    public List<String> descriptions() {
        return steps.stream().map(s -> s.params().describe()).toList();
    }
}
