package org.finetune4j.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.finetune4j.data.LabeledImage;
import org.finetune4j.data.ShapesConfig;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.eval.Calibration;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.eval.TemperatureScaling;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.Preprocessing;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-of-run evaluation of {@code train} saves passes over the images, and must give what the passes gave:
 * <ul>
 * <li>the test scores come from it instead of a pass of the trainer's own over the test split: the centre crop's
 * accuracy and its cross-entropy before calibration, in the result, the bundle and {@code metrics.json} alike;</li>
 * <li>with the centre-crop protocol, the reject option's validation predictions are calibration's pass scaled by the
 * temperature instead of another pass of the calibrated network.</li>
 * </ul>
 */
class TrainingEvaluationTest {

    @TempDir
    static Path tmp;

    private static TrainStage.Result result;

    @BeforeAll
    static void train() throws Exception {
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
        result = stage.fineTune(cfg, () -> false, (s, h, t) -> { }, line -> { }, false);
    }

    @Test
    void testScoresAreTheTrainingLoopsOnTheUncalibratedNetworkAndAreRecordedEverywhere() throws Exception {
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
            List<LabeledImage> test = EvaluateStage.fromBundle(loaded.bundle()).images();
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

    @Test
    void calibrationsPassScaledIsWhatTheCalibratedNetworkPredictsOnTheValidationSplit() {
        BundleStore.Loaded loaded = BundleStore.load(result.training().bundleDir());
        try {
            double temperature = loaded.bundle().metrics().get(Calibrator.TEMPERATURE);
            List<LabeledImage> val = EvaluateStage.validationFromBundle(loaded.bundle()).orElseThrow().images();
            CropProtocol center = CropProtocolLoader.load("center");
            Evaluation calibrated = EvaluateStage.evaluate(loaded, val, center,
                    MultiCropEvaluator.Averaging.PROBABILITIES, 16, true);
            TemperatureScaling.fold(loaded.graph(), 1 / temperature);
            Evaluation before = EvaluateStage.evaluate(loaded, val, center, MultiCropEvaluator.Averaging.PROBABILITIES,
                    16, true);
            Evaluation scaled = Calibration.scale(before, temperature);

            assertThat(scaled.images()).hasSameSizeAs(calibrated.images());
            for (int i = 0; i < scaled.images().size(); i++) {
                Evaluation.ImageResult s = scaled.images().get(i);
                Evaluation.ImageResult c = calibrated.images().get(i);
                assertThat(s.relativePath()).isEqualTo(c.relativePath());
                for (int k = 0; k < c.probabilities().length; k++) {
                    assertThat(s.probabilities()[k]).as(s.relativePath()).isCloseTo(c.probabilities()[k],
                            within(1e-5));
                    assertThat(s.centerProbabilities()[k]).isCloseTo(c.centerProbabilities()[k], within(1e-5));
                }
            }
            assertThat(scaled.protocolMetrics().top1()).isEqualTo(calibrated.protocolMetrics().top1());
            assertThat(scaled.centerMetrics().top1()).isEqualTo(calibrated.centerMetrics().top1());
            assertThatThrownBy(() -> Calibration.scale(EvaluateStage.evaluate(loaded, val.subList(0, 2),
                    CropProtocolLoader.load("ten-crop"), MultiCropEvaluator.Averaging.PROBABILITIES, 16, true), 2.0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one crop per image");

            // the reject option takes calibration's pass for the centre crop, and makes its own for other protocols
            Calibrator.Calibrated cal = new Calibrator.Calibrated(null, scaled);
            Preprocessing pre = loaded.bundle().preprocessing();
            EvaluateStage.Resolved forced = EvaluateStage.resolve(loaded, center, null, 16, true, false);
            EvaluateStage.Resolved reused = TrainingEvaluation.withCalibrationPass(forced, cal, pre);
            assertThat(reused.validation().images()).isEqualTo(scaled.images());
            assertThat(reused.validation().protocol()).isEqualTo(center.name());
            assertThat(reused.protocol()).isEqualTo(forced.protocol());
            assertThat(reused.choice()).isEqualTo(forced.choice());
            EvaluateStage.Resolved tenCrop = EvaluateStage.resolve(loaded, CropProtocolLoader.load("ten-crop"), null,
                    16, true, false);
            assertThat(TrainingEvaluation.withCalibrationPass(tenCrop, cal, pre)).isSameAs(tenCrop);
            assertThat(TrainingEvaluation.withCalibrationPass(forced, null, pre)).isSameAs(forced);
            assertThat(TrainingEvaluation.withCalibrationPass(reused, cal, pre)).isSameAs(reused);
        } finally {
            loaded.graph().close();
        }
    }
}
