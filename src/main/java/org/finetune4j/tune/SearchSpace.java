package org.finetune4j.tune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.finetune4j.core.UsageException;

/**
 * Where the search looks. A fine-tuning search: log-uniform ranges for the learning rate and the L2 penalty, and
 * optionally a uniform dropout range, a set of head widths (0 = no hidden layer) and a set of freeze points. A
 * features-mode search ({@link #ofC}): a log-uniform range for the linear classifier's C only (its solvers have no
 * learning rate; C is their regularization).
 *
 * @param lrMin        smallest learning rate, above 0 ({@code --lr-range MIN:MAX}); NaN in features mode
 * @param lrMax        largest learning rate, at least {@code lrMin}, below 10
 * @param l2Min        smallest L2 penalty, above 0 ({@code --l2-range MIN:MAX})
 * @param l2Max        largest L2 penalty, at least {@code l2Min}
 * @param dropoutMin   smallest dropout, in [0, 1), or NaN when dropout is not searched ({@code --dropout-range})
 * @param dropoutMax   largest dropout, in [dropoutMin, 1), or NaN
 * @param headWidths   hidden-layer widths to choose from (0 = none); empty when not searched
 * @param freezePoints freeze points to choose from; empty when not searched
 * @param cMin         smallest C of the linear classifier, above 0 ({@code --c-range MIN:MAX}), or NaN when not
 *                     searched (fine-tuning)
 * @param cMax         largest C, at least {@code cMin}, or NaN
 */
public record SearchSpace(double lrMin, double lrMax, double l2Min, double l2Max, double dropoutMin,
                          double dropoutMax, List<Integer> headWidths, List<String> freezePoints, double cMin,
                          double cMax) {

    public SearchSpace {
        headWidths = List.copyOf(headWidths);
        freezePoints = List.copyOf(freezePoints);
        if (!Double.isNaN(cMin)) {
            if (!(cMin > 0 && cMin <= cMax)) {
                throw new UsageException(String.format(Locale.ROOT, "--c-range %s:%s: expected 0 < MIN <= MAX (the "
                        + "range is log-uniform), e.g. 1e-3:1e3.", cMin, cMax));
            }
            if (!Double.isNaN(lrMin) || !Double.isNaN(l2Min) || !Double.isNaN(dropoutMin) || !headWidths.isEmpty()
                    || !freezePoints.isEmpty()) {
                throw new IllegalArgumentException("a features-mode space searches C only");
            }
        } else {
            checkFineTuning(lrMin, lrMax, l2Min, l2Max, dropoutMin, dropoutMax, headWidths);
        }
    }

    private static void checkFineTuning(double lrMin, double lrMax, double l2Min, double l2Max, double dropoutMin,
                                        double dropoutMax, List<Integer> headWidths) {
        if (!(lrMin > 0 && lrMin <= lrMax && lrMax < 10)) {
            throw new UsageException(String.format(Locale.ROOT, "--lr-range %s:%s: expected 0 < MIN <= MAX < 10, "
                    + "e.g. 1e-5:1e-1.", lrMin, lrMax));
        }
        if (!(l2Min > 0 && l2Min <= l2Max)) {
            throw new UsageException(String.format(Locale.ROOT, "--l2-range %s:%s: expected 0 < MIN <= MAX (the "
                    + "range is log-uniform), e.g. 1e-6:1e-2.", l2Min, l2Max));
        }
        if (!Double.isNaN(dropoutMin) && !(dropoutMin >= 0 && dropoutMin <= dropoutMax && dropoutMax < 1)) {
            throw new UsageException(String.format(Locale.ROOT, "--dropout-range %s:%s: expected 0 <= MIN <= MAX "
                    + "< 1, e.g. 0:0.7.", dropoutMin, dropoutMax));
        }
        for (int w : headWidths) {
            if (w < 0) {
                throw new UsageException("--head-widths " + headWidths + ": expected widths of 0 (no hidden layer) "
                        + "or more.");
            }
        }
    }

    /** A fine-tuning space (C not searched). */
    public SearchSpace(double lrMin, double lrMax, double l2Min, double l2Max, double dropoutMin, double dropoutMax,
                       List<Integer> headWidths, List<String> freezePoints) {
        this(lrMin, lrMax, l2Min, l2Max, dropoutMin, dropoutMax, headWidths, freezePoints, Double.NaN, Double.NaN);
    }

    /** @return a features-mode space: C log-uniform in {@code [cMin, cMax]}, nothing else searched */
    public static SearchSpace ofC(double cMin, double cMax) {
        return new SearchSpace(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, List.of(),
                List.of(), cMin, cMax);
    }

    /** @return whether this is a features-mode space (C only) */
    public boolean searchesC() {
        return !Double.isNaN(cMin);
    }

    /** @return whether dropout is searched */
    public boolean searchesDropout() {
        return !Double.isNaN(dropoutMin);
    }

    /** Draws one point: log-uniform rates, uniform dropout, uniform choices. */
    public TrialParams sample(SplittableRandom rng) {
        if (searchesC()) {
            return new TrialParams(null, null, null, null, null, logUniform(rng, cMin, cMax));
        }
        double lr = logUniform(rng, lrMin, lrMax);
        double l2 = logUniform(rng, l2Min, l2Max);
        Double dropout = searchesDropout() ? dropoutMin + rng.nextDouble() * (dropoutMax - dropoutMin) : null;
        Integer width = headWidths.isEmpty() ? null : headWidths.get(rng.nextInt(headWidths.size()));
        String freeze = freezePoints.isEmpty() ? null : freezePoints.get(rng.nextInt(freezePoints.size()));
        return new TrialParams(lr, l2, dropout, width, freeze, null);
    }

    private static double logUniform(SplittableRandom rng, double lo, double hi) {
        return Math.exp(Math.log(lo) + rng.nextDouble() * (Math.log(hi) - Math.log(lo)));
    }

    /**
     * The fine stage's space: the ranges spanned by the best trials, widened by a factor of {@code widen} on each
     * side (log scale for the rates, ±0.05 for dropout) and kept inside this space; choices narrowed to the values
     * the best trials used.
     *
     * @param best the best coarse trials, at least one
     */
    public SearchSpace narrowTo(List<TrialParams> best, double widen) {
        if (searchesC()) {
            double clo = best.stream().mapToDouble(TrialParams::c).min().orElseThrow();
            double chi = best.stream().mapToDouble(TrialParams::c).max().orElseThrow();
            return ofC(Math.max(cMin, clo / widen), Math.min(cMax, chi * widen));
        }
        double lo = best.stream().mapToDouble(TrialParams::learningRate).min().orElseThrow();
        double hi = best.stream().mapToDouble(TrialParams::learningRate).max().orElseThrow();
        double l2lo = best.stream().mapToDouble(TrialParams::l2).min().orElseThrow();
        double l2hi = best.stream().mapToDouble(TrialParams::l2).max().orElseThrow();
        double dlo = Double.NaN;
        double dhi = Double.NaN;
        if (searchesDropout()) {
            dlo = Math.max(dropoutMin, best.stream().mapToDouble(TrialParams::dropout).min().orElseThrow() - 0.05);
            dhi = Math.min(dropoutMax, best.stream().mapToDouble(TrialParams::dropout).max().orElseThrow() + 0.05);
        }
        List<Integer> widths = headWidths.isEmpty() ? List.of()
                : new ArrayList<>(new TreeSet<>(best.stream().map(TrialParams::headWidth).toList()));
        List<String> freezes = freezePoints.isEmpty() ? List.of() : freezePoints.stream()
                .filter(f -> best.stream().anyMatch(b -> f.equals(b.freezeUntil()))).toList();
        return new SearchSpace(Math.max(lrMin, lo / widen), Math.min(lrMax, hi * widen), Math.max(l2Min, l2lo / widen),
                Math.min(l2Max, l2hi * widen), dlo, dhi, widths, freezes, Double.NaN, Double.NaN);
    }

    /** Orders trials best first: higher score, then lower validation loss, then earlier; failed trials last. */
    public static final Comparator<Trial> BEST_FIRST = Comparator
            .comparingDouble((Trial t) -> Double.isNaN(t.score().score()) ? Double.NEGATIVE_INFINITY
                    : t.score().score()).reversed()
            .thenComparingDouble(t -> Double.isNaN(t.score().valLoss()) ? Double.POSITIVE_INFINITY
                    : t.score().valLoss())
            .thenComparingInt(Trial::index);
}
