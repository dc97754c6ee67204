package org.finetune4j.augment;

import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One augmentation step: first <em>sample</em> its parameters from a passed-in generator, then <em>apply</em> them
 * deterministically (Keras' preprocessing layers work this way), so tests can inject parameters and previews can
 * print them.
 * <pre>{@code
 * AugmentStep rotate = new Rotate(new Range(-15, 15), Border.REFLECT);
 * StepParams p = rotate.sample(rng, ImageSize.of(image));   // e.g. rotate 7.3°
 * Mat out = rotate.apply(image, p);                          // same p, same bytes
 * Mat turned = rotate.apply(image, new Rotate.Params(90));   // pinned parameters
 * }</pre>
 * Implementations are immutable and thread-safe: they keep no per-call state (the DataVec transforms they wrap are
 * created per call, because those keep per-call state in fields).
 */
public interface AugmentStep {

    /**
     * Draws this step's parameters for one image; all randomness of the step happens here.
     *
     * @param rng the image's generator (derived from the seed, epoch and image index)
     * @param in  the size of the image the step will be applied to
     * @return the parameters to give to {@link #apply}
     */
    StepParams sample(SplittableRandom rng, ImageSize in);

    /**
     * Applies the step with the given parameters: pure, no randomness, no fields changed. The input is not modified
     * or closed; the result is a new matrix (never a view of the input) that the caller closes.
     *
     * @param image  an 8-bit image with 1 or 3 channels (BGR)
     * @param params parameters of this step's type, from {@link #sample} or made in code
     * @return the transformed image
     * @throws IllegalArgumentException if the parameters belong to another step
     */
    Mat apply(Mat image, StepParams params);
}
