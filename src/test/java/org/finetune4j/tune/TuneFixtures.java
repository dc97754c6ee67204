package org.finetune4j.tune;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.DataSettings;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.model.VggArchitecture;
import org.finetune4j.model.WeightsSettings;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.Mode;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.testing.TestBundles;
import org.finetune4j.testing.TestImages;

/** A tiny backbone bundle and a tiny learnable data set (class = dominant colour, plus noise) for tune tests. */
public final class TuneFixtures {

    public static final InputShape INPUT = new InputShape(16, 16, 3);
    /** Mean and std of the colour images on the 0-255 scale, so the tiny backbone sees zero-mean unit-scale input. */
    public static final Preprocessing PRE = Preprocessing.meanStd(INPUT, new double[] {100, 100, 100},
            new double[] {80, 80, 80});

    private TuneFixtures() {
    }

    public static VggArchitecture tiny(int classes) {
        return TestBundles.tinyVgg(classes, true);
    }

    /** Writes models/tiny-backbone (random weights) and returns the models folder. */
    public static Path backbone(Path models) {
        TestBundles.saveBackbone(models.resolve("tiny-backbone"), tiny(5), 11, List.of("p", "q", "r", "s", "t"),
                PRE);
        return models;
    }

    /** Class c's images are a solid colour plus seeded noise of ±50: easy to learn, not constant. */
    public static Path colourFolder(Path root, int perClass) {
        Color[] colours = {new Color(220, 40, 40), new Color(40, 200, 60), new Color(50, 60, 220)};
        String[] names = {"blue-ish", "green-ish", "red-ish"};
        for (int c = 0; c < colours.length; c++) {
            for (int i = 0; i < perClass; i++) {
                SplittableRandom rng = new SplittableRandom(1000L * c + i);
                BufferedImage img = new BufferedImage(18, 18, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 18; y++) {
                    for (int x = 0; x < 18; x++) {
                        int r = clamp(colours[c].getRed() + rng.nextInt(-50, 51));
                        int g = clamp(colours[c].getGreen() + rng.nextInt(-50, 51));
                        int b = clamp(colours[c].getBlue() + rng.nextInt(-50, 51));
                        img.setRGB(x, y, (r << 16) | (g << 8) | b);
                    }
                }
                TestImages.write(root.resolve(names[c]).resolve(String.format("%s_%02d.png", names[c], i)), img,
                        "png");
            }
        }
        return root;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** The base configuration: tiny backbone, nothing frozen, head from fc1, Adam at {@code lr}, no L2. */
    public static TrainConfig config(Path data, double lr, int epochs) {
        return new TrainConfig(Mode.FINETUNE, "t",
                new TrainConfig.BackboneSettings("tiny-backbone", "none", ArchitectureSettings.defaults(), WeightsSettings.defaults()),
                new TrainConfig.FineTuneSettings(new HeadSpec(null, List.of(), "relu", 0.0,
                false), OptimizerConfig.defaults().withLearningRate(lr).withRegularization(0, 0), new TrainConfig.Schedule(epochs, 8, new EarlyStopping("val-loss", 0, 0)), null), new DataSettings(data.toString(), SplitConfig.defaults(), "none", BadImagePolicy.SKIP, 2), 42);
    }
}
