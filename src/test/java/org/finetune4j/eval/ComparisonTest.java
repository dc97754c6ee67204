package org.finetune4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.core.Seeds;
import org.junit.jupiter.api.Test;

class ComparisonTest {

    private static final List<String> LABELS = List.of("a", "b");

    /** An evaluation whose image i predicts {@code predicted[i]} with certainty; truth {@code truth[i]}. */
    private static Evaluation evaluation(int[] truth, int[] predicted, List<String> labels) {
        List<Evaluation.ImageResult> images = new ArrayList<>();
        for (int i = 0; i < truth.length; i++) {
            double[] p = new double[labels.size()];
            p[predicted[i]] = 1;
            images.add(new Evaluation.ImageResult("img" + i + ".png", null, truth[i], p, p));
        }
        int[] t = truth.clone();
        double[][] probs = images.stream().map(Evaluation.ImageResult::probabilities).toArray(double[][]::new);
        Metrics m = Metrics.of(labels, t, probs);
        return new Evaluation("center", "eval/center.yaml", "probs", List.of(), labels, images, m, m, 1, 1, 1,
                List.of());
    }

    @Test
    void countsDiscordantImagesTestsThemAndBootstrapsThePairedDifference() {
        // 12 images: both right on 0-1, only A right on 2-10 (9 images), only B right on 11 (1 image).
        int[] truth = new int[12];
        int[] a = new int[12];
        int[] b = new int[12];
        for (int i = 0; i < 12; i++) {
            truth[i] = i % 2;
            a[i] = i <= 10 ? truth[i] : 1 - truth[i];
            b[i] = i <= 1 || i == 11 ? truth[i] : 1 - truth[i];
        }
        Comparison c = Comparison.of(List.of("A", "B"), List.of(evaluation(truth, a, LABELS),
                evaluation(truth, b, LABELS)), Seeds.of(1));
        assertThat(c.images()).isEqualTo(12);
        Comparison.Pair p = c.pairs().get(0);
        assertThat(p.bothRight()).isEqualTo(2);
        assertThat(p.onlyA()).isEqualTo(9);
        assertThat(p.onlyB()).isEqualTo(1);
        assertThat(p.bothWrong()).isZero();
        assertThat(p.pValue()).isCloseTo(22 / 1024.0, within(1e-12));   // Binomial(10, 1/2): 2 · 11/1024
        assertThat(p.difference()).isCloseTo(8 / 12.0, within(1e-12));
        assertThat(p.differenceInterval().contains(p.difference())).isTrue();
        assertThat(p.differenceInterval().low()).isGreaterThan(0);
        // Class a holds the even images 0, 2, …, 10: A gets all 6 right, B only image 0.
        Comparison.ClassDifference classA = p.perClass().get(0);
        assertThat(classA.images()).isEqualTo(6);
        assertThat(classA.recallA()).isCloseTo(1.0, within(1e-12));
        assertThat(classA.recallB()).isCloseTo(1 / 6.0, within(1e-12));
        assertThat(classA.difference()).isCloseTo(5 / 6.0, within(1e-12));
        // Same seed, same interval.
        Comparison again = Comparison.of(List.of("A", "B"), List.of(evaluation(truth, a, LABELS),
                evaluation(truth, b, LABELS)), Seeds.of(1));
        assertThat(again.pairs().get(0).differenceInterval()).isEqualTo(p.differenceInterval());
    }

    @Test
    void threeModelsGiveThreePairsAndDifferentLabelsAreRefused() {
        int[] truth = {0, 1, 0, 1};
        Evaluation e = evaluation(truth, truth, LABELS);
        Comparison c = Comparison.of(List.of("x", "y", "z"), List.of(e, e, e), Seeds.of(1));
        assertThat(c.pairs()).extracting(Comparison.Pair::a).containsExactly("x", "x", "y");
        assertThat(c.pairs().get(0).pValue()).isEqualTo(1.0);
        assertThatThrownBy(() -> Comparison.of(List.of("x", "y"), List.of(e, evaluation(truth, truth,
                List.of("a", "c"))), Seeds.of(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels differ");
    }
}
