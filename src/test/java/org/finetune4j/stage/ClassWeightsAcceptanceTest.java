package org.finetune4j.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.DataSettings;
import org.finetune4j.data.ShapesConfig;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.eval.Metrics;
import org.finetune4j.features.ClassifierConfig;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.FeatureTrainConfig;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.model.WeightsSettings;
import org.finetune4j.run.ClassBalance;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.Mode;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.testing.Slow;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The claim of {@code --class-weights balanced}: on data/shapes-target with half of the classes cut to 6 training
 * images (20 for the others: imbalance ratio 3.3), balanced class weights raise the minority classes' mean recall
 * and the macro F1 on the (balanced) test split, compared with no weights — as a mean over seeds, in features mode
 * (logistic regression on the shipped mini VGG's features) and in fine-tuning. The numbers per seed are printed.
 */
@Slow
class ClassWeightsAcceptanceTest {

    private static final Path SHIPPED = Path.of("models");
    private static final long[] SEEDS = {1, 2, 3};
    private static final int TEST_PER_CLASS = 10;
    private static final int VAL_PER_CLASS = 6;
    private static final int MINORITY_TRAIN = 6;

    @TempDir
    Path tmp;

    /** Minority recall and macro F1 of one run. */
    private record Score(double minorityRecall, double macroF1) {
    }

    @Test
    void balancedWeightsRaiseMinorityRecallAndMacroF1OnAverage() throws Exception {
        ShapesGenerator.ensure(ShapesConfig.defaults(), tmp.resolve("data"), ShapesGenerator.Listener.NONE);
        List<String> minority = new ArrayList<>();
        Path data = cut(tmp.resolve("data/shapes-target"), tmp.resolve("cut"), minority);
        Path models = tmp.resolve("models");
        Files.createDirectories(models);
        TestFolders.copyTree(SHIPPED.resolve("mini-vgg-shapes"), models.resolve("mini-vgg-shapes"));
        TrainStage stage = new TrainStage(new TrainStage.Settings(models, tmp.resolve("reports"), "center", null,
                false));
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-9s %4s  %-26s %-26s%n", "mode",
                "seed", "minority recall none→bal", "macro F1 none→bal"));
        java.util.Map<String, double[]> gains = new java.util.LinkedHashMap<>();
        for (String mode : List.of("features", "finetune")) {
            double recallGain = 0;
            double f1Gain = 0;
            for (long seed : SEEDS) {
                Score none = score(stage, mode, data, seed, "none", minority);
                Score bal = score(stage, mode, data, seed, "balanced", minority);
                recallGain += (bal.minorityRecall() - none.minorityRecall()) / SEEDS.length;
                f1Gain += (bal.macroF1() - none.macroF1()) / SEEDS.length;
                table.append(String.format(Locale.ROOT, "%-9s %4d  %.3f → %.3f (%+.3f)       %.3f → %.3f (%+.3f)%n",
                        mode, seed, none.minorityRecall(), bal.minorityRecall(),
                        bal.minorityRecall() - none.minorityRecall(), none.macroF1(), bal.macroF1(),
                        bal.macroF1() - none.macroF1()));
            }
            table.append(String.format(Locale.ROOT, "%-9s mean  minority recall %+.3f, macro F1 %+.3f%n", mode,
                    recallGain, f1Gain));
            gains.put(mode, new double[] {recallGain, f1Gain});
        }
        System.out.print(table);
        gains.forEach((mode, g) -> {
            assertThat(g[0]).as("%s: mean gain of the minority classes' recall over seeds%n%s", mode, table)
                    .isGreaterThan(0);
            assertThat(g[1]).as("%s: mean gain of macro F1 over seeds%n%s", mode, table).isGreaterThan(0);
        });
    }

    private Score score(TrainStage stage, String mode, Path data, long seed, String weights, List<String> minority) {
        String name = mode + "-" + weights + "-" + seed;
        TrainConfig run = new TrainConfig(Mode.parse(mode), name,
                new TrainConfig.BackboneSettings("mini-vgg-shapes", null, ArchitectureSettings.defaults(),
                        WeightsSettings.defaults()),
                new TrainConfig.FineTuneSettings(HeadSpec.defaults(), OptimizerConfig.defaults(),
                        new TrainConfig.Schedule(10, 32, EarlyStopping.defaults()), null,
                        new TrainConfig.PrefixCache(4, false, 20, tmp.resolve("cache").toString())),
                new DataSettings(data.toString(), SplitConfig.defaults(), mode.equals("features") ? "none"
                        : "flip-crop", BadImagePolicy.SKIP, 2), seed, new ClassBalance(weights, "shuffle"));
        Metrics m;
        if (mode.equals("features")) {
            m = stage.features(new FeatureTrainConfig(run, new ExtractionConfig(null, "auto",
                    tmp.resolve("cache").toString(), null, 0, 32), ClassifierConfig.defaults()), line -> { }, false)
                    .evaluation().centerMetrics();
        } else {
            m = stage.fineTune(run, () -> false, (s, h, t) -> { }, line -> { }, false).evaluation().centerMetrics();
        }
        double recall = m.perClass().stream().filter(c -> minority.contains(c.label()))
                .mapToDouble(Metrics.ClassMetrics::recall).average().orElseThrow();
        return new Score(recall, m.macroF1());
    }

    /**
     * A pre-split copy of the target set: per class (files in name order) the first {@value #TEST_PER_CLASS} for
     * test, the next {@value #VAL_PER_CLASS} for validation, the rest for training — only
     * {@value #MINORITY_TRAIN} of them for every second class.
     */
    private static Path cut(Path from, Path to, List<String> minority) throws Exception {
        List<Path> classes;
        try (Stream<Path> s = Files.list(from)) {
            classes = s.filter(Files::isDirectory).sorted().toList();
        }
        for (int c = 0; c < classes.size(); c++) {
            String label = classes.get(c).getFileName().toString();
            boolean small = c % 2 == 1;
            if (small) {
                minority.add(label);
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(classes.get(c))) {
                files = s.sorted().toList();
            }
            for (int i = 0; i < files.size(); i++) {
                String part = i < TEST_PER_CLASS ? "test" : i < TEST_PER_CLASS + VAL_PER_CLASS ? "val" : "train";
                if (part.equals("train") && small && i >= TEST_PER_CLASS + VAL_PER_CLASS + MINORITY_TRAIN) {
                    continue;
                }
                Path target = to.resolve(part).resolve(label).resolve(files.get(i).getFileName());
                Files.createDirectories(target.getParent());
                Files.copy(files.get(i), target);
            }
        }
        return to;
    }
}
