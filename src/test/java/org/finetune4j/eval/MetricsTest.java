package org.finetune4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void valuesOfAHandMadeConfusionMatrix() {
        // rows = true class, columns = predicted
        long[][] counts = {
            {5, 1, 0},
            {2, 3, 1},
            {0, 0, 0},   // a class with no images, predicted once
        };
        counts[1][2] = 1;
        ConfusionMatrix cm = ConfusionMatrix.of(counts);
        assertThat(cm.total()).isEqualTo(12);
        assertThat(cm.accuracy()).isCloseTo(8 / 12.0, within(1e-12));
        Metrics m = Metrics.of(List.of("a", "b", "c"), cm, null);
        Metrics.ClassMetrics a = m.perClass().get(0);
        assertThat(a.precision()).isCloseTo(5 / 7.0, within(1e-12));
        assertThat(a.recall()).isCloseTo(5 / 6.0, within(1e-12));
        assertThat(a.f1()).isCloseTo(2 * (5 / 7.0) * (5 / 6.0) / (5 / 7.0 + 5 / 6.0), within(1e-12));
        assertThat(a.support()).isEqualTo(6);
        assertThat(a.predicted()).isEqualTo(7);
        Metrics.ClassMetrics b = m.perClass().get(1);
        assertThat(b.precision()).isCloseTo(3 / 4.0, within(1e-12));
        assertThat(b.recall()).isCloseTo(3 / 6.0, within(1e-12));
        assertThat(b.f1()).isCloseTo(0.6, within(1e-12));
        Metrics.ClassMetrics c = m.perClass().get(2);   // never right, no images: all zero, still counted
        assertThat(c.precision()).isZero();
        assertThat(c.recall()).isZero();
        assertThat(c.f1()).isZero();
        assertThat(m.macroF1()).isCloseTo((a.f1() + 0.6 + 0) / 3, within(1e-12));
        assertThat(m.confusion()).isDeepEqualTo(counts);
    }

    @Test
    void topFiveOnlyWithMoreThanFiveClassesAndTiesGoToTheLowerIndex() {
        double[][] three = {{0.2, 0.5, 0.3}, {0.4, 0.4, 0.2}};
        Metrics m3 = Metrics.of(List.of("a", "b", "c"), new int[] {1, 1}, three);
        assertThat(m3.top5()).isNull();
        assertThat(m3.top1()).isEqualTo(0.5);   // the tie in image 2 goes to class a
        assertThat(m3.confusion()[1]).containsExactly(1, 1, 0);

        double[] p = {0.30, 0.20, 0.15, 0.12, 0.10, 0.08, 0.05};
        List<String> seven = List.of("a", "b", "c", "d", "e", "f", "g");
        Metrics m7 = Metrics.of(seven, new int[] {0, 4, 5, 6}, new double[][] {p, p, p, p});
        assertThat(m7.top1()).isEqualTo(0.25);
        assertThat(m7.top5()).isEqualTo(0.5);   // classes 0 and 4 are in the top five, 5 and 6 are not
        assertThat(Metrics.rank(p, 4)).isEqualTo(4);
        assertThat(Metrics.rank(new double[] {0.5, 0.5}, 1)).isEqualTo(1);
    }
}
