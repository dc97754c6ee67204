package org.finetune4j.data;

import java.util.List;

/**
 * A dataset cut into train, validation and test images; each list is sorted by relative path.
 *
 * @param train the training images
 * @param val   the validation images (may be empty when the validation fraction is 0)
 * @param test  the test images (may be empty when the test fraction is 0)
 */
public record Split(List<LabeledImage> train, List<LabeledImage> val, List<LabeledImage> test) {
    public Split {
        train = List.copyOf(train);
        val = List.copyOf(val);
        test = List.copyOf(test);
    }

    /** @return the images of one part */
    public List<LabeledImage> part(SplitName name) {
        return switch (name) {
            case TRAIN -> train;
            case VAL -> val;
            case TEST -> test;
        };
    }
}
