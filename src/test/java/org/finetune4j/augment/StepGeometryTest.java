package org.finetune4j.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.finetune4j.testing.TestMats.coordinates;
import static org.finetune4j.testing.TestMats.pixel;

import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.testing.TestMats;
import org.junit.jupiter.api.Test;

/**
 * Each step's geometry on asymmetric images whose pixels name their position (blue = x, green = y), with parameters
 * injected so that nothing random is involved.
 */
class StepGeometryTest {

    private static final ImageSize IN_64 = ImageSize.square(64);

    /** @return (x, y) of the source pixel a pixel of a coordinates image came from */
    private static int[] source(Mat m, int x, int y) {
        int[] p = pixel(m, x, y);
        return new int[] {p[0], p[1]};
    }

    @Test
    void horizontalFlipMapsXToWidthMinusOneMinusX() {
        try (Mat in = coordinates(7, 5); Mat out = Flip.horizontal().apply(in,
                new Flip.Params(Flip.Axis.HORIZONTAL))) {
            assertThat(ImageSize.of(out)).isEqualTo(new ImageSize(5, 7));
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 7; x++) {
                    assertThat(source(out, 6 - x, y)).containsExactly(x, y);
                }
            }
        }
    }

    @Test
    void verticalFlipMapsYToHeightMinusOneMinusY() {
        try (Mat in = coordinates(7, 5); Mat out = Flip.vertical().apply(in,
                new Flip.Params(Flip.Axis.VERTICAL))) {
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 7; x++) {
                    assertThat(source(out, x, 4 - y)).containsExactly(x, y);
                }
            }
        }
    }

    @Test
    void randomCropStaysInsideTheImageAndCopiesTheWindow() {
        ImageSize window = new ImageSize(16, 20);
        RandomCrop crop = new RandomCrop(window);
        try (Mat in = coordinates(40, 30)) {
            boolean sawLeftEdge = false;
            boolean sawRightEdge = false;
            for (int i = 0; i < 400; i++) {
                RandomCrop.Params p = (RandomCrop.Params) crop.sample(new SplittableRandom(i), ImageSize.of(in));
                assertThat(p.x()).isBetween(0, 40 - 20);
                assertThat(p.y()).isBetween(0, 30 - 16);
                sawLeftEdge |= p.x() == 0;
                sawRightEdge |= p.x() == 20;
            }
            assertThat(sawLeftEdge && sawRightEdge).as("every offset is reachable, the last one too").isTrue();
            try (Mat out = crop.apply(in, new RandomCrop.Params(13, 9))) {
                assertThat(ImageSize.of(out)).isEqualTo(window);
                assertThat(source(out, 0, 0)).containsExactly(13, 9);
                assertThat(source(out, 19, 15)).containsExactly(32, 24);
            }
        }
    }

    @Test
    void randomCropEnlargesAnImageSmallerThanTheWindowKeepingItsAspect() {
        RandomCrop crop = new RandomCrop(IN_64);
        try (Mat in = coordinates(20, 10)) {
            RandomCrop.Params p = (RandomCrop.Params) crop.sample(new SplittableRandom(1), ImageSize.of(in));
            assertThat(p.y()).isZero();                     // 10 → 64 rows, 20 → 128 columns
            assertThat(p.x()).isBetween(0, 64);
            try (Mat out = crop.apply(in, p)) {
                assertThat(ImageSize.of(out)).isEqualTo(IN_64);
            }
        }
    }

    @Test
    void cropParametersOutsideTheImageAreRejected() {
        try (Mat in = coordinates(40, 30)) {
            assertThatThrownBy(() -> new RandomCrop(new ImageSize(16, 20)).apply(in, new RandomCrop.Params(21, 0)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        }
    }

    @Test
    void scaleShortSideIsRelativeToTheInputAndYieldsAShortSideInItsRange() {
        ScaleShortSide step = (ScaleShortSide) ScaleShortSide.Settings.defaults().bind(IN_64);
        assertThat(step.minPx()).isEqualTo(73);              // 256 * 64 / 224
        assertThat(step.maxPx()).isEqualTo(137);             // 480 * 64 / 224
        assertThat(((ScaleShortSide) ScaleShortSide.Settings.defaults().bind(ImageSize.square(224))).maxPx())
                .isEqualTo(480);
        try (Mat in = coordinates(150, 100)) {
            int lo = Integer.MAX_VALUE;
            int hi = 0;
            for (int i = 0; i < 300; i++) {
                ScaleShortSide.Params p = (ScaleShortSide.Params) step.sample(new SplittableRandom(i),
                        ImageSize.of(in));
                assertThat(p.shortSidePx()).isBetween(73, 137);
                lo = Math.min(lo, p.shortSidePx());
                hi = Math.max(hi, p.shortSidePx());
            }
            assertThat(lo).isLessThan(80);
            assertThat(hi).isGreaterThan(130);
            try (Mat out = step.apply(in, new ScaleShortSide.Params(80))) {
                assertThat(out.rows()).isEqualTo(80);            // the short side
                assertThat(out.cols()).isEqualTo(120);           // aspect 3:2 kept
            }
        }
    }

    @Test
    void scaleShortSideUsesAreaInterpolationWhenShrinking() {
        // a 1-pixel checkerboard shrunk by 3: area averaging gives mid grays; bilinear sampling at whole source
        // pixels would give pure black and white (aliasing)
        try (Mat in = TestMats.checkerboard(63, 63);
             Mat out = new ScaleShortSide(21, 21).apply(in, new ScaleShortSide.Params(21))) {
            for (int y = 0; y < 21; y++) {
                for (int x = 0; x < 21; x++) {
                    assertThat(pixel(out, x, y)[0]).isBetween(100, 160);
                }
            }
        }
    }

    @Test
    void resizeCenterCropTakesTheExactCenter() {
        try (Mat in = coordinates(40, 30)) {
            // S = 30 = the short side, so no resizing: the 20x20 center of a 40-wide, 30-high image starts at (10, 5)
            ResizeCenterCrop step = new ResizeCenterCrop(30, ImageSize.square(20));
            try (Mat out = step.apply(in, new ResizeCenterCrop.Params())) {
                assertThat(ImageSize.of(out)).isEqualTo(ImageSize.square(20));
                assertThat(source(out, 0, 0)).containsExactly(10, 5);
                assertThat(source(out, 19, 19)).containsExactly(29, 24);
            }
        }
    }

    @Test
    void resizeCenterCropScalesSWithTheInputSize() {
        ResizeCenterCrop step = (ResizeCenterCrop) ResizeCenterCrop.Settings.defaults().bind(IN_64);
        assertThat(step.shortSidePx()).isEqualTo(73);
        try (Mat in = coordinates(200, 100); Mat out = step.apply(in, new ResizeCenterCrop.Params())) {
            assertThat(ImageSize.of(out)).isEqualTo(IN_64);
        }
    }

    @Test
    void rotationByNinetyDegreesMovesEveryPixelWhereExpected() {
        for (int side : List.of(8, 9)) {
            try (Mat in = coordinates(side, side);
                 Mat ccw = Rotate.defaults().apply(in, new Rotate.Params(90));
                 Mat cw = Rotate.defaults().apply(in, new Rotate.Params(-90));
                 Mat half = Rotate.defaults().apply(in, new Rotate.Params(180))) {
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        assertThat(source(ccw, y, side - 1 - x)).as("+90 of (%d, %d), side %d", x, y, side)
                                .containsExactly(x, y);
                        assertThat(source(cw, side - 1 - y, x)).containsExactly(x, y);
                        assertThat(source(half, side - 1 - x, side - 1 - y)).containsExactly(x, y);
                    }
                }
            }
        }
    }

    @Test
    void rotationMovesAMarkerCounterClockwise() {
        // marker right of the center of a 21x21 image; +90 (counter-clockwise as displayed) moves it above the center
        try (Mat in = TestMats.solid(21, 21, 50, 50, 50)) {
            try (Mat roi = in.apply(new org.bytedeco.opencv.opencv_core.Rect(17, 10, 1, 1))) {
                roi.put(new org.bytedeco.opencv.opencv_core.Scalar(255, 255, 255, 0));
            }
            try (Mat out = Rotate.defaults().apply(in, new Rotate.Params(90))) {
                assertThat(pixel(out, 10, 3)).containsExactly(255, 255, 255);
                assertThat(pixel(out, 17, 10)).containsExactly(50, 50, 50);
            }
        }
    }

    @Test
    void translationShiftsByWholePixels() {
        try (Mat in = coordinates(20, 16);
             Mat out = Translate.defaults().apply(in, new Translate.Params(3, -2))) {
            assertThat(ImageSize.of(out)).isEqualTo(ImageSize.of(in));
            for (int y = 2; y < 16; y++) {
                for (int x = 0; x < 17; x++) {
                    assertThat(source(out, x + 3, y - 2)).containsExactly(x, y);
                }
            }
        }
    }

    @Test
    void translationDrawsWholePixelsWithinItsFractions() {
        Translate t = new Translate(new Range(-0.1, 0.1), Range.fixed(0), Border.CONSTANT);
        for (int i = 0; i < 200; i++) {
            Translate.Params p = (Translate.Params) t.sample(new SplittableRandom(i), new ImageSize(50, 100));
            assertThat(p.dxPx()).isBetween(-10, 10);
            assertThat(p.dyPx()).isZero();
        }
    }

    @Test
    void shearMovesRowsInProportionToTheirDistanceFromTheMiddle() {
        try (Mat in = coordinates(40, 20); Mat out = Shear.defaults().apply(in, new Shear.Params(45, 0))) {
            assertThat(ImageSize.of(out)).isEqualTo(ImageSize.of(in));
            // x' = x + tan(45°) (y - h/2): the middle row stays, row 14 moves 4 right, row 6 moves 4 left
            assertThat(source(out, 20, 10)[0]).isBetween(19, 21);
            assertThat(source(out, 24, 14)[0]).isBetween(19, 21);
            assertThat(source(out, 16, 6)[0]).isBetween(19, 21);
            assertThat(source(out, 24, 14)[1]).isEqualTo(14);
        }
    }

    @Test
    void stretchChangesTheAspectRatioKeepingTheArea() {
        try (Mat in = coordinates(100, 100); Mat out = Stretch.defaults().apply(in, new Stretch.Params(2.0))) {
            assertThat(out.cols()).isEqualTo(141);
            assertThat(out.rows()).isEqualTo(71);
        }
        Stretch s = new Stretch(new Range(0.5, 2));
        int wider = 0;
        for (int i = 0; i < 1000; i++) {
            double r = ((Stretch.Params) s.sample(new SplittableRandom(i), IN_64)).aspectRatio();
            assertThat(r).isBetween(0.5, 2.0);
            wider += r > 1 ? 1 : 0;
        }
        assertThat(wider).as("log-uniform: r > 1 as often as r < 1").isBetween(430, 570);
    }

    @Test
    void lensDistortionKeepsTheCenterAndBendsOutwardOrInward() {
        try (Mat in = coordinates(41, 41);
             Mat barrel = LensDistortion.defaults().apply(in, new LensDistortion.Params(0.3));
             Mat pincushion = LensDistortion.defaults().apply(in, new LensDistortion.Params(-0.3))) {
            assertThat(ImageSize.of(barrel)).isEqualTo(ImageSize.of(in));
            assertThat(source(barrel, 20, 20)).containsExactly(20, 20);
            // (30, 20): 10 px from the center, r² = 100 / 800; barrel samples from 20 + 10 * 1.0375 = 30.4,
            // pincushion from 29.6
            assertThat(source(barrel, 30, 20)[0]).isBetween(30, 31);
            assertThat(source(pincushion, 30, 20)[0]).isBetween(29, 30);
            // a corner shows content from farther out (barrel) or closer in (pincushion)
            assertThat(source(pincushion, 0, 0)[0]).isGreaterThan(0);
        }
    }

    @Test
    void colorJitterScalesBrightnessAndBlendsContrastAndSaturation() {
        try (Mat in = TestMats.solid(4, 3, 100, 150, 200)) {
            try (Mat dark = ColorJitter.defaults().apply(in, new ColorJitter.Params(0.5, 1, 1))) {
                assertThat(pixel(dark, 2, 1)).containsExactly(50, 75, 100);
            }
            try (Mat gray = ColorJitter.defaults().apply(in, new ColorJitter.Params(1, 1, 0))) {
                int[] p = pixel(gray, 0, 0);
                assertThat(p[0]).isEqualTo(p[1]).isEqualTo(p[2]);
            }
            try (Mat same = ColorJitter.defaults().apply(in, new ColorJitter.Params(1, 1, 1))) {
                assertThat(TestMats.sha256(same)).isEqualTo(TestMats.sha256(in));
            }
        }
        try (Mat in = coordinates(10, 10); Mat flat = ColorJitter.defaults().apply(in, new ColorJitter.Params(1, 0,
                1))) {
            assertThat(pixel(flat, 0, 0)).containsExactly(pixel(flat, 9, 9));
        }
    }

    @Test
    void applyNeverChangesItsInput() {
        List<AugmentStep> steps = List.of(Flip.horizontal(), Flip.vertical(), new RandomCrop(ImageSize
                .square(16)), new ScaleShortSide(20, 40), new ResizeCenterCrop(20, ImageSize.square(16)),
                Translate.defaults(), Rotate.defaults(), Stretch.defaults(), Shear.defaults(),
                LensDistortion.defaults(), ColorJitter.defaults());
        try (Mat in = coordinates(30, 24)) {
            String before = TestMats.sha256(in);
            for (AugmentStep step : steps) {
                StepParams p = step.sample(new SplittableRandom(7), ImageSize.of(in));
                try (Mat out = step.apply(in, p)) {
                    assertThat(out.address()).isNotEqualTo(in.address());
                    assertThat(out.data().address()).as(p.describe()).isNotEqualTo(in.data().address());
                }
                assertThat(TestMats.sha256(in)).as(p.describe()).isEqualTo(before);
            }
        }
    }

    @Test
    void parametersOfAnotherStepAreRejected() {
        try (Mat in = coordinates(8, 8)) {
            assertThatThrownBy(() -> Flip.horizontal().apply(in, new Rotate.Params(3)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hflip");
        }
    }

    @Test
    void parametersOfTheOtherFlipAreRejected() {
        try (Mat in = coordinates(8, 8)) {
            assertThatThrownBy(() -> Flip.horizontal().apply(in, new Flip.Params(Flip.Axis.VERTICAL)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hflip")
                    .hasMessageContaining("vflip");
        }
    }
}
