package org.finetune4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.DataSettings;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.VggArchitecture;
import org.finetune4j.model.WeightsSettings;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.EpochStats;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.History;
import org.finetune4j.run.Mode;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.run.TrainResult;
import org.finetune4j.testing.TestBundles;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.BeforeEach;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.extract.FeatureCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    @TempDir
    Path tmp;

    private Path models;
    private Path data;

    static VggArchitecture tiny(int classes) {
        return TestBundles.tinyVgg(classes, true);
    }

    @BeforeEach
    void backboneAndData() {
        models = tmp.resolve("models");
        TestBundles.saveBackbone(models.resolve("tiny-backbone"), tiny(5), 11, List.of("p", "q", "r", "s", "t"));
        data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("a", 12, "b", 12, "c", 12));
    }

    private TrainConfig config(String name, int epochs, String freezeUntil, int patience) {
        return new TrainConfig(Mode.FINETUNE, name,
                new TrainConfig.BackboneSettings("tiny-backbone", freezeUntil, ArchitectureSettings.defaults(), WeightsSettings.defaults()),
                new TrainConfig.FineTuneSettings(new HeadSpec(null, List.of(8), "relu", 0.3, false), OptimizerConfig.defaults().withLearningRate(1e-2), new TrainConfig.Schedule(epochs, 8, new EarlyStopping("val-loss", patience, 0)), null,
                        prefixCache(2, false, 20)), new DataSettings(data.toString(), SplitConfig.defaults(), "flip-crop",
                        BadImagePolicy.SKIP, 2), 42);
    }

    private TrainConfig.PrefixCache prefixCache(int copies, boolean perEpoch, double budgetGb) {
        return new TrainConfig.PrefixCache(copies, perEpoch, budgetGb, cacheDir().toString());
    }

    private Path cacheDir() {
        return tmp.resolve("cache");
    }

    private Trainer trainer() {
        return new Trainer(models, line -> { }, false, java.time.Duration.ZERO);   // a checkpoint after every epoch
    }

    private static float[] params(Path bundle) {
        return BundleStore.load(bundle).graph().params().toFloatVector();
    }

    @Test
    void theConfigLineShowsTheResolvedFreezePointAndTheBackbonesInputSize() throws Exception {
        // the shipped mini VGG: its default freeze point comes from the architecture, its input is 32x32
        org.finetune4j.testing.TestFolders.copyTree(Path.of("models", "mini-vgg-shapes"),
                models.resolve("mini-vgg-shapes"));
        TrainConfig base = config("resolved", 1, null, 0);
        TrainConfig cfg = new TrainConfig(Mode.FINETUNE, "resolved",
                new TrainConfig.BackboneSettings("mini-vgg-shapes", null, base.architecture(), base.weights()),
                new TrainConfig.FineTuneSettings(base.head(), base.optimizer(), base.schedule(), null), base.data(), 42);
        List<String> log = new java.util.ArrayList<>();
        TrainResult r = new Trainer(models, log::add).run(cfg, false, () -> false, (s, h, t) -> { });
        String line = log.stream().filter(l -> l.startsWith("config: ")).findFirst().orElseThrow();
        assertThat(r.bundle().freezeUntil()).isEqualTo("block3_pool");
        assertThat(line).contains("\"freeze-until\":\"block3_pool\"").doesNotContain("\"freeze-until\":null")
                .contains("\"input-size\":32").doesNotContain("\"input-size\":64");
    }

    @Test
    void frozenLayersAreBitIdenticalAfterFineTuningAndTheHeadIsNot() {
        TrainResult r = trainer().run(config("ft", 2, "block1_pool", 0), false, () -> false, (s, h, t) -> { });
        ComputationGraph before = BundleStore.load(models.resolve("tiny-backbone")).graph();
        ComputationGraph after = BundleStore.load(r.bundleDir()).graph();
        assertThat(r.frozen()).containsExactlyInAnyOrder("block1_conv1", "block1_conv1_bn", "block1_conv1_act",
                "block1_pool");
        for (String frozen : List.of("block1_conv1", "block1_conv1_bn")) {
            assertThat(after.getLayer(frozen).params().toFloatVector()).as(frozen)
                    .containsExactly(before.getLayer(frozen).params().toFloatVector());
        }
        assertThat(after.getLayer("block2_conv1").params().toFloatVector())
                .isNotEqualTo(before.getLayer("block2_conv1").params().toFloatVector());
        assertThat(after.getLayer("predictions").params().length()).isEqualTo(8 * 3 + 3);
        assertThat(r.bundle().labels()).containsExactly("a", "b", "c");
        assertThat(r.bundle().freezeUntil()).isEqualTo("block1_pool");
        assertThat(r.bundle().testSplit()).isNotEmpty();
        assertThat(r.history().epochs()).hasSize(2);
        assertThat(Files.exists(r.checkpoint())).as("checkpoint removed once the bundle is written").isFalse();
    }

    @Test
    void sameSeedGivesTheSameModelWhetherTheFrozenLayersRunOrTheirCacheIsRead() {
        List<String> first = new java.util.ArrayList<>();
        TrainResult a = new Trainer(models, first::add).run(config("a", 2, "block1_pool", 0), false, () -> false,
                (s, h, t) -> { });
        FeatureCache.Stats cached = FeatureCache.of(cacheDir()).stats();
        // 2 augmented copies of each training image and the centre view of each validation image
        int[] counts = cachedCounts(first, "block1_pool");
        int train = counts[0];
        int val = counts[1];
        assertThat(train + val + a.bundle().testSplit().size()).isEqualTo(36);
        assertThat(cached.entries()).isEqualTo(2L * train + val);
        TrainResult b = trainer().run(config("b", 2, "block1_pool", 0), false, () -> false, (s, h, t) -> { });
        assertThat(FeatureCache.of(cacheDir()).stats()).as("the second run only reads the cache").isEqualTo(cached);
        assertThat(params(b.bundleDir())).containsExactly(params(a.bundleDir()));
        AtomicFiles.deleteTree(cacheDir());
        TrainResult c = trainer().run(config("c", 2, "block1_pool", 0), false, () -> false, (s, h, t) -> { });
        assertThat(params(c.bundleDir())).as("recomputed after the cache was emptied")
                .containsExactly(params(a.bundleDir()));
    }

    @Test
    void aHeadOnlyRunWhosePrefixIsAViewOfTheWholeGraphKeepsTheFrozenLayersAndIsReproducible() {
        // frozen up to fc1, the prefix holds most of the tiny network: it is cut as a view of the whole graph's
        // frozen layers, not a copy of the backbone (train.TrainingFeeds)
        List<String> log = new java.util.ArrayList<>();
        TrainResult a = new Trainer(models, log::add).run(config("head-a", 2, "fc1", 0), false, () -> false,
                (s, h, t) -> { });
        assertThat(cachedCounts(log, "fc1")[0]).isPositive();
        ComputationGraph before = BundleStore.load(models.resolve("tiny-backbone")).graph();
        ComputationGraph after = BundleStore.load(a.bundleDir()).graph();
        for (String frozen : List.of("block1_conv1", "block2_conv1", "fc1")) {
            assertThat(after.getLayer(frozen).params().toFloatVector()).as(frozen)
                    .containsExactly(before.getLayer(frozen).params().toFloatVector());
        }
        AtomicFiles.deleteTree(cacheDir());
        TrainResult b = trainer().run(config("head-b", 2, "fc1", 0), false, () -> false, (s, h, t) -> { });
        assertThat(params(b.bundleDir())).containsExactly(params(a.bundleDir()));
        assertThat(params(a.bundleDir())).isNotEqualTo(BundleStore.load(models.resolve("tiny-backbone")).graph()
                .params().toFloatVector());
    }

    /** @return {training images, validation images} from the log line of the prefix cache at a boundary */
    private static int[] cachedCounts(List<String> log, String boundary) {
        String line = log.stream().filter(l -> l.startsWith("frozen layers up to " + boundary + " run once: "))
                .findFirst().orElseThrow(() -> new AssertionError("no cache line for " + boundary + " in " + log));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("of (\\d+) training images and (\\d+) "
                + "validation").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    @Test
    void aLearningRateChangeReusesTheCacheAndMoreCopiesAddToIt() {
        List<String> log = new java.util.ArrayList<>();
        new Trainer(models, log::add).run(config("x", 1, "block1_pool", 0), false, () -> false, (s, h, t) -> { });
        int train = cachedCounts(log, "block1_pool")[0];
        FeatureCache.Stats before = FeatureCache.of(cacheDir()).stats();
        TrainConfig otherLr = config("y", 1, "block1_pool", 0);
        otherLr = new TrainConfig(otherLr.mode(), otherLr.name(), otherLr.backbone(),
                new TrainConfig.FineTuneSettings(otherLr.head(), otherLr.optimizer().withLearningRate(3e-3),
                        otherLr.schedule(), null, otherLr.prefix()), otherLr.data(), otherLr.seed());
        trainer().run(otherLr, false, () -> false, (s, h, t) -> { });
        assertThat(FeatureCache.of(cacheDir()).stats()).isEqualTo(before);
        trainer().run(config("z", 1, "block1_pool", 0).withPrefix(prefixCache(3, false, 20)), false, () -> false,
                (s, h, t) -> { });
        assertThat(FeatureCache.of(cacheDir()).stats().entries()).as("a third copy of each training image")
                .isEqualTo(before.entries() + train);
    }

    @Test
    void overTheBudgetOrAskedToItAugmentsEveryEpochAndSaysSo() {
        List<String> log = new java.util.ArrayList<>();
        TrainResult r = new Trainer(models, log::add).run(config("budget", 1, "block1_pool", 0)
                .withPrefix(prefixCache(2, false, 0)), false, () -> false, (s, h, t) -> { });
        assertThat(log).anyMatch(l -> l.contains("over --cache-budget 0.0 GB: augmenting every epoch instead"));
        assertThat(r.history().epochs()).hasSize(1);
        assertThat(FeatureCache.of(cacheDir()).stats().entries()).isZero();
        log.clear();
        new Trainer(models, log::add).run(config("per-epoch", 1, "block1_pool", 0)
                .withPrefix(prefixCache(2, true, 20)), false, () -> false, (s, h, t) -> { });
        assertThat(log).anyMatch(l -> l.contains("run every epoch (--per-epoch-augment)"));
        assertThat(FeatureCache.of(cacheDir()).stats().entries()).isZero();
    }

    @Test
    void resumeAfterCtrlCMidEpochEqualsAnUninterruptedRun() {
        TrainResult full = trainer().run(config("full", 3, "block1_pool", 0), false, () -> false,
                (s, h, t) -> { });
        AtomicInteger polls = new AtomicInteger();
        TrainResult cut = trainer().run(config("cut", 3, "block1_pool", 0), false,
                () -> polls.incrementAndGet() >= 5, (s, h, t) -> { });
        assertThat(cut.interrupted()).isTrue();
        assertThat(cut.checkpoint().resolve("state.json")).exists();
        TrainResult resumed = trainer().run(config("cut", 3, "block1_pool", 0), true, () -> false,
                (s, h, t) -> { });
        assertThat(resumed.interrupted()).isFalse();
        assertThat(params(resumed.bundleDir())).containsExactly(params(full.bundleDir()));
        assertThat(resumed.history().epochs()).extracting(EpochStats::valLoss)
                .containsExactlyElementsOf(full.history().epochs().stream().map(EpochStats::valLoss).toList());
    }

    @Test
    void resumeAfterACrashAtAnEpochBoundaryEqualsAnUninterruptedRun() {
        TrainResult full = trainer().run(config("full", 3, null, 0), false, () -> false, (s, h, t) -> { });
        assertThatThrownBy(() -> trainer().run(config("crash", 3, null, 0), false, () -> false, (s, h, t) -> {
            if (s.epoch() == 2) {
                throw new IllegalStateException("killed (simulated)");
            }
        })).hasMessageContaining("killed");
        TrainResult resumed = trainer().run(config("crash", 3, null, 0), true, () -> false, (s, h, t) -> { });
        assertThat(params(resumed.bundleDir())).containsExactly(params(full.bundleDir()));
    }

    @Test
    void withALongCheckpointIntervalEpochsAreNotCheckpointedButAnInterruptionIs() {
        Trainer hourly = new Trainer(models, line -> { }, false, java.time.Duration.ofHours(1));
        Path checkpoint = models.resolve("hourly.checkpoint/state.json");
        List<Boolean> atEpochEnd = new ArrayList<>();
        assertThatThrownBy(() -> hourly.run(config("hourly", 3, null, 0), false, () -> false, (s, h, t) -> {
            atEpochEnd.add(Files.exists(checkpoint));
            if (s.epoch() == 2) {
                throw new IllegalStateException("killed (simulated)");
            }
        })).hasMessageContaining("killed");
        assertThat(atEpochEnd).containsExactly(false, false);
        AtomicInteger polls = new AtomicInteger();
        TrainResult stopped = hourly.run(config("hourly2", 3, null, 0), false, () -> polls.incrementAndGet() > 3,
                (s, h, t) -> { });
        assertThat(stopped.interrupted()).isTrue();
        assertThat(models.resolve("hourly2.checkpoint/state.json")).exists();
    }

    @Test
    void resumingWithDataOfOtherClassesIsAClearError() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        trainer().run(config("x", 3, null, 0), false, () -> polls.incrementAndGet() >= 3, (s, h, t) -> { });
        TestFolders.imageFolder(data, Map.of("d", 12));
        assertThatThrownBy(() -> trainer().run(config("x", 3, null, 0), true, () -> false, (s, h, t) -> { }))
                .isInstanceOf(UsageException.class).hasMessageContaining("classes [a, b, c, d] differ from the "
                        + "checkpoint's [a, b, c]");
    }

    @Test
    void startingOverAnInterruptedRunWithoutResumeIsRefused() {
        AtomicInteger polls = new AtomicInteger();
        trainer().run(config("y", 3, null, 0), false, () -> polls.incrementAndGet() >= 3, (s, h, t) -> { });
        assertThatThrownBy(() -> trainer().run(config("y", 3, null, 0), false, () -> false, (s, h, t) -> { }))
                .isInstanceOf(UsageException.class).hasMessageContaining("--resume");
    }

    @Test
    void earlyStoppingKeepsTheBestEpochsWeights() {
        TrainResult r = trainer().run(config("es", 8, null, 2), false, () -> false, (s, h, t) -> { });
        History h = r.history();
        int best = h.bestEpoch();
        double bestLoss = h.epochs().stream().mapToDouble(EpochStats::valLoss).min().orElseThrow();
        assertThat(h.best().valLoss()).isEqualTo(bestLoss);
        // stopped after `patience` epochs without improvement, or ran all epochs
        assertThat(h.epochs().size()).isIn(Math.min(8, best + 2), 8);
        assertThat(r.bundle().metrics().get("best-epoch")).isEqualTo((double) best);
    }

    @Test
    void stageTwoUnfreezesTheLayersAboveTheGivenOneAndKeepsTheRestFrozen() {
        TrainConfig base = config("s2", 2, "block2_pool", 0);
        TrainConfig cfg = new TrainConfig(base.mode(), base.name(),
                new TrainConfig.BackboneSettings(base.model(), base.freezeUntil(), base.architecture(), base.weights()),
                new TrainConfig.FineTuneSettings(base.head(), base.optimizer(), base.schedule(), new TrainConfig.StageTwo("block1_pool", 2, 1e-3), base.prefix()), base.data(), base.seed());
        List<String> log = new java.util.ArrayList<>();
        TrainResult r = new Trainer(models, log::add).run(cfg, false, () -> false, (s, h, t) -> { });
        // each stage trains on its own frozen prefix's cached outputs
        assertThat(cachedCounts(log, "block2_pool")).isEqualTo(cachedCounts(log, "block1_pool"));
        ComputationGraph before = BundleStore.load(models.resolve("tiny-backbone")).graph();
        ComputationGraph after = BundleStore.load(r.bundleDir()).graph();
        assertThat(r.history().epochs()).extracting(EpochStats::stage).containsExactly(1, 1, 2, 2);
        assertThat(r.frozen()).containsExactlyInAnyOrder("block1_conv1", "block1_conv1_bn", "block1_conv1_act",
                "block1_pool");
        assertThat(after.getLayer("block1_conv1").params().toFloatVector())
                .containsExactly(before.getLayer("block1_conv1").params().toFloatVector());
        // block2 was frozen in stage 1 and trained in stage 2; the bundle keeps the best epoch's weights, so it shows
        // block2 trained only when a stage-2 epoch was the best (on noise images either can be, depending on the
        // last bits of the CPU's kernels)
        float[] block2 = after.getLayer("block2_conv1").params().toFloatVector();
        float[] block2Before = before.getLayer("block2_conv1").params().toFloatVector();
        if (r.history().best().stage() == 2) {
            assertThat(block2).isNotEqualTo(block2Before);
        } else {
            assertThat(block2).containsExactly(block2Before);
        }
    }

    @Test
    void aWrongFreezeUntilNameListsTheValidLayers() {
        assertThatThrownBy(() -> trainer().run(config("w", 1, "block9_pool", 0), false, () -> false,
                (s, h, t) -> { })).isInstanceOf(UsageException.class)
                .hasMessageContaining("--freeze-until block9_pool: no such layer")
                .hasMessageContaining("block1_conv1, block1_conv1_bn, block1_conv1_act, block1_pool");
    }
}
