package org.finetune4j.clean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConfidentLearningTest {

    @Test
    void thresholdsAreMeanSelfConfidenceAndTheConfidentJointCountsEachExampleOnce() {
        // class 0: three confident examples and one that looks like class 1; class 1: three confident examples
        double[][] p = {{0.9, 0.1}, {0.8, 0.2}, {0.7, 0.3}, {0.1, 0.9}, {0.15, 0.85}, {0.1, 0.9}, {0.3, 0.7}};
        int[] y = {0, 0, 0, 0, 1, 1, 1};
        ConfidentLearning.Result r = ConfidentLearning.find(p, y, 2);
        assertThat(r.thresholds()[0]).isCloseTo((0.9 + 0.8 + 0.7 + 0.1) / 4, within(1e-12));
        assertThat(r.thresholds()[1]).isCloseTo((0.85 + 0.9 + 0.7) / 3, within(1e-12));
        assertThat(r.confidentJoint()[0]).containsExactly(3, 1);
        assertThat(r.confidentJoint()[1]).containsExactly(0, 2);   // {0.3, 0.7} reaches no threshold
        assertThat(r.flagged()).hasSize(1);
        assertThat(r.flagged().get(0).index()).isEqualTo(3);
        assertThat(r.flagged().get(0).suggested()).isEqualTo(1);
        assertThat(r.flagged().get(0).margin()).isCloseTo(0.1 - 0.9, within(1e-12));
        assertThat(r.score()[3]).isCloseTo(0.9, within(1e-12));
    }

    @Test
    void flaggedAreRankedByMarginAndNeverAgreeWithTheirLabel() {
        double[][] p = {{0.05, 0.95, 0}, {0.1, 0.85, 0.05}, {0.9, 0.05, 0.05}, {0.85, 0.1, 0.05}, {0.1, 0.8, 0.1},
            {0.1, 0.1, 0.8}, {0.05, 0.05, 0.9}, {0.2, 0.1, 0.7}};
        int[] y = {0, 0, 0, 0, 1, 2, 2, 2};
        ConfidentLearning.Result r = ConfidentLearning.find(p, y, 3);
        assertThat(r.flagged()).extracting(ConfidentLearning.Flag::index).containsExactly(0, 1);
        for (ConfidentLearning.Flag f : r.flagged()) {
            assertThat(f.suggested()).isNotEqualTo(f.given());
        }
    }

    @Test
    void cleanConfidentLabelsFlagNothing() {
        double[][] p = {{0.9, 0.1}, {0.8, 0.2}, {0.2, 0.8}, {0.1, 0.9}};
        assertThat(ConfidentLearning.find(p, new int[] {0, 0, 1, 1}, 2).flagged()).isEmpty();
    }
}
