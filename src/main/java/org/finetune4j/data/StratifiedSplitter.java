package org.finetune4j.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Seeds;

/**
 * Cuts a folder into train, validation and test images, class by class, with a seeded shuffle.
 *
 * <p>Each class's images are sorted by relative path, shuffled with a generator derived from the seed and the class
 * name, and cut by the configured fractions (rounded; at least one image for validation and test when the fraction is
 * above 0 and the class has three or more images). The split therefore depends only on the seed, the class names and
 * the file names: the same on every machine, and adding images to one class does not move the images of another.
 * A pre-split folder ({@code train/ val/ test/}) is used as given.
 * <pre>{@code
 * SplitResult r = StratifiedSplitter.split(folder, SplitConfig.defaults(), Seeds.of(12345));
 * r.split().train();   // ~70% of every class
 * r.warnings();        // classes too small for the requested split
 * }</pre>
 */
public final class StratifiedSplitter {

    /**
     * A split and the warnings it raised.
     *
     * @param split    the three parts
     * @param warnings classes with too few images for the requested fractions, one sentence each
     */
    public record SplitResult(Split split, List<String> warnings) {
        public SplitResult {
            warnings = List.copyOf(warnings);
        }
    }

    private StratifiedSplitter() {
    }

    /**
     * Splits the folder (or returns its pre-split layout).
     *
     * @throws DataException if a split with a fraction above 0 would be empty
     */
    public static SplitResult split(ImageFolder folder, SplitConfig config, Seeds seeds) {
        if (folder.isPresplit()) {
            return new SplitResult(folder.presplit().orElseThrow(), List.of());
        }
        List<List<LabeledImage>> byClass = new ArrayList<>();
        for (int c = 0; c < folder.classes().size(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (LabeledImage im : folder.images()) {
            byClass.get(im.classIndex()).add(im);
        }
        List<LabeledImage> train = new ArrayList<>();
        List<LabeledImage> val = new ArrayList<>();
        List<LabeledImage> test = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (int c = 0; c < byClass.size(); c++) {
            String cls = folder.classes().get(c);
            List<LabeledImage> images = byClass.get(c);
            images.sort(Comparator.comparing(LabeledImage::relativePath));
            Seeds.shuffle(images, seeds.stream("split", classKey(cls)));
            int n = images.size();
            int nVal = count(n, config.valFraction());
            int nTest = count(n, config.testFraction());
            while (nVal + nTest >= n && (nVal > 0 || nTest > 0)) {
                // keep at least one training image: take from the larger held-out part
                if (nTest >= nVal) {
                    nTest--;
                } else {
                    nVal--;
                }
            }
            if ((config.valFraction() > 0 && nVal == 0) || (config.testFraction() > 0 && nTest == 0)) {
                warnings.add(String.format(Locale.ROOT, "class \"%s\" has only %d image(s): too few for "
                        + "--val-fraction %s and --test-fraction %s; it gets %d validation and %d test image(s). "
                        + "Add images to it for reliable metrics.", cls, n, config.valFraction(),
                        config.testFraction(), nVal, nTest));
            }
            val.addAll(images.subList(0, nVal));
            test.addAll(images.subList(nVal, nVal + nTest));
            train.addAll(images.subList(nVal + nTest, n));
        }
        if (config.valFraction() > 0 && val.isEmpty()) {
            throw emptySplit(folder, "validation", "--val-fraction", config.valFraction());
        }
        if (config.testFraction() > 0 && test.isEmpty()) {
            throw emptySplit(folder, "test", "--test-fraction", config.testFraction());
        }
        Comparator<LabeledImage> byPath = Comparator.comparing(LabeledImage::relativePath);
        train.sort(byPath);
        val.sort(byPath);
        test.sort(byPath);
        return new SplitResult(new Split(train, val, test), warnings);
    }

    private static DataException emptySplit(ImageFolder folder, String part, String option, double fraction) {
        return new DataException(String.format(Locale.ROOT, "%s: the %s split would be empty. Expected at least "
                        + "one %s image with %s %s; received %d image(s) in %d classes. Add images, or set %s 0.",
                folder.location(), part, part, option, fraction, folder.images().size(), folder.classes().size(),
                option));
    }

    private static int count(int n, double fraction) {
        if (fraction <= 0) {
            return 0;
        }
        int k = (int) Math.round(n * fraction);
        if (k == 0 && n >= 3) {
            k = 1;
        }
        return k;
    }

    /** A stable numeric key for a class name (String.hashCode is specified by the Java language). */
    private static long classKey(String cls) {
        return cls.hashCode();
    }
}
