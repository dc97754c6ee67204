package org.finetune4j.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.finetune4j.core.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassWeightsTest {

    private static final List<String> LABELS = List.of("cat", "dog", "fox");

    @TempDir
    Path tmp;

    @Test
    void balancedWeightsAreInverseClassFrequencyAveragingOneOverTheImages() {
        // 100 images, 3 classes: w_c = 100 / (3 n_c)
        double[] w = ClassWeights.balanced(new long[] {60, 30, 10});
        assertThat(w[0]).isCloseTo(100.0 / 180, within(1e-12));
        assertThat(w[1]).isCloseTo(100.0 / 90, within(1e-12));
        assertThat(w[2]).isCloseTo(100.0 / 30, within(1e-12));
        // every class carries the same total weight n / K, and the weighted image count stays n
        assertThat(60 * w[0]).isCloseTo(10 * w[2], within(1e-12));
        assertThat(60 * w[0] + 30 * w[1] + 10 * w[2]).isCloseTo(100, within(1e-9));
        assertThat(ClassWeights.balanced(new long[] {7, 7})).containsExactly(1.0, 1.0);
    }

    @Test
    void noneLeavesTheLossAloneAndBalancedComputes() {
        assertThat(ClassWeights.of("none", LABELS, new long[] {1, 2, 3})).isNull();
        assertThat(ClassWeights.of("balanced", LABELS, new long[] {2, 2, 2})).containsExactly(1.0, 1.0, 1.0);
    }

    @Test
    void readsAWeightsFileInAnyOrderWithHeaderAndComments() throws Exception {
        Path f = write("class,weight\n# rare fox\nfox, 4.5\n\ncat,1\ndog,2e0\n");
        assertThat(ClassWeights.of(f.toString(), LABELS, new long[] {1, 1, 1})).containsExactly(1.0, 2.0, 4.5);
    }

    @Test
    void rejectsAnUnknownClassNamingTheFileLineAndClass() throws Exception {
        Path f = write("cat,1\ndgo,2\nfox,3\n");
        assertThatThrownBy(() -> ClassWeights.read(f, LABELS)).isInstanceOf(UsageException.class)
                .hasMessageContaining(f + " line 2").hasMessageContaining("unknown class \"dgo\"")
                .hasMessageContaining("cat, dog, fox");
    }

    @Test
    void rejectsAMissingClassNamingIt() throws Exception {
        Path f = write("cat,1\nfox,3\n");
        assertThatThrownBy(() -> ClassWeights.read(f, LABELS)).isInstanceOf(UsageException.class)
                .hasMessageContaining("--class-weights " + f).hasMessageContaining("no weight for class dog");
    }

    @Test
    void rejectsNonPositiveAndNonNumericWeights() throws Exception {
        for (String bad : List.of("0", "-1", "abc", "NaN", "Infinity")) {
            Path f = write("cat,1\ndog," + bad + "\nfox,3\n");
            assertThatThrownBy(() -> ClassWeights.read(f, LABELS)).as(bad).isInstanceOf(UsageException.class)
                    .hasMessageContaining(f + " line 2").hasMessageContaining("class \"dog\"")
                    .hasMessageContaining("received \"" + bad + "\"");
        }
    }

    @Test
    void rejectsARepeatedClassALineWithoutACommaAndAMissingFile() throws Exception {
        Path twice = write("cat,1\ndog,2\ncat,3\nfox,1\n");
        assertThatThrownBy(() -> ClassWeights.read(twice, LABELS)).isInstanceOf(UsageException.class)
                .hasMessageContaining(twice + " line 3").hasMessageContaining("has a weight already");
        Path noComma = write("cat 1\n");
        assertThatThrownBy(() -> ClassWeights.read(noComma, LABELS)).isInstanceOf(UsageException.class)
                .hasMessageContaining(noComma + " line 1").hasMessageContaining("expected class,weight");
        Path missing = tmp.resolve("nope.csv");
        assertThatThrownBy(() -> ClassWeights.of(missing.toString(), LABELS, new long[] {1, 1, 1}))
                .isInstanceOf(UsageException.class).hasMessageContaining("--class-weights " + missing)
                .hasMessageContaining("no such file");
    }

    @Test
    void imbalanceRatioAndThresholdSwitchTheHeadlineAndEarlyStopping() {
        Imbalance even = Imbalance.of(LABELS, new long[] {30, 20, 10});   // ratio exactly 3: not above
        assertThat(even.ratio()).isEqualTo(3.0);
        assertThat(even.high()).isFalse();
        assertThat(even.headline()).isEqualTo("accuracy");
        Imbalance lopsided = Imbalance.of(LABELS, new long[] {26, 6, 20});
        assertThat(lopsided.ratio()).isCloseTo(26 / 6.0, within(1e-12));
        assertThat(lopsided.largest()).isEqualTo("cat");
        assertThat(lopsided.smallest()).isEqualTo("dog");
        assertThat(lopsided.high()).isTrue();
        assertThat(lopsided.headline()).isEqualTo("balanced-accuracy");
        assertThat(lopsided.reason()).contains("imbalance ratio 4.3 (cat 26 / dog 6 training images)")
                .contains("above 3").contains("balanced accuracy");

        EarlyStopping auto = EarlyStopping.defaults();
        assertThat(auto.metric()).isEqualTo("auto");
        assertThat(auto.resolve(lopsided).metric()).isEqualTo("val-balanced-accuracy");
        assertThat(auto.resolve(even).metric()).isEqualTo("val-loss");
        EarlyStopping chosen = new EarlyStopping("val-loss", 3, 0);
        assertThat(chosen.resolve(lopsided)).as("a metric the user named is kept").isEqualTo(chosen);
    }

    @Test
    void balancedAccuracyEarlyStoppingScoresTheMeanRecall() {
        EpochStats e = new EpochStats(1, 1, 0.5, 0.8, 0.6, 0.9, 1e-3, 1, 1, 0.55);
        assertThat(new EarlyStopping("val-balanced-accuracy", 5, 0).score(e)).isEqualTo(0.55);
        assertThat(new EarlyStopping("val-accuracy", 5, 0).score(e)).isEqualTo(0.9);
        assertThat(new EarlyStopping("val-loss", 5, 0).score(e)).isEqualTo(-0.6);
        assertThatThrownBy(() -> new EarlyStopping("val-f2", 5, 0)).isInstanceOf(UsageException.class)
                .hasMessageContaining("val-balanced-accuracy");
    }

    @Test
    void imbalanceSurvivesTheRoundTripThroughBundleMetrics() {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        Imbalance.of(LABELS, new long[] {26, 6, 20}).record(m, LABELS);
        assertThat(m).containsEntry("train-imbalance-ratio", 26 / 6.0)
                .containsEntry("train-smallest-class-images", 6.0);
    }

    private Path write(String text) throws Exception {
        Path f = Files.createTempFile(tmp, "weights", ".csv");
        Files.writeString(f, text);
        return f;
    }
}
