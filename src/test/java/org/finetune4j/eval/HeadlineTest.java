package org.finetune4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.finetune4j.run.Imbalance;
import org.junit.jupiter.api.Test;

class HeadlineTest {

    private static final List<String> LABELS = List.of("big", "small");

    /** 40 images of "big" all right, 10 of "small" with 4 right: accuracy 0.88, balanced accuracy 0.7. */
    private static Metrics metrics() {
        ConfusionMatrix cm = new ConfusionMatrix(2);
        for (int i = 0; i < 40; i++) {
            cm.add(0, 0);
        }
        for (int i = 0; i < 10; i++) {
            cm.add(1, i < 4 ? 1 : 0);
        }
        return Metrics.of(LABELS, cm, null);
    }

    @Test
    void balancedAccuracyComesWithASeededBootstrapInterval() {
        Metrics m = metrics();
        assertThat(m.top1()).isCloseTo(0.88, within(1e-12));
        assertThat(m.balancedAccuracy()).isCloseTo(0.7, within(1e-12));
        Interval ci = m.balancedAccuracyInterval();
        assertThat(ci.contains(0.7)).isTrue();
        // the minority recall 4/10 dominates the uncertainty: its half-width alone is about 0.15 (recall ± 0.3)
        assertThat(ci.high() - ci.low()).isBetween(0.15, 0.45);
        assertThat(metrics().balancedAccuracyInterval()).as("same predictions, same interval").isEqualTo(ci);
    }

    @Test
    void aboveTheThresholdTheHeadlineIsBalancedAccuracyAndSaysWhy() {
        Metrics m = metrics();
        Headline high = Headline.of(m, Imbalance.of(LABELS, new long[] {40, 10}));
        assertThat(high.balanced()).isTrue();
        assertThat(high.metric()).isEqualTo("balanced-accuracy");
        assertThat(high.value()).isEqualTo(m.balancedAccuracy());
        assertThat(high.interval()).isEqualTo(m.balancedAccuracyInterval());
        assertThat(high.imbalanceRatio()).isEqualTo(4.0);
        assertThat(high.reason()).contains("imbalance ratio 4.0 (big 40 / small 10 training images)")
                .contains("above 3");
        assertThat(high.format()).isEqualTo("balanced accuracy 0.700 " + m.balancedAccuracyInterval().format()
                + " on 50 images");

        Headline low = Headline.of(m, Imbalance.of(LABELS, new long[] {30, 10}));
        assertThat(low.balanced()).isFalse();
        assertThat(low.value()).isEqualTo(m.top1());
        assertThat(low.interval()).isEqualTo(m.top1Interval());
        assertThat(low.reason()).contains("at most 3");
        assertThat(Headline.of(m, null).metric()).as("a bundle without class counts").isEqualTo("accuracy");
    }
}
