package org.finetune4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.finetune4j.core.Seeds;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    /**
     * Synthetic over-confident predictions: logits z, labels drawn from softmax(z / T0), and the "model" reports
     * softmax(z). The fitted temperature must be T0, and dividing by it must lower ECE on images it was not fitted on.
     */
    @Test
    void recoversAKnownTemperatureAndLowersEceOnHeldOutImages() {
        double t0 = 2.5;
        int n = 20_000;
        int classes = 5;
        SplittableRandom rng = Seeds.of(3).stream("calibration-test");
        double[][] p = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double[] z = new double[classes];
            for (int c = 0; c < classes; c++) {
                z[c] = 4 * rng.nextDouble() + (c == i % classes ? 3 : 0);
            }
            p[i] = softmax(z, 1);
            double[] truth = softmax(z, t0);
            double u = rng.nextDouble();
            int label = classes - 1;
            for (int c = 0; c < classes; c++) {
                u -= truth[c];
                if (u < 0) {
                    label = c;
                    break;
                }
            }
            y[i] = label;
        }
        int half = n / 2;
        double[][] fitP = java.util.Arrays.copyOfRange(p, 0, half);
        int[] fitY = java.util.Arrays.copyOfRange(y, 0, half);
        double[][] heldP = java.util.Arrays.copyOfRange(p, half, n);
        int[] heldY = java.util.Arrays.copyOfRange(y, half, n);

        double t = Calibration.fitTemperature(fitP, fitY);
        assertThat(t).isCloseTo(t0, within(0.02 * t0));

        Calibration.Scores before = Calibration.scores(heldP, heldY);
        Calibration.Scores after = Calibration.scores(Calibration.scale(heldP, t), heldY);
        assertThat(after.ece()).isLessThan(before.ece() / 2);
        assertThat(after.nll()).isLessThan(before.nll());
        assertThat(after.brier()).isLessThan(before.brier());
    }

    @Test
    void scoresOfAHandMadeSet() {
        double[][] p = {{0.9, 0.1}, {0.6, 0.4}, {0.3, 0.7}, {0.8, 0.2}};
        int[] y = {0, 1, 1, 0};
        Calibration.Scores s = Calibration.scores(p, y);
        // NLL: -(ln .9 + ln .4 + ln .7 + ln .8) / 4
        assertThat(s.nll()).isCloseTo(-(Math.log(.9) + Math.log(.4) + Math.log(.7) + Math.log(.8)) / 4,
                within(1e-12));
        // Brier: 2·(.1² + .6² + .3² + .2²) / 4
        assertThat(s.brier()).isCloseTo(2 * (.01 + .36 + .09 + .04) / 4, within(1e-12));
        // ECE, 15 bins of width 1/15: 0.6 → bin 9 (wrong), 0.7 → bin 10 (right), 0.8 → bin 12 (right),
        // 0.9 → bin 13 (right): (|0 - .6| + |1 - .7| + |1 - .8| + |1 - .9|) / 4
        assertThat(s.ece()).isCloseTo((0.6 + 0.3 + 0.2 + 0.1) / 4, within(1e-12));
        List<Calibration.Bin> bins = Calibration.reliability(p, y);
        assertThat(bins).hasSize(15);
        assertThat(bins.stream().mapToInt(Calibration.Bin::images).sum()).isEqualTo(4);
    }

    @Test
    void scalingByOneChangesNothingAndTemperatureOrderIsKept() {
        double[][] p = {{0.7, 0.2, 0.1}};
        assertThat(Calibration.scale(p, 1)[0]).containsExactly(new double[] {0.7, 0.2, 0.1}, within(1e-12));
        double[] hot = Calibration.scale(p, 3)[0];
        assertThat(hot[0]).isLessThan(0.7).isGreaterThan(hot[1]);
        assertThat(hot[0] + hot[1] + hot[2]).isCloseTo(1, within(1e-12));
    }

    /** @return softmax(z / t), in double precision */
    static double[] softmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v / t);
        }
        double[] out = new double[z.length];
        double sum = 0;
        for (int c = 0; c < z.length; c++) {
            out[c] = Math.exp(z[c] / t - max);
            sum += out[c];
        }
        for (int c = 0; c < z.length; c++) {
            out[c] /= sum;
        }
        return out;
    }
}
