package org.finetune4j.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.finetune4j.core.UsageException;

/**
 * Loss weights per class, for {@code --class-weights}: the loss of an image of class {@code c} is multiplied by
 * {@code w_c}, in fine-tuning's cross-entropy and in the objectives of features mode's logistic regression and SVM.
 *
 * <p>{@code balanced} is inverse class frequency, normalised so that the weights average 1 over the training
 * images: {@code w_c = n / (K · n_c)} for {@code n} training images, {@code K} classes and {@code n_c} images of
 * class {@code c} (King &amp; Zeng 2001; scikit-learn's {@code class_weight="balanced"}). Every class then carries
 * the same total weight {@code n / K}, as if the classes were equally frequent, and the loss keeps its scale
 * ({@code Σ_c n_c w_c = n}), so learning rates and regularization need no retuning. The effective-number rule of
 * Cui et al. (2019), {@code w_c ∝ (1 − β) / (1 − β^n_c)}, lies between no weights ({@code β = 0}) and inverse
 * frequency ({@code β → 1}) and adds a parameter to tune; at the class sizes a folder of images has (tens to
 * hundreds per class) the recommended {@code β = 0.999} gives weights within a few percent of inverse frequency,
 * so the simpler rule is used.
 * <pre>{@code
 * double[] w = ClassWeights.balanced(new long[] {60, 20, 20});   // [0.556, 1.667, 1.667]
 * double[] w = ClassWeights.read(Path.of("weights.csv"), List.of("cat", "dog"));
 * }</pre>
 */
public final class ClassWeights {

    private ClassWeights() {
    }

    /**
     * @param counts training images per class, each at least 1
     * @return {@code n / (K · n_c)} per class
     * @throws IllegalArgumentException for a class without images (a run stops, or drops it, before this)
     */
    public static double[] balanced(long[] counts) {
        long n = 0;
        for (long c : counts) {
            if (c < 1) {
                throw new IllegalArgumentException("every class needs at least one training image: " + c);
            }
            n += c;
        }
        double[] w = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            w[c] = n / ((double) counts.length * counts[c]);
        }
        return w;
    }

    /**
     * The weights a run uses.
     *
     * @param spec   {@code none}, {@code balanced} or a CSV file ({@link ClassBalance#classWeights()})
     * @param labels the classes in output order
     * @param counts training images per class, in label order
     * @return one weight per class, or null for {@code none} (the loss is left as it is)
     * @throws UsageException for a file that is missing or wrong, naming it, the line and the class
     */
    public static double[] of(String spec, List<String> labels, long[] counts) {
        if (spec.equals(ClassBalance.NONE)) {
            return null;
        }
        if (spec.equals(ClassBalance.BALANCED)) {
            return balanced(counts);
        }
        return read(Path.of(spec), labels);
    }

    /**
     * Reads a class-weights file: UTF-8 text, one {@code class,weight} line per class of the training data (class
     * names exactly as the folders are named), in any order; blank lines, lines starting with {@code #} and a first
     * line {@code class,weight} are skipped. Every weight must be a positive finite number.
     * <pre>
     * class,weight
     * cat,1
     * dog,4.5
     * </pre>
     *
     * @param file   the file ({@code --class-weights FILE})
     * @param labels the classes in output order
     * @return one weight per class, in label order
     * @throws UsageException naming the file (and line) for a missing or unreadable file, a malformed line, an
     *                        unknown or repeated class, a weight that is not a positive number, or a class with no
     *                        weight
     */
    public static double[] read(Path file, List<String> labels) {
        String where = "--class-weights " + file;
        if (!Files.isRegularFile(file)) {
            throw new UsageException(where + ": no such file. Expected none, balanced or a CSV file of class,weight "
                    + "lines (one per class: " + String.join(", ", labels) + "); received a path that does not "
                    + "exist. Check the path.");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(where + ": cannot be read (" + e.getMessage() + ")", e);
        }
        double[] w = new double[labels.size()];
        boolean[] seen = new boolean[labels.size()];
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            String at = file + " line " + (i + 1);
            if (line.isEmpty() || line.startsWith("#")
                    || line.replace(" ", "").equalsIgnoreCase("class,weight")) {
                continue;
            }
            int comma = line.lastIndexOf(',');
            if (comma < 0) {
                throw new UsageException(at + ": expected class,weight; received \"" + line + "\". Write one "
                        + "class name, a comma and its weight per line.");
            }
            String label = line.substring(0, comma).strip();
            String value = line.substring(comma + 1).strip();
            int c = labels.indexOf(label);
            if (c < 0) {
                throw new UsageException(at + ": unknown class \"" + label + "\". Expected one of the training "
                        + "data's classes: " + String.join(", ", labels) + ". Fix the name (class names are the "
                        + "folder names, case-sensitive).");
            }
            if (seen[c]) {
                throw new UsageException(at + ": class \"" + label + "\" has a weight already. Expected one line "
                        + "per class; remove the repeated line.");
            }
            double weight;
            try {
                weight = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                weight = Double.NaN;
            }
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new UsageException(at + ": the weight of class \"" + label + "\" is not a positive number. "
                        + "Expected a finite number > 0; received \"" + value + "\". Fix the weight.");
            }
            w[c] = weight;
            seen[c] = true;
        }
        List<String> missing = new ArrayList<>();
        for (int c = 0; c < labels.size(); c++) {
            if (!seen[c]) {
                missing.add(labels.get(c));
            }
        }
        if (!missing.isEmpty()) {
            throw new UsageException(where + ": no weight for class" + (missing.size() == 1 ? " " : "es ")
                    + String.join(", ", missing) + ". Expected one class,weight line for every class of the training "
                    + "data (" + String.join(", ", labels) + "); add the missing line"
                    + (missing.size() == 1 ? "" : "s") + ".");
        }
        return w;
    }

    /** @return e.g. {@code cat 0.556, dog 1.667} */
    public static String describe(List<String> labels, double[] weights) {
        List<String> parts = new ArrayList<>();
        for (int c = 0; c < labels.size(); c++) {
            parts.add(String.format(Locale.ROOT, "%s %.3g", labels.get(c), weights[c]));
        }
        return String.join(", ", parts);
    }
}
