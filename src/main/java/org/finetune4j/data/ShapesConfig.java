package org.finetune4j.data;

import java.util.Locale;

import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;

/**
 * Settings of the synthetic shapes sample sets: how many images per class and the range of image sides.
 *
 * <p>The defaults mirror the classic transfer-learning setting: a larger source set ({@code shapes-source}, 20
 * classes x 150 images) to pretrain a small VGG-style network on a CPU in minutes, and a small, related target set
 * ({@code shapes-target}, 10 other classes x 36 images) to fine-tune on.
 * <pre>{@code
 * ShapesConfig cfg = ShapesConfig.defaults().withSeed(7);
 * ShapesGenerator.ensure(cfg, Path.of("data"));
 * }</pre>
 *
 * @param sourcePerClass images per class in {@code shapes-source} ({@code --source-per-class}); in [1, 100000],
 *                       default 150
 * @param targetPerClass images per class in {@code shapes-target} ({@code --target-per-class}); in [1, 100000],
 *                       default 36
 * @param minSidePx      smallest image width or height in pixels ({@code --min-side-px}); in [16, 1024], default 48
 * @param maxSidePx      largest image width or height in pixels ({@code --max-side-px}); in [minSidePx, 1024],
 *                       default 96
 * @param seed           root seed ({@code --seed}); the same seed gives byte-identical files; default
 *                       {@link Seeds#DEFAULT_SEED}
 */
public record ShapesConfig(int sourcePerClass, int targetPerClass, int minSidePx, int maxSidePx, long seed) {

    /** Largest accepted images-per-class count, for either set. */
    public static final int MAX_PER_CLASS = 100_000;
    /** Smallest accepted image side in pixels; below it most shapes are a few pixels wide. */
    public static final int MIN_SIDE_LIMIT_PX = 16;
    /** Largest accepted image side in pixels. */
    public static final int MAX_SIDE_LIMIT_PX = 1024;

    /**
     * Validates the settings.
     *
     * @throws UsageException naming the option ({@code --source-per-class}, {@code --target-per-class},
     *                        {@code --min-side-px}, {@code --max-side-px}) when a value is out of range
     */
    public ShapesConfig {
        requireInRange("--source-per-class", sourcePerClass, 1, MAX_PER_CLASS, "images per class");
        requireInRange("--target-per-class", targetPerClass, 1, MAX_PER_CLASS, "images per class");
        requireInRange("--min-side-px", minSidePx, MIN_SIDE_LIMIT_PX, MAX_SIDE_LIMIT_PX, "pixels");
        requireInRange("--max-side-px", maxSidePx, MIN_SIDE_LIMIT_PX, MAX_SIDE_LIMIT_PX, "pixels");
        if (minSidePx > maxSidePx) {
            throw new UsageException(String.format(Locale.ROOT,
                    "--min-side-px: larger than --max-side-px. Expected at most %d (the --max-side-px value); "
                            + "received %d. Lower --min-side-px or raise --max-side-px.",
                    maxSidePx, minSidePx));
        }
    }

    /** @return 150 source and 36 target images per class, sides in [48, 96] px, seed {@link Seeds#DEFAULT_SEED} */
    public static ShapesConfig defaults() {
        return new ShapesConfig(150, 36, 48, 96, Seeds.DEFAULT_SEED);
    }

    /**
     * @param newSeed the root seed to use instead
     * @return a copy with another seed
     */
    public ShapesConfig withSeed(long newSeed) {
        return new ShapesConfig(sourcePerClass, targetPerClass, minSidePx, maxSidePx, newSeed);
    }

    /**
     * @param source images per class in {@code shapes-source}, in [1, 100000]
     * @param target images per class in {@code shapes-target}, in [1, 100000]
     * @return a copy with other counts
     * @throws UsageException if a count is out of range
     */
    public ShapesConfig withPerClass(int source, int target) {
        return new ShapesConfig(source, target, minSidePx, maxSidePx, seed);
    }

    /**
     * @param min smallest image side in pixels, in [16, max]
     * @param max largest image side in pixels, in [min, 1024]
     * @return a copy with another side range
     * @throws UsageException if the range is invalid
     */
    public ShapesConfig withSidesPx(int min, int max) {
        return new ShapesConfig(sourcePerClass, targetPerClass, min, max, seed);
    }

    /**
     * @param set a sample set
     * @return images per class of that set
     */
    public int perClass(ShapesSet set) {
        return set == ShapesSet.SOURCE ? sourcePerClass : targetPerClass;
    }

    private static void requireInRange(String option, int value, int min, int max, String unit) {
        if (value < min || value > max) {
            throw new UsageException(String.format(Locale.ROOT,
                    "%s: out of range. Expected an integer in [%d, %d] (%s); received %d. Pass a value in range.",
                    option, min, max, unit, value));
        }
    }
}
