package org.finetune4j.clean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.finetune4j.core.Seeds;
import org.junit.jupiter.api.Test;

class NeighboursTest {

    @Test
    void blockedSearchAgreesWithBruteForce() {
        SplittableRandom rng = Seeds.of(7).stream("rows");
        int n = 300;
        float[][] x = new float[n][20];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 20; j++) {
                x[i][j] = (float) rng.nextGaussian();
            }
        }
        x[17] = x[250].clone();            // a copy
        double[][] unit = FeatureSpace.unitRows(x, 8, Seeds.of(1));
        Neighbours nb = Neighbours.search(unit, 3, 0.999, false);
        for (int i = 0; i < n; i++) {
            int best = -1;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int c = 0; c < unit[0].length; c++) {
                    s += unit[i][c] * unit[j][c];
                }
                if (j != i && s > bestSim) {
                    bestSim = s;
                    best = j;
                }
            }
            assertThat(nb.similarity()[i][0]).isCloseTo(bestSim, within(1e-5));
            assertThat(nb.similarity()[i][0]).isGreaterThanOrEqualTo(nb.similarity()[i][1]);
            assertThat(nb.similarity()[i][1]).isGreaterThanOrEqualTo(nb.similarity()[i][2]);
            if (i != 17 && i != 250) {
                assertThat(nb.nearest()[i][0]).isEqualTo(best);
            }
        }
        assertThat(nb.pairs()).extracting(p -> p.a() + "-" + p.b()).containsExactly("17-250");
        assertThat(nb.nearest()[17][0]).isEqualTo(250);
    }
}
