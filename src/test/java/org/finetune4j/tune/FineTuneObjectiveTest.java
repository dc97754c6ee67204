package org.finetune4j.tune;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.finetune4j.core.Json;
import org.finetune4j.core.Seeds;
import org.finetune4j.run.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTuneObjectiveTest {

    @TempDir
    Path tmp;

    @Test
    void searchFindsABetterConfigurationThanADeliberatelyBadStart() {
        Path models = TuneFixtures.backbone(tmp.resolve("models"));
        Path data = TuneFixtures.colourFolder(tmp.resolve("data"), 12);
        TrainConfig bad = TuneFixtures.config(data, 1e-7, 2);   // a learning rate at which nothing moves
        Path trials = tmp.resolve("search").resolve("trials");
        FineTuneObjective objective = new FineTuneObjective(bad, 2, models, trials, line -> { });
        TrialScore start = objective.score(new TrialParams(1e-7, 1e-6, null, null, null, null), 99);

        SearchSpace space = new SearchSpace(1e-4, 1e-1, 1e-6, 1e-3, Double.NaN, Double.NaN, List.of(), List.of());
        HyperparameterSearch.Result r = new HyperparameterSearch(space, new HyperparameterSearch.Settings(3, 4, 0, 2,
                1.5), Seeds.of(5), tmp.resolve("search")).run(Json.mapper().createObjectNode(), objective,
                (t, resumed, done, planned, secs) -> { });

        assertThat(r.best()).isNotNull();
        assertThat(r.best().score().score()).as("best trial vs the bad start (val acc %s)", start.score())
                .isGreaterThan(start.score() + 0.2);
        // trials leave no bundles behind, and nothing is written to models/
        assertThat(trials.toFile().list()).isNullOrEmpty();
        assertThat(models.toFile().list()).containsExactly("tiny-backbone");
        assertThat(Files.isRegularFile(tmp.resolve("search").resolve("trials.jsonl"))).isTrue();
    }
}
