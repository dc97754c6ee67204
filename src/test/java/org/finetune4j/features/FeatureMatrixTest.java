package org.finetune4j.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureMatrixTest {

    @Test
    void holdsTheRowsRoundedToFloatAndSelectsCopies() {
        double[][] rows = {{1.0, 0.1, -3.5}, {2.0, 1e-9, 7.25}, {0, 0, 0}};
        try (FeatureMatrix m = FeatureMatrix.of(rows)) {
            assertThat(m.rows()).isEqualTo(3);
            assertThat(m.columns()).isEqualTo(3);
            assertThat(m.row(0)).containsExactly(1.0f, 0.1f, -3.5f);
            assertThat(m.row(1)).containsExactly(2.0f, 1e-9f, 7.25f);
            assertThat(m.toDoubleRows()[0][1]).isEqualTo((double) 0.1f);
            try (FeatureMatrix s = m.select(new int[] {2, 0, 0})) {
                assertThat(s.rows()).isEqualTo(3);
                assertThat(s.row(0)).containsExactly(0f, 0f, 0f);
                assertThat(s.row(2)).containsExactly(1.0f, 0.1f, -3.5f);
                m.setRow(0, new float[] {9, 9, 9});
                assertThat(s.row(1)).as("a selection is a copy").containsExactly(1.0f, 0.1f, -3.5f);
            }
            assertThat(m.row(0)).containsExactly(9f, 9f, 9f);
        }
    }

    @Test
    void aLargeMatrixIsFilledInParallelRowByRow() {
        int n = 1000;
        int d = 1500;   // above the size from which the copy runs in parallel
        float[][] rows = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                rows[i][j] = i * 10_000 + j;
            }
        }
        try (FeatureMatrix m = FeatureMatrix.of(rows)) {
            for (int i : new int[] {0, 255, 256, 511, 999}) {
                assertThat(m.row(i)).containsExactly(rows[i]);
            }
        }
    }

    @Test
    void raggedRowsAndWrongIndicesAreClearErrors() {
        assertThatThrownBy(() -> FeatureMatrix.of(new double[][] {{1, 2}, {3, 4}, {5}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 2 has 1 features")
                .hasMessageContaining("row 0 has 2");
        try (FeatureMatrix m = FeatureMatrix.zeros(2, 3)) {
            assertThat(m.row(1)).containsExactly(0f, 0f, 0f);
            assertThatThrownBy(() -> m.row(2)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("row 2 of 2");
            assertThatThrownBy(() -> m.setRow(0, new float[2])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("2 values for a row of 3");
        }
    }

    @Test
    void emptyShapesWork() {
        try (FeatureMatrix none = FeatureMatrix.of(new float[0][]); FeatureMatrix flat = FeatureMatrix.zeros(3, 0)) {
            assertThat(none.rows()).isZero();
            assertThat(none.toDoubleRows()).isEmpty();
            assertThat(flat.row(2)).isEmpty();
        }
    }

    @Test
    void aFeatureSetChecksItsLengthsAndSelectsCentreViews() {
        float[][] x = {{1, 2}, {3, 4}, {5, 6}};
        FeatureSet s = new FeatureSet(List.of("a", "a", "b"), x, new int[] {0, 0, 1}, new int[] {0, 0, 1},
                new boolean[] {false, true, false});
        FeatureSet centre = s.centreViews();
        assertThat(centre.paths()).containsExactly("a", "b");
        assertThat(centre.x().row(1)).containsExactly(5f, 6f);
        assertThat(centre.group()).containsExactly(0, 1);
        assertThatThrownBy(() -> new FeatureSet(List.of("a"), x, new int[3], new int[3], new boolean[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 rows, 1 paths");
    }
}
