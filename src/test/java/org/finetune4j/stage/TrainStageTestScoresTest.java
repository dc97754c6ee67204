package org.finetune4j.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.finetune4j.core.Json;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.BadImageLog;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.DataSettings;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ShapesConfig;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.eval.TemperatureScaling;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.WeightsSettings;
import org.finetune4j.run.ClassBalance;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.Mode;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.testing.TestFolders;
import org.finetune4j.train.ImageBatches;
import org.finetune4j.train.TrainingLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} takes its test scores from the end-of-run evaluation instead of a pass of the trainer's own over the
 * test split: they must still be what that pass gave, the centre crop's accuracy and its cross-entropy before
 * calibration, in the result, the bundle and {@code metrics.json} alike.
 */
class TrainStageTestScoresTest {

    @TempDir
    Path tmp;

    @Test
    void testScoresAreTheTrainingLoopsOnTheUncalibratedNetworkAndAreRecordedEverywhere() throws Exception {
        ShapesGenerator.ensure(ShapesConfig.defaults(), tmp.resolve("data"), ShapesGenerator.Listener.NONE);
        Path models = tmp.resolve("models");
        Files.createDirectories(models);
        TestFolders.copyTree(Path.of("models", "mini-vgg-shapes"), models.resolve("mini-vgg-shapes"));
        TrainStage stage = new TrainStage(new TrainStage.Settings(models, tmp.resolve("reports"), "center", null,
                false));
        TrainConfig cfg = new TrainConfig(Mode.parse("finetune"), "scored",
                new TrainConfig.BackboneSettings("mini-vgg-shapes", null, ArchitectureSettings.defaults(),
                        WeightsSettings.defaults()),
                new TrainConfig.FineTuneSettings(HeadSpec.defaults(), OptimizerConfig.defaults(),
                        new TrainConfig.Schedule(2, 32, EarlyStopping.defaults()), null,
                        new TrainConfig.PrefixCache(2, false, 20, tmp.resolve("cache").toString())),
                new DataSettings(tmp.resolve("data/shapes-target").toString(), SplitConfig.defaults(), "flip-crop",
                        BadImagePolicy.SKIP, 2), 12345, ClassBalance.defaults());
        TrainStage.Result result = stage.fineTune(cfg, () -> false, (s, h, t) -> { }, line -> { }, false);

        double accuracy = result.training().testAccuracy();
        double loss = result.training().testLoss();
        assertThat(accuracy).isBetween(0.0, 1.0);
        assertThat(loss).isPositive();
        assertThat(accuracy).isEqualTo(result.evaluation().centerMetrics().top1());

        BundleStore.Loaded loaded = BundleStore.load(result.training().bundleDir());
        try {
            assertThat(loaded.bundle().metrics()).containsEntry("test-accuracy", accuracy)
                    .containsEntry("test-loss", loss);
            assertThat(result.training().bundle().metrics()).containsEntry("test-accuracy", accuracy);
            JsonNode written = Json.mapper().readTree(result.report().resolve("metrics.json").toFile());
            assertThat(written.path("test-accuracy").asDouble()).isEqualTo(accuracy);
            assertThat(written.path("test-loss").asDouble()).isEqualTo(loss);

            // what the trainer's own pass gave: the training loop's scores of the network before calibration
            double temperature = loaded.bundle().metrics().get(Calibrator.TEMPERATURE);
            assertThat(temperature).as("calibration ran").isNotEqualTo(1.0);
            TemperatureScaling.fold(loaded.graph(), 1 / temperature);
            List<org.finetune4j.data.LabeledImage> test = EvaluateStage.fromBundle(loaded.bundle()).images();
            try (ImageBatches batches = new ImageBatches(test, loaded.bundle().labels().size(),
                    loaded.bundle().preprocessing(), new ImageDecoder(3, ImageDecoder.DEFAULT_MAX_PIXELS), null, 32,
                    false, Seeds.of(12345), 2, new BadImageLog())) {
                double[] own = TrainingLoop.evaluate(loaded.graph(), batches);
                assertThat(accuracy).isEqualTo(own[1]);
                assertThat(loss).isCloseTo(own[0], within(1e-4 * Math.max(1, own[0])));
            }
        } finally {
            loaded.graph().close();
        }
    }
}
