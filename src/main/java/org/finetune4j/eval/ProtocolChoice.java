package org.finetune4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which crop protocol and averaging rule a bundle is evaluated with, and why: each shipped protocol and rule scored
 * on the validation split, the best top-1 accuracy there chosen (ties go to fewer crops, then to the earlier rule),
 * so the test split is never used to choose. Or the protocol the user forced with {@code --protocol}.
 * <pre>{@code
 * ProtocolChoice c = ProtocolChoice.choose(validationEvaluations);   // one per protocol and averaging
 * c.protocol(); c.reason();
 * }</pre>
 *
 * @param protocol         the chosen protocol's name
 * @param averaging        the chosen averaging ({@code probs} or {@code log-probs})
 * @param how              how it was chosen
 * @param validationImages validation images scored (0 unless chosen on validation)
 * @param candidates       every protocol and rule scored, in the order scored (empty unless chosen on validation)
 */
public record ProtocolChoice(String protocol, String averaging, How how, int validationImages,
                             List<Candidate> candidates) {

    /** How the protocol was chosen. */
    public enum How {
        /** the best on this run's validation split */
        VALIDATION,
        /** the choice recorded in the bundle when it was trained */
        RECORDED,
        /** named with {@code --protocol} */
        FORCED,
        /** the default, because no validation split was available to choose on */
        DEFAULT
    }

    public ProtocolChoice {
        candidates = List.copyOf(candidates);
    }

    /**
     * One protocol and rule scored on the validation split.
     *
     * @param protocol     the protocol's name
     * @param averaging    the averaging rule
     * @param crops        crops per image
     * @param top1         validation top-1 accuracy
     * @param top1Interval its Wilson 95% interval
     * @param nll          validation negative log-likelihood of the averaged probabilities
     */
    public record Candidate(String protocol, String averaging, int crops, double top1, Interval top1Interval,
                            double nll) {
    }

    /**
     * Chooses among evaluations of the validation split.
     *
     * @param validation one evaluation per protocol and averaging rule, in order of preference among equals
     * @throws IllegalArgumentException if there is none
     */
    public static ProtocolChoice choose(List<Evaluation> validation) {
        if (validation.isEmpty()) {
            throw new IllegalArgumentException("no evaluations to choose among");
        }
        List<Candidate> candidates = new ArrayList<>();
        Candidate best = null;
        for (Evaluation e : validation) {
            double[][] p = e.images().stream().map(Evaluation.ImageResult::probabilities).toArray(double[][]::new);
            int[] t = e.images().stream().mapToInt(Evaluation.ImageResult::trueClass).toArray();
            Candidate c = new Candidate(e.protocol(), e.averaging(), e.cropsPerImage(), e.protocolMetrics().top1(),
                    e.protocolMetrics().top1Interval(), Calibration.scores(p, t).nll());
            candidates.add(c);
            if (best == null || c.top1() > best.top1() || (c.top1() == best.top1() && c.crops() < best.crops())) {
                best = c;
            }
        }
        return new ProtocolChoice(best.protocol(), best.averaging(), How.VALIDATION,
                validation.get(0).images().size(), candidates);
    }

    /** @return a choice made without scoring: forced, recorded or the default */
    public static ProtocolChoice of(String protocol, String averaging, How how) {
        return new ProtocolChoice(protocol, averaging, how, 0, List.of());
    }

    /** @return one sentence: what was chosen and why */
    public String reason() {
        return switch (how) {
            case FORCED -> protocol + " with " + averaging + " averaging, as named by --protocol";
            case RECORDED -> protocol + " with " + averaging + " averaging, chosen on the validation split when the "
                    + "bundle was trained";
            case DEFAULT -> protocol + " with " + averaging + " averaging, the default: no validation split was "
                    + "available to choose on";
            case VALIDATION -> {
                StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s with %s averaging, the best top-1 "
                        + "of %d protocol/averaging pairs on %d validation images (", protocol, averaging,
                        candidates.size(), validationImages));
                for (int i = 0; i < candidates.size(); i++) {
                    Candidate c = candidates.get(i);
                    b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %s %.3f", c.protocol(),
                            c.averaging(), c.top1()));
                }
                yield b.append("; ties go to fewer crops)").toString();
            }
        };
    }
}
