package org.finetune4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.finetune4j.core.Seeds;
import org.junit.jupiter.api.Test;

class StatisticsTest {

    /**
     * Newcombe R.G. (1998), "Two-sided confidence intervals for the single proportion: comparison of seven methods",
     * Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score interval without continuity correction):
     * 81/263 → 0.2553–0.3662, 15/148 → 0.0624–0.1605, 0/20 → 0–0.1611, 1/29 → 0.0061–0.1718.
     */
    @Test
    void wilsonMatchesNewcombesPublishedIntervals() {
        assertBounds(Statistics.wilson(81, 263), 0.2553, 0.3662);
        assertBounds(Statistics.wilson(15, 148), 0.0624, 0.1605);
        assertBounds(Statistics.wilson(0, 20), 0.0, 0.1611);
        assertBounds(Statistics.wilson(1, 29), 0.0061, 0.1718);
    }

    @Test
    void wilsonStaysInsideTheUnitIntervalAndTouchesItsEnds() {
        assertThat(Statistics.wilson(20, 20).high()).isEqualTo(1.0);
        assertThat(Statistics.wilson(20, 20).low()).isGreaterThan(0.8).isLessThan(1);
        assertThat(Statistics.wilson(0, 0)).isEqualTo(new Interval(0, 1));
        Interval quickStart = Statistics.wilson(26, 50);   // test accuracy 0.520 on 50 images
        assertThat(quickStart.high() - quickStart.low()).isCloseTo(0.27, within(0.01));
    }

    private static void assertBounds(Interval ci, double low, double high) {
        assertThat(ci.low()).isCloseTo(low, within(0.00006));
        assertThat(ci.high()).isCloseTo(high, within(0.00006));
    }

    @Test
    void mcNemarExactOnHandMadeTables() {
        // 1 image only A gets right, 9 only B: P(X <= 1) for Binomial(10, 1/2) = 11/1024, two-sided 22/1024.
        assertThat(Statistics.mcNemarExact(1, 9)).isCloseTo(22 / 1024.0, within(1e-12));
        assertThat(Statistics.mcNemarExact(9, 1)).isCloseTo(22 / 1024.0, within(1e-12));
        // 0 vs 5: 2 / 32.
        assertThat(Statistics.mcNemarExact(0, 5)).isCloseTo(0.0625, within(1e-12));
        // Balanced discordance and no discordance: no evidence of a difference.
        assertThat(Statistics.mcNemarExact(3, 3)).isEqualTo(1.0);
        assertThat(Statistics.mcNemarExact(0, 0)).isEqualTo(1.0);
        // Large counts do not underflow: 480 vs 520 has p ≈ 0.218 (normal approximation with continuity: 0.2187).
        assertThat(Statistics.mcNemarExact(480, 520)).isCloseTo(0.218, within(0.003));
    }

    @Test
    void bootstrapIsSeededAndCoversTheMean() {
        double[] x = new double[200];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 4 == 0 ? 1 : 0;   // mean 0.25
        }
        Interval a = Statistics.bootstrap(x.length, idx -> mean(x, idx), Seeds.of(7), "mean");
        Interval b = Statistics.bootstrap(x.length, idx -> mean(x, idx), Seeds.of(7), "mean");
        assertThat(a).isEqualTo(b);
        assertThat(a.contains(0.25)).isTrue();
        // Close to the Wilson interval of the same proportion (50 / 200).
        Interval w = Statistics.wilson(50, 200);
        assertThat(a.low()).isCloseTo(w.low(), within(0.02));
        assertThat(a.high()).isCloseTo(w.high(), within(0.02));
    }

    @Test
    void metricsCarryIntervalsBalancedAccuracyAndMacroF1() {
        long[][] counts = {{8, 2}, {1, 1}};   // lopsided: 10 images of a, 2 of b
        Metrics m = Metrics.of(List.of("a", "b"), ConfusionMatrix.of(counts), null);
        assertThat(m.top1()).isCloseTo(9 / 12.0, within(1e-12));
        assertThat(m.top1Interval()).isEqualTo(Statistics.wilson(9, 12));
        assertThat(m.balancedAccuracy()).isCloseTo((0.8 + 0.5) / 2, within(1e-12));
        assertThat(m.perClass().get(1).recallInterval()).isEqualTo(Statistics.wilson(1, 2));
        assertThat(m.macroF1Interval().contains(m.macroF1())).isTrue();
        assertThat(Metrics.of(List.of("a", "b"), ConfusionMatrix.of(counts), null).macroF1Interval())
                .isEqualTo(m.macroF1Interval());
    }

    private static double mean(double[] x, int[] idx) {
        double s = 0;
        for (int i : idx) {
            s += x[i];
        }
        return s / idx.length;
    }
}
