package org.finetune4j.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.finetune4j.core.Json;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HyperparameterSearchTest {

    @TempDir
    Path tmp;

    private static final SearchSpace SPACE = new SearchSpace(1e-5, 1e-1, 1e-6, 1e-1, Double.NaN, Double.NaN,
            List.of(), List.of());

    /** A smooth score peaking at lr 3e-3, l2 1e-4; counts its calls. */
    private static final class Bowl implements Objective {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public TrialScore score(TrialParams p, int index) {
            calls.incrementAndGet();
            double d = Math.pow(Math.log10(p.learningRate() / 3e-3), 2) + 0.3 * Math.pow(Math.log10(p.l2() / 1e-4), 2);
            return new TrialScore(Math.exp(-d), d, Double.NaN, 0.001, null);
        }
    }

    private static JsonNode options(String extra) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("space", "test");
        o.put("extra", extra);
        return o;
    }

    private HyperparameterSearch.Result run(Path dir, int coarse, int max, double budget, Objective o,
                                            String extra) {
        return new HyperparameterSearch(SPACE, new HyperparameterSearch.Settings(coarse, max, budget, 3, 1.5),
                Seeds.of(7), dir).run(options(extra), o, (t, resumed, done, planned, secs) -> { });
    }

    @Test
    void sameSeedGivesTheSameTrials() {
        HyperparameterSearch.Result a = run(tmp.resolve("a"), 6, 9, 0, new Bowl(), "x");
        HyperparameterSearch.Result b = run(tmp.resolve("b"), 6, 9, 0, new Bowl(), "x");
        assertThat(b.trials()).isEqualTo(a.trials());
        assertThat(a.trials()).hasSize(9);
        assertThat(a.complete()).isTrue();
    }

    @Test
    void aRerunReadsFinishedTrialsBackInsteadOfRunningThem() {
        Path dir = tmp.resolve("s");
        Bowl first = new Bowl();
        HyperparameterSearch.Result r1 = run(dir, 4, 6, 0, first, "x");
        assertThat(first.calls).hasValue(6);

        Bowl again = new Bowl();
        HyperparameterSearch.Result r2 = run(dir, 4, 6, 0, again, "x");
        assertThat(again.calls).hasValue(0);
        assertThat(r2.ranNow()).isZero();
        assertThat(r2.trials()).isEqualTo(r1.trials());

        Bowl more = new Bowl();
        HyperparameterSearch.Result r3 = run(dir, 4, 8, 0, more, "x");
        assertThat(more.calls).as("only the two new trials run").hasValue(2);
        assertThat(r3.trials()).hasSize(8).containsAll(r1.trials());
        assertThat(new HyperparameterSearch(SPACE, new HyperparameterSearch.Settings(4, 8, 0, 3, 1.5), Seeds.of(7),
                dir).readTrials()).hasSize(8);
    }

    @Test
    void aRerunWithOtherOptionsIsRefused() {
        Path dir = tmp.resolve("s");
        run(dir, 2, 3, 0, new Bowl(), "x");
        assertThatThrownBy(() -> run(dir, 2, 3, 0, new Bowl(), "y")).isInstanceOf(UsageException.class)
                .hasMessageContaining("other options").hasMessageContaining("extra");
    }

    @Test
    void theTimeBudgetStopsNewTrialsAndARerunContinues() {
        Path dir = tmp.resolve("s");
        Objective slow = (p, i) -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Bowl().score(p, i);
        };
        HyperparameterSearch.Result r = run(dir, 3, 5, 0.15, slow, "x");
        assertThat(r.trials()).hasSize(1);
        assertThat(r.complete()).isFalse();
        Bowl rest = new Bowl();
        HyperparameterSearch.Result done = run(dir, 3, 5, 0, rest, "x");
        assertThat(rest.calls).hasValue(4);
        assertThat(done.complete()).isTrue();
    }

    @Test
    void theFineStageSamplesTheRegionOfTheBestCoarseTrialsAndImprovesOnThem() {
        HyperparameterSearch.Result r = run(tmp.resolve("s"), 10, 20, 0, new Bowl(), "x");
        List<Trial> coarse = r.trials().stream().filter(t -> t.stage().equals("coarse")).sorted(SearchSpace.BEST_FIRST)
                .toList();
        List<Trial> fine = r.trials().stream().filter(t -> t.stage().equals("fine")).toList();
        assertThat(coarse).hasSize(10);
        assertThat(fine).hasSize(10);
        double lo = coarse.subList(0, 3).stream().mapToDouble(t -> t.params().learningRate()).min().orElseThrow();
        double hi = coarse.subList(0, 3).stream().mapToDouble(t -> t.params().learningRate()).max().orElseThrow();
        assertThat(fine).allSatisfy(t -> assertThat(t.params().learningRate()).isBetween(lo / 1.5, hi * 1.5));
        assertThat(r.fineSpace().lrMax() / r.fineSpace().lrMin()).isLessThan(SPACE.lrMax() / SPACE.lrMin());
        double fineMean = fine.stream().mapToDouble(t -> t.score().score()).average().orElseThrow();
        double coarseMean = coarse.stream().mapToDouble(t -> t.score().score()).average().orElseThrow();
        assertThat(fineMean).isGreaterThan(coarseMean);
        assertThat(r.best().score().score()).isGreaterThanOrEqualTo(coarse.get(0).score().score());
    }

    @Test
    void choicesAreSampledAndNarrowedToTheBestTrialsValues() {
        SearchSpace s = new SearchSpace(1e-4, 1e-2, 1e-5, 1e-3, 0.0, 0.6, List.of(0, 64, 256),
                List.of("block1_pool", "block2_pool"));
        TrialParams p = s.sample(Seeds.of(1).stream("search-trial", 0));
        assertThat(p.headWidth()).isIn(0, 64, 256);
        assertThat(p.freezeUntil()).isIn("block1_pool", "block2_pool");
        assertThat(p.dropout()).isBetween(0.0, 0.6);
        SearchSpace narrow = s.narrowTo(List.of(new TrialParams(1e-3, 1e-4, 0.3, 64, "block2_pool", null)), 1.5);
        assertThat(narrow.headWidths()).containsExactly(64);
        assertThat(narrow.freezePoints()).containsExactly("block2_pool");
        assertThat(narrow.dropoutMin()).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(narrow.lrMin()).isCloseTo(1e-3 / 1.5, org.assertj.core.data.Offset.offset(1e-12));
    }
}
