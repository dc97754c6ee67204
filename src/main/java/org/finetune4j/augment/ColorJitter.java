package org.finetune4j.augment;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;

import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Changes brightness, contrast and saturation by factors drawn uniformly from their ranges (1 = unchanged), in that
 * fixed order, like torchvision's {@code ColorJitter}: brightness multiplies every value; contrast blends with the
 * image's mean gray level; saturation blends with the image's grayscale version (1-channel images: no change).
 * Values are rounded and clipped to 0–255 after each change. Recipe name {@code color-jitter}. Our own (OpenCV
 * arithmetic): DataVec has only colour-space conversions.
 *
 * @param brightnessFactor range of the brightness factor, within [0, 4]
 * @param contrastFactor   range of the contrast factor, within [0, 4] (0 = flat gray)
 * @param saturationFactor range of the saturation factor, within [0, 4] (0 = grayscale)
 */
public record ColorJitter(Range brightnessFactor, Range contrastFactor, Range saturationFactor)
        implements AugmentStep, StepSettings {

    /** The step's name in recipes. */
    public static final String NAME = "color-jitter";

    /** @throws SettingException if a range leaves [0, 4] */
    public ColorJitter {
        SettingException.requireWithin(NAME, "brightness-factor", Objects.requireNonNull(brightnessFactor), 0, 4,
                "(a factor; 1 = unchanged)");
        SettingException.requireWithin(NAME, "contrast-factor", Objects.requireNonNull(contrastFactor), 0, 4,
                "(a factor; 1 = unchanged)");
        SettingException.requireWithin(NAME, "saturation-factor", Objects.requireNonNull(saturationFactor), 0, 4,
                "(a factor; 1 = unchanged)");
    }

    /** @return each factor in [0.8, 1.2] */
    public static ColorJitter defaults() {
        return new ColorJitter(new Range(0.8, 1.2), new Range(0.8, 1.2), new Range(0.8, 1.2));
    }

    /**
     * @param brightness the brightness factor
     * @param contrast   the contrast factor
     * @param saturation the saturation factor
     */
    public record Params(double brightness, double contrast, double saturation) implements StepParams {
        @Override
        public String describe() {
            return String.format(Locale.ROOT, "color %.2f/%.2f/%.2f", brightness, contrast, saturation);
        }
    }

    @Override
    public StepParams sample(SplittableRandom rng, ImageSize in) {
        double b = brightnessFactor.uniform(rng);
        double c = contrastFactor.uniform(rng);
        double s = saturationFactor.uniform(rng);
        return new Params(b, c, s);
    }

    @Override
    public Mat apply(Mat image, StepParams params) {
        Params p = StepParams.as(Params.class, params, NAME);
        Mat current = image.clone();
        if (p.brightness() != 1) {
            current.convertTo(current, -1, p.brightness(), 0);     // in place: same depth, saturating
        }
        if (p.contrast() != 1) {
            double mean = meanGray(current);
            current.convertTo(current, -1, p.contrast(), (1 - p.contrast()) * mean);
        }
        if (p.saturation() != 1 && current.channels() == 3) {
            try (Mat gray = new Mat(); Mat gray3 = new Mat()) {
                opencv_imgproc.cvtColor(current, gray, COLOR_BGR2GRAY);
                opencv_imgproc.cvtColor(gray, gray3, COLOR_GRAY2BGR);
                Mat out = new Mat();
                opencv_core.addWeighted(current, p.saturation(), gray3, 1 - p.saturation(), 0, out);
                current.close();
                current = out;
            }
        }
        return current;
    }

    private static double meanGray(Mat image) {
        if (image.channels() == 1) {
            return opencv_core.mean(image).get(0);
        }
        try (Mat gray = new Mat()) {
            opencv_imgproc.cvtColor(image, gray, COLOR_BGR2GRAY);
            return opencv_core.mean(gray).get(0);
        }
    }

    @Override
    public AugmentStep bind(ImageSize output) {
        return this;
    }
}
