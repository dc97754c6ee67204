package org.finetune4j.tune;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.tune.Check.Status;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SanityChecksTest {

    @TempDir
    static Path tmp;

    static Path models;
    static Path data;

    /** Small settings: 12 images for the loss, 9 to overfit in 30 iterations. */
    static final SanityChecks.Settings FAST = new SanityChecks.Settings(12, 9, 30, 0.1);

    @BeforeAll
    static void fixtures() {
        models = TuneFixtures.backbone(tmp.resolve("models"));
        data = TuneFixtures.colourFolder(tmp.resolve("data"), 12);
    }

    private static Subject subject(double lr) {
        return Subject.prepare(TuneFixtures.config(data, lr, 1), models, line -> { });
    }

    @Test
    void correctSetupPassesEveryCheck() {
        SanityChecks.Result r = SanityChecks.run(subject(1e-2), FAST);
        assertThat(r.checks()).extracting(Check::name).containsExactly("input-statistics", "initial-loss",
                "regularization-raises-loss", "overfit-tiny-subset", "updates-and-finite-values");
        assertThat(r.checks()).allSatisfy(c -> assertThat(c.status()).as(c.name() + " " + c.measured())
                .isEqualTo(Status.PASS));
        assertThat(r.check("initial-loss").measured().get("expected")).isCloseTo(Math.log(3), within(1e-9));
        assertThat(r.hasFailure()).isFalse();
    }

    @Test
    void skippedPreprocessingFailsTheInitialLossAndInputChecks() {
        // raw 0-255 pixels into a network that expects zero-mean unit-scale input
        Subject raw = subject(1e-2).withPreprocessing(Preprocessing.meanStd(TuneFixtures.INPUT,
                new double[] {0, 0, 0}, new double[] {1, 1, 1}));
        SanityChecks.Result r = SanityChecks.run(raw, FAST);
        assertThat(r.check("initial-loss").status()).as(r.check("initial-loss").measured().toString())
                .isEqualTo(Status.FAIL);
        assertThat(r.check("initial-loss").causes()).contains("preprocessing skipped");
        assertThat(r.check("input-statistics").status()).isEqualTo(Status.FAIL);
        assertThat(r.hasFailure()).isTrue();
    }

    @Test
    void storedDatasetStatisticsMeetingOtherDataAreNamedAsTheCause() {
        // white-background icons through a backbone's stored mean/std: channel means ~0.67, stds ~1.96
        org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, 8, 6, 6, 3).subi(0.5).muli(1.96 * Math.sqrt(12)).addi(0.67);
        Preprocessing stored = Preprocessing.meanStd(TuneFixtures.INPUT, new double[] {0.41, 0.42, 0.43},
                new double[] {0.2, 0.2, 0.2});
        Check c = SanityChecks.inputStatistics(x, stored);
        assertThat(c.status()).as(c.measured().toString()).isEqualTo(Status.WARN);
        assertThat(c.causes()).contains("mean [0.410, 0.420, 0.430] and std [0.200, 0.200, 0.200]")
                .contains("of the data it was pretrained on").contains("--mode scratch")
                .doesNotContain("channel order").doesNotContain("applied twice");
    }

    @Test
    void headInitialisedWithHugeWeightsFailsTheInitialLossCheck() {
        Subject s = subject(1e-2);
        Subject planted = s.withNetwork((opt, head) -> {
            var g = s.network().build(opt, head);
            g.getLayer("predictions").getParam("W").muli(100);
            return g;
        });
        SanityChecks.Result r = SanityChecks.run(planted, FAST);
        assertThat(r.check("initial-loss").status()).as(r.check("initial-loss").measured().toString())
                .isEqualTo(Status.FAIL);
        assertThat(r.check("initial-loss").measured().get("ratio")).isGreaterThan(3);
        assertThat(r.check("input-statistics").status()).isEqualTo(Status.PASS);
    }

    @Test
    void absurdlySmallLearningRateFailsTheOverfitCheck() {
        SanityChecks.Result r = SanityChecks.run(subject(1e-9), FAST);
        Check overfit = r.check("overfit-tiny-subset");
        assertThat(overfit.status()).as(overfit.measured().toString()).isEqualTo(Status.FAIL);
        assertThat(overfit.causes()).contains("learning rate far too small");
        assertThat(r.check("updates-and-finite-values").status()).isEqualTo(Status.WARN);
        assertThat(r.check("initial-loss").status()).isEqualTo(Status.PASS);
        assertThat(r.hasFailure()).isTrue();
    }

    @Test
    void theOverfitCheckFailsWhenTheLossDidNotMoveWhateverTheChanceAccuracy() {
        double[] flat = {1.0383, 1.0383, 1.0383};
        double[] halved = {1.1, 0.8, 0.55};
        assertThat(SanityChecks.overfit(6 / 9.0, flat, 9, 1e-9).status()).isEqualTo(Status.FAIL);
        assertThat(SanityChecks.overfit(6 / 9.0, halved, 9, 1e-3).status()).isEqualTo(Status.WARN);
        assertThat(SanityChecks.overfit(1.0, halved, 9, 1e-3).status()).isEqualTo(Status.PASS);
        assertThat(SanityChecks.overfit(0.4, halved, 9, 1e-3).status()).isEqualTo(Status.FAIL);
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }
}
