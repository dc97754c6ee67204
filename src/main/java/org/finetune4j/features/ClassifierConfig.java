package org.finetune4j.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.finetune4j.core.UsageException;

/**
 * The linear classifier on the features and how its regularization is chosen.
 *
 * @param kind          {@code logreg} (multinomial logistic regression) or {@code svm} (linear SVM, one-vs-rest)
 *                      ({@code --classifier})
 * @param penalty       logreg: {@code l2} or {@code l1} ({@code --penalty})
 * @param loss          svm: {@code hinge} or {@code squared-hinge} ({@code --loss})
 * @param folds         folds of the stratified cross-validation on the training split, at least 2 ({@code --folds})
 * @param cGrid         the inverse regularization strengths tried, ascending, all positive ({@code --c-grid})
 * @param maxIterations optimiser iterations (logreg) or passes per class (svm), at least 1
 * @param scaling       feature preprocessing
 */
public record ClassifierConfig(String kind, String penalty, String loss, int folds, List<Double> cGrid,
                               int maxIterations, ScalingConfig scaling) {

    /** The default grid: 10^-3 … 10^3 in half decades (13 values). */
    public static final String DEFAULT_GRID = "1e-3:1e3:13";

    public ClassifierConfig {
        if (!kind.equals("logreg") && !kind.equals("svm")) {
            throw new UsageException("--classifier " + kind + ": unknown classifier. Expected logreg or svm.");
        }
        LinearClassifier.Penalty.parse(penalty);
        LinearClassifier.Loss.parse(loss);
        if (folds < 2) {
            throw new UsageException("--folds " + folds + ": expected at least 2.");
        }
        if (cGrid == null || cGrid.isEmpty()) {
            throw new UsageException("--c-grid: empty. Expected at least one positive value, e.g. " + DEFAULT_GRID
                    + ".");
        }
        cGrid = cGrid.stream().sorted().distinct().toList();
        if (cGrid.get(0) <= 0) {
            throw new UsageException("--c-grid: " + cGrid.get(0) + " is not positive. Expected inverse "
                    + "regularization strengths > 0.");
        }
        if (maxIterations < 1) {
            throw new UsageException("--max-iterations " + maxIterations + ": expected at least 1.");
        }
    }

    /** @return logreg with L2, 5 folds, the default grid, 1000 iterations, no feature preprocessing */
    public static ClassifierConfig defaults() {
        return new ClassifierConfig("logreg", "l2", "squared-hinge", 5, parseGrid(DEFAULT_GRID), 1000,
                ScalingConfig.defaults());
    }

    /** @return this configuration with another grid of C (e.g. a single value, to score or refit exactly that C) */
    public ClassifierConfig withGrid(List<Double> grid) {
        return new ClassifierConfig(kind, penalty, loss, folds, grid, maxIterations, scaling);
    }

    /** @return a short description, e.g. {@code logreg (L2)} */
    public String describe() {
        return kind.equals("logreg") ? "logreg (" + penalty.toUpperCase(Locale.ROOT) + ")"
                : "linear SVM (" + loss + ")";
    }

    /**
     * Parses {@code --c-grid}: {@code FROM:TO:COUNT} for COUNT log-spaced values from FROM to TO, or a comma
     * separated list.
     *
     * @throws UsageException naming {@code --c-grid} and what was received
     */
    public static List<Double> parseGrid(String spec) {
        try {
            if (spec.contains(":")) {
                String[] p = spec.split(":");
                if (p.length != 3) {
                    throw new UsageException("--c-grid " + spec + ": expected FROM:TO:COUNT, e.g. " + DEFAULT_GRID
                            + ", or a list such as 0.01,0.1,1.");
                }
                double from = Double.parseDouble(p[0]);
                double to = Double.parseDouble(p[1]);
                int count = Integer.parseInt(p[2]);
                if (!(from > 0 && to > from && count >= 2)) {
                    throw new UsageException("--c-grid " + spec + ": expected 0 < FROM < TO and COUNT >= 2.");
                }
                List<Double> out = new ArrayList<>();
                double a = Math.log10(from);
                double b = Math.log10(to);
                for (int i = 0; i < count; i++) {
                    out.add(Math.pow(10, a + (b - a) * i / (count - 1)));
                }
                return out;
            }
            List<Double> out = new ArrayList<>();
            for (String s : spec.split(",")) {
                out.add(Double.parseDouble(s.strip()));
            }
            return out;
        } catch (NumberFormatException e) {
            throw new UsageException("--c-grid " + spec + ": not a number (" + e.getMessage() + "). Expected "
                    + "FROM:TO:COUNT, e.g. " + DEFAULT_GRID + ", or a list such as 0.01,0.1,1.", e);
        }
    }
}
