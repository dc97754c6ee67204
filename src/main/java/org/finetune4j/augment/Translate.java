package org.finetune4j.augment;

import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Shifts the image by a whole number of pixels, keeping its size; uncovered pixels are filled per {@link Border}.
 * Recipe name {@code translate}. Wraps DataVec's {@code WarpImageTransform} with all four corners moved by the same
 * fixed offset (a pure translation).
 *
 * @param xFraction the horizontal shift as a fraction of the width, in [-0.5, 0.5]; positive moves content right
 * @param yFraction the vertical shift as a fraction of the height, in [-0.5, 0.5]; positive moves content down
 * @param border    how uncovered pixels are filled
 */
public record Translate(Range xFraction, Range yFraction, Border border) implements AugmentStep, StepSettings {

    /** The step's name in recipes. */
    public static final String NAME = "translate";

    /** @throws SettingException if a fraction range leaves [-0.5, 0.5] */
    public Translate {
        SettingException.requireWithin(NAME, "x-fraction", Objects.requireNonNull(xFraction), -0.5, 0.5,
                "(fractions of the width)");
        SettingException.requireWithin(NAME, "y-fraction", Objects.requireNonNull(yFraction), -0.5, 0.5,
                "(fractions of the height)");
        Objects.requireNonNull(border, "border");
    }

    /** @return shifts of up to 10 % each way, reflected border */
    public static Translate defaults() {
        return new Translate(new Range(-0.1, 0.1), new Range(-0.1, 0.1), Border.REFLECT);
    }

    /**
     * @param dxPx columns to shift by (positive: right)
     * @param dyPx rows to shift by (positive: down)
     */
    public record Params(int dxPx, int dyPx) implements StepParams {
        @Override
        public String describe() {
            return String.format(Locale.ROOT, "shift %+d,%+d", dxPx, dyPx);
        }
    }

    @Override
    public StepParams sample(SplittableRandom rng, ImageSize in) {
        int dx = (int) Math.round(xFraction.uniform(rng) * in.width());
        int dy = (int) Math.round(yFraction.uniform(rng) * in.height());
        return new Params(dx, dy);
    }

    @Override
    public Mat apply(Mat image, StepParams params) {
        Params p = StepParams.as(Params.class, params, NAME);
        float dx = p.dxPx();
        float dy = p.dyPx();
        return DataVecTransforms.warp(image, border, dx, dy, dx, dy, dx, dy, dx, dy);
    }

    @Override
    public AugmentStep bind(ImageSize output) {
        return this;
    }
}
