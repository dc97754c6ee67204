package org.finetune4j.data;

import java.util.Locale;
import org.finetune4j.core.UsageException;

/**
 * How a folder without a pre-split layout is cut into train, validation and test images.
 *
 * @param valFraction  fraction of each class for validation, in [0, 1); default 0.15 ({@code --val-fraction})
 * @param testFraction fraction of each class for test, in [0, 1); default 0.15 ({@code --test-fraction}); the two
 *                     fractions together must leave some images for training
 */
public record SplitConfig(double valFraction, double testFraction) {
    public SplitConfig {
        checkFraction("--val-fraction", valFraction);
        checkFraction("--test-fraction", testFraction);
        if (valFraction + testFraction >= 1.0) {
            throw new UsageException(String.format(Locale.ROOT,
                    "--val-fraction %s and --test-fraction %s leave no images for training. Expected a sum below 1; "
                            + "received %s. Lower one of them.", valFraction, testFraction, valFraction + testFraction));
        }
    }

    /** @return 70% train, 15% validation, 15% test */
    public static SplitConfig defaults() {
        return new SplitConfig(0.15, 0.15);
    }

    private static void checkFraction(String option, double value) {
        if (!(value >= 0.0 && value < 1.0)) {
            throw new UsageException(String.format(Locale.ROOT,
                    "%s: not a fraction. Expected a number in [0, 1), e.g. 0.15; received %s.", option, value));
        }
    }
}
