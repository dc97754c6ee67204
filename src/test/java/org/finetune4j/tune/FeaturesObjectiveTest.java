package org.finetune4j.tune;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.finetune4j.core.Seeds;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.ScalingConfig;
import org.finetune4j.run.Mode;
import org.finetune4j.run.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturesObjectiveTest {

    @TempDir
    Path tmp;

    @Test
    void aSearchOverCBeatsADeliberatelyBadCAndScoresAreRepeatable() {
        Path models = TuneFixtures.backbone(tmp.resolve("models"));
        Path data = TuneFixtures.colourFolder(tmp.resolve("data"), 10);
        TrainConfig base = TuneFixtures.config(data, 1e-3, 1);
        TrainConfig run = new TrainConfig(Mode.FEATURES, "t",
                new TrainConfig.BackboneSettings(base.model(), null, base.architecture(), base.weights()),
                new TrainConfig.FineTuneSettings(base.head(), base.optimizer(), base.schedule(), null), base.data(), base.seed());
        ExtractionConfig ex = new ExtractionConfig("block2_pool", "avg", tmp.resolve("cache").toString(), null, 0, 8);
        // L1 at a tiny C zeroes every weight: a constant prediction, chance accuracy
        ClassifierConfig cc = new ClassifierConfig("logreg", "l1", "squared-hinge", 3, java.util.List.of(1.0), 300,
                new ScalingConfig(true, 0, 0, false));
        FeaturesObjective objective = new FeaturesObjective(run, ex, cc, models, line -> { }, false);

        TrialScore bad = objective.score(new TrialParams(null, null, null, null, null, 1e-6), 0);
        assertThat(bad.score()).isLessThan(0.5);
        assertThat(objective.stats().computed()).as("features extracted once, on the first trial").isPositive();

        HyperparameterSearch.Result r = new HyperparameterSearch(SearchSpace.ofC(1e-2, 1e2),
                new HyperparameterSearch.Settings(4, 6, 0, 2, 1.5), Seeds.of(7), tmp.resolve("search"))
                .run(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), objective,
                        (t, resumed, done, planned, elapsed) -> { });
        assertThat(r.trials()).hasSize(6);
        assertThat(r.fineSpace().cMin()).isGreaterThanOrEqualTo(1e-2);
        assertThat(r.trials()).allSatisfy(t -> {
            assertThat(t.params().c()).isBetween(1e-2, 1e2);
            assertThat(t.params().learningRate()).as("no learning rate in features mode").isNull();
            assertThat(t.score().valLoss()).isPositive();
        });
        Trial best = r.best();
        assertThat(best.score().score()).isGreaterThan(bad.score() + 0.3);
        TrialScore again = objective.score(best.params(), 99);
        assertThat(again.score()).as("same C, same folds, same score").isEqualTo(best.score().score());
        assertThat(again.valLoss()).isEqualTo(best.score().valLoss());
    }
}
