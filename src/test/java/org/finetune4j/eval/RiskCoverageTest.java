package org.finetune4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class RiskCoverageTest {

    // Top probabilities 0.9 (right), 0.8 (right), 0.7 (wrong), 0.6 (right), 0.55 (wrong)
    private static final double[][] P = {{0.9, 0.1}, {0.2, 0.8}, {0.7, 0.3}, {0.6, 0.4}, {0.45, 0.55}};
    private static final int[] Y = {0, 1, 1, 0, 0};

    @Test
    void curveRunsFromEveryImageAnsweredToTheMostConfidentOne() {
        List<RiskCoverage.Point> c = RiskCoverage.curve(P, Y);
        assertThat(c).hasSize(5);
        assertThat(c.get(0).coverage()).isEqualTo(1.0);
        assertThat(c.get(0).accuracy()).isCloseTo(3 / 5.0, within(1e-12));
        assertThat(c.get(0).threshold()).isEqualTo(0.55);
        assertThat(c.get(2).threshold()).isEqualTo(0.7);
        assertThat(c.get(2).accuracy()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(c.get(4).coverage()).isCloseTo(0.2, within(1e-12));
        assertThat(c.get(4).accuracy()).isEqualTo(1.0);
    }

    @Test
    void theThresholdIsTheLowestThatReachesTheTargetOnValidation() {
        RiskCoverage.Target t = RiskCoverage.target(P, Y, P, Y, 0.95);
        assertThat(t.threshold()).isEqualTo(0.8);   // 0.8 and 0.9 answered, both right
        assertThat(t.validation().coverage()).isCloseTo(0.4, within(1e-12));
        assertThat(t.test().answered()).isEqualTo(2);
        RiskCoverage.Point at = RiskCoverage.at(P, Y, 0.65);
        assertThat(at.answered()).isEqualTo(3);
        assertThat(at.accuracy()).isCloseTo(2 / 3.0, within(1e-12));
        // A target no threshold reaches gives NaN and no points.
        double[][] allWrong = {{0.9, 0.1}};
        RiskCoverage.Target none = RiskCoverage.target(allWrong, new int[] {1}, P, Y, 0.5);
        assertThat(none.threshold()).isNaN();
        assertThat(none.test()).isNull();
    }
}
