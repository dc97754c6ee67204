package org.finetune4j.train;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Turns a decoded training image into one of exactly the network's input size, randomly but reproducibly: the result
 * depends only on the image, the epoch and the image's index (and the run's seed captured by the implementation).
 */
@FunctionalInterface
public interface Augmentation {
    /**
     * @param decoded    the decoded 8-bit image (not modified, not closed)
     * @param epoch      the epoch, from 0
     * @param imageIndex the image's index in the training list
     * @return a new image of the input size; the caller closes it
     */
    Mat apply(Mat decoded, long epoch, long imageIndex);
}
