package org.finetune4j.tune;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Iterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.train.ImageBatches;
import org.finetune4j.train.TrainingLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LrRangeTestTest {

    @TempDir
    Path tmp;

    @Test
    void suggestionIsWithinTenfoldOfTheLearningRateThatTrainsBest() {
        Path models = TuneFixtures.backbone(tmp.resolve("models"));
        Path data = TuneFixtures.colourFolder(tmp.resolve("data"), 12);
        Subject s = Subject.prepare(TuneFixtures.config(data, 1e-3, 1), models, line -> { });

        // establish which learning rate trains well: 16 steps from the same initial weights, lowest training loss
        double bestLr = Double.NaN;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (double lr : new double[] {1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1}) {
            double loss = lossAfterTraining(s, lr, 16);
            if (loss < bestLoss) {
                bestLoss = loss;
                bestLr = lr;
            }
        }
        assertThat(bestLoss).as("the best rate trains well").isLessThan(0.5 * Math.log(3));

        LrRangeTest.Result r = LrRangeTest.run(s, new LrRangeTest.Settings(1e-6, 5, 60, 0.9), 8, (i, lr, l) -> { });
        assertThat(r.suggestion()).as("suggestion vs best rate " + bestLr)
                .isBetween(bestLr / 10, bestLr * 10);
        assertThat(r.suggestion()).isEqualTo(r.minLossLr() / 10);
        // lr 5 with Adam blows the loss up: the test stops early instead of running all 60 steps
        assertThat(r.diverged()).isTrue();
        assertThat(r.learningRates().length).isLessThan(60);
        assertThat(r.learningRates()[0]).isEqualTo(1e-6);
    }

    private static double lossAfterTraining(Subject s, double lr, int steps) {
        ComputationGraph g = s.network().build(s.config().optimizer().withLearningRate(lr), s.config().head());
        try (ImageBatches b = s.batches(s.train(), 8, true)) {
            int epoch = 0;
            Iterator<ImageBatches.Batch> it = b.epoch(epoch, 0);
            for (int i = 0; i < steps; i++) {
                if (!it.hasNext()) {
                    it = b.epoch(++epoch, 0);
                }
                g.fit(it.next().data());
            }
        }
        try (ImageBatches all = s.batches(s.train(), 64, false)) {
            double loss = TrainingLoop.evaluate(g, all)[0];
            return Double.isFinite(loss) ? loss : Double.POSITIVE_INFINITY;
        }
    }

    @Test
    void analysisPicksTheMinimumOverTenAndTheSteepestDescentBeforeIt() {
        int n = 50;
        double[] lrs = new double[n];
        double[] loss = new double[n];
        for (int i = 0; i < n; i++) {
            lrs[i] = 1e-6 * Math.pow(10, i / 7.0);          // 1e-6 .. ~1e1
            double x = Math.log10(lrs[i]);
            loss[i] = 2 - 1.5 / (1 + Math.exp(-3 * (x + 3))) + (x > -1 ? 5 * (x + 1) * (x + 1) : 0);
        }
        LrRangeTest.Result r = LrRangeTest.analyse(lrs, loss, loss, false);
        assertThat(Math.log10(r.minLossLr())).isBetween(-1.6, -0.6);
        assertThat(r.suggestion()).isEqualTo(r.minLossLr() / 10);
        assertThat(Math.log10(r.steepestLr())).isBetween(-3.6, -2.4);   // the sigmoid's centre at 1e-3
    }
}
