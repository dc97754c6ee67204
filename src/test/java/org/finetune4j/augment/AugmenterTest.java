package org.finetune4j.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.core.Seeds;
import org.finetune4j.testing.TestMats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AugmenterTest {

    private static final Seeds SEEDS = Seeds.of(12345);
    private static final List<ImageSize> INPUTS = List.of(ImageSize.square(64), new ImageSize(48, 64),
            ImageSize.square(224));
    /** Decoded sizes to try: tiny, smaller than any crop, data-like, photo-like, extreme aspect ratios. */
    private static final List<ImageSize> IMAGES = List.of(new ImageSize(8, 10), new ImageSize(30, 40),
            ImageSize.square(80), new ImageSize(375, 500), new ImageSize(20, 300), new ImageSize(300, 20));

    private static final List<Mat> IMAGE_MATS = new ArrayList<>();

    @BeforeAll
    static void makeImages() {
        for (int i = 0; i < IMAGES.size(); i++) {
            IMAGE_MATS.add(TestMats.scene(IMAGES.get(i).width(), IMAGES.get(i).height(), i));
        }
    }

    @AfterAll
    static void closeImages() {
        IMAGE_MATS.forEach(Mat::close);
    }

    /** A recipe with every step, each always applied. */
    private static Recipe everyStep() {
        List<RecipeStep> steps = new ArrayList<>();
        for (String name : Steps.names()) {
            Steps.StepType type = Steps.find(name).orElseThrow();
            steps.add(new RecipeStep(name, 1.0, type.parser().apply(new StepFields("code", name, 0, Map.of())), 0));
        }
        return new Recipe(1, steps, Recipe.Fit.CENTER_CROP, "every-step");
    }

    @Test
    void theOutputIsExactlyTheInputSizeForEveryRecipeAndImageSize() {
        List<Recipe> recipes = new ArrayList<>();
        RecipeLoader.SHIPPED.forEach(n -> recipes.add(RecipeLoader.load(n)));
        recipes.add(everyStep());
        recipes.add(new Recipe(1, List.of(), Recipe.Fit.STRETCH, "stretch"));
        for (Recipe recipe : recipes) {
            for (ImageSize input : INPUTS) {
                Augmenter augmenter = Augmenter.of(recipe, input, SEEDS);
                for (int i = 0; i < IMAGE_MATS.size(); i++) {
                    for (int epoch = 0; epoch < 3; epoch++) {
                        try (Mat out = augmenter.augment(IMAGE_MATS.get(i), epoch, i)) {
                            assertThat(ImageSize.of(out)).as("%s, input %s, image %s", recipe.source(), input,
                                    IMAGES.get(i)).isEqualTo(input);
                            assertThat(out.type()).isEqualTo(opencv_core.CV_8UC3);
                        }
                    }
                }
            }
        }
    }

    @Test
    void theSameSeedEpochAndIndexGiveTheSameBytesAndOthersDiffer() {
        Augmenter a = Augmenter.of(RecipeLoader.load("creative"), ImageSize.square(64), SEEDS);
        Augmenter b = Augmenter.of(RecipeLoader.load("creative"), ImageSize.square(64), Seeds.of(12345));
        Mat image = IMAGE_MATS.get(3);
        try (Mat first = a.augment(image, 2, 7); Mat again = b.augment(image, 2, 7);
             Mat otherEpoch = a.augment(image, 3, 7); Mat otherIndex = a.augment(image, 2, 8);
             Mat otherSeed = Augmenter.of(a.recipe(), a.output(), Seeds.of(1)).augment(image, 2, 7)) {
            String sha = TestMats.sha256(first);
            assertThat(TestMats.sha256(again)).isEqualTo(sha);
            assertThat(TestMats.sha256(otherEpoch)).isNotEqualTo(sha);
            assertThat(TestMats.sha256(otherIndex)).isNotEqualTo(sha);
            assertThat(TestMats.sha256(otherSeed)).isNotEqualTo(sha);
        }
    }

    @Test
    void oneThreadAndFourThreadsGiveIdenticalBytes() throws Exception {
        Augmenter augmenter = Augmenter.of(everyStepHalfTheTime(), ImageSize.square(64), SEEDS);
        List<Mat> images = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            images.add(TestMats.scene(60 + 7 * i, 90 - i, 100 + i));
        }
        try {
            Map<String, String> single = new TreeMap<>();
            for (int epoch = 0; epoch < 3; epoch++) {
                for (int i = 0; i < images.size(); i++) {
                    try (Mat out = augmenter.augment(images.get(i), epoch, i)) {
                        single.put(epoch + "/" + i, TestMats.sha256(out));
                    }
                }
            }
            Map<String, String> parallel = new ConcurrentHashMap<>();
            List<int[]> jobs = new ArrayList<>();
            for (int epoch = 0; epoch < 3; epoch++) {
                for (int i = 0; i < images.size(); i++) {
                    jobs.add(new int[] {epoch, i});
                }
            }
            Seeds.shuffle(jobs, new SplittableRandom(99));          // a different order than the single thread
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int[] job : jobs) {
                    done.add(pool.submit(() -> {
                        try (Mat out = augmenter.augment(images.get(job[1]), job[0], job[1])) {
                            parallel.put(job[0] + "/" + job[1], TestMats.sha256(out));
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            assertThat(new TreeMap<>(parallel)).isEqualTo(single);
            assertThat(single.values().stream().distinct().count()).as("the versions differ").isGreaterThan(60);
        } finally {
            images.forEach(Mat::close);
        }
    }

    private static Recipe everyStepHalfTheTime() {
        List<RecipeStep> steps = new ArrayList<>();
        for (RecipeStep s : everyStep().steps()) {
            if (!s.name().equals(ResizeCenterCrop.NAME)) {
                steps.add(new RecipeStep(s.name(), 0.5, s.settings(), 0));
            }
        }
        return new Recipe(1, steps, Recipe.Fit.CENTER_CROP, "every-step-half");
    }

    @Test
    void aStepIsAppliedWithItsProbability() {
        Recipe recipe = Recipe.of(Recipe.Fit.CENTER_CROP, new RecipeStep("hflip", 0.3, Flip.horizontal(), 0),
                new RecipeStep("vflip", 0, Flip.vertical(), 0),
                new RecipeStep("color-jitter", 1, ColorJitter.defaults(), 0));
        Augmenter augmenter = Augmenter.of(recipe, ImageSize.square(8), SEEDS);
        int flips = 0;
        try (Mat image = TestMats.coordinates(8, 8)) {
            for (int i = 0; i < 1000; i++) {
                Augmented a = augmenter.augmentAndDescribe(image, 0, i);
                List<String> names = a.steps().stream().map(AppliedStep::name).toList();
                assertThat(names).doesNotContain("vflip").contains("color-jitter");
                flips += names.contains("hflip") ? 1 : 0;
                a.image().close();
            }
        }
        assertThat(flips).isBetween(250, 350);
    }

    @Test
    void skippingAStepDoesNotChangeWhatTheNextStepDraws() {
        ImageSize out = ImageSize.square(32);
        Recipe without = Recipe.of(Recipe.Fit.CENTER_CROP, new RecipeStep("rotate", 0, Rotate.defaults(), 0),
                RecipeStep.always("random-crop", RandomCrop.Settings.defaults()));
        Recipe with = Recipe.of(Recipe.Fit.CENTER_CROP, RecipeStep.always("rotate", Rotate.defaults()),
                RecipeStep.always("random-crop", RandomCrop.Settings.defaults()));
        try (Mat image = TestMats.coordinates(100, 80)) {
            for (int i = 0; i < 20; i++) {
                Augmented a = Augmenter.of(without, out, SEEDS).augmentAndDescribe(image, 1, i);
                Augmented b = Augmenter.of(with, out, SEEDS).augmentAndDescribe(image, 1, i);
                assertThat(a.steps()).hasSize(1);
                assertThat(b.steps()).hasSize(2);
                assertThat(a.steps().get(0).params()).isEqualTo(b.steps().get(1).params());
                a.image().close();
                b.image().close();
            }
        }
    }

    @Test
    void theFitCenterCropsOrStretches() {
        try (Mat image = TestMats.coordinates(40, 20)) {
            try (Mat cropped = Augmenter.of(Recipe.defaults(), ImageSize.square(20), SEEDS).augment(image, 0, 0)) {
                // 40x20 covers 20x20 at scale 1; the center starts at column 10
                assertThat(TestMats.pixel(cropped, 0, 0)).containsExactly(10, 0, 200);
            }
            Recipe stretch = new Recipe(1, List.of(), Recipe.Fit.STRETCH, "stretch");
            try (Mat stretched = Augmenter.of(stretch, ImageSize.square(20), SEEDS).augment(image, 0, 0)) {
                assertThat(TestMats.pixel(stretched, 0, 0)[0]).isLessThanOrEqualTo(1);
                assertThat(TestMats.pixel(stretched, 19, 0)[0]).isGreaterThanOrEqualTo(38);
            }
        }
    }

    @Test
    void grayImagesKeepOneChannel() {
        Augmenter augmenter = Augmenter.of(everyStep(), ImageSize.square(32), SEEDS);
        try (Mat gray = TestMats.gray(50, 40); Mat out = augmenter.augment(gray, 0, 0)) {
            assertThat(ImageSize.of(out)).isEqualTo(ImageSize.square(32));
            assertThat(out.channels()).isEqualTo(1);
        }
    }

    @Test
    void theInputIsNeitherChangedNorClosed() {
        Augmenter augmenter = Augmenter.of(RecipeLoader.load("none"), ImageSize.square(80), SEEDS);
        Mat image = IMAGE_MATS.get(2);
        String before = TestMats.sha256(image);
        try (Mat out = augmenter.augment(image, 0, 0)) {
            assertThat(TestMats.sha256(out)).isEqualTo(before);     // already 80x80: the fit is a copy
            assertThat(out.data().address()).isNotEqualTo(image.data().address());
        }
        assertThat(image.isNull()).isFalse();
        assertThat(TestMats.sha256(image)).isEqualTo(before);
    }

    @Test
    void rejectsImagesThatAreNotEightBit() {
        Augmenter augmenter = Augmenter.of(Recipe.defaults(), ImageSize.square(8), SEEDS);
        try (Mat wide = new Mat(8, 8, opencv_core.CV_16UC3)) {
            assertThatThrownBy(() -> augmenter.augment(wide, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("8-bit");
        }
    }
}
