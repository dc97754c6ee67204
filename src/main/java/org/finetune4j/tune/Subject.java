package org.finetune4j.tune;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.BadImageLog;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.data.TrainingData;
import org.finetune4j.model.BackboneLoader;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.run.PreparedRun;
import org.finetune4j.run.RunSetup;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.train.ClassWeightedLoss;
import org.finetune4j.train.FineTuner;
import org.finetune4j.train.ImageBatches;

/**
 * What the sanity checks and the learning-rate range test probe: a training setup as {@code train} would build it
 * (same seeded split, same backbone, same freeze point and head) but with the network built on demand, so a probe
 * can rebuild it with regularisation off or another learning rate and always get the same initial weights.
 * <pre>{@code
 * Subject s = Subject.prepare(cfg, Path.of("models"), System.err::println);
 * ComputationGraph g = s.network().build(cfg.optimizer().withRegularization(0, 0), cfg.head());
 * }</pre>
 *
 * @param classes       class names in label order
 * @param train         the training split
 * @param preprocessing what the network's inputs go through
 * @param decoder       the decoder for the images
 * @param badImages     files left out, with reasons
 * @param network       builds a fresh network (same initial weights for the same arguments)
 * @param config        the configuration the subject was prepared from
 * @param seeds         the run's seeds
 */
public record Subject(List<String> classes, List<LabeledImage> train, Preprocessing preprocessing,
                      ImageDecoder decoder, BadImageLog badImages, Network network, TrainConfig config, Seeds seeds) {

    /** Builds the network to probe. */
    @FunctionalInterface
    public interface Network {
        /**
         * @param optimizer updater, learning rate and penalties of the trainable layers
         * @param head      the new head
         * @return a new network, initialised from the subject's seed
         */
        ComputationGraph build(OptimizerConfig optimizer, HeadSpec head);
    }

    /**
     * Prepares the data and the backbone as {@code train} does ({@link RunSetup}, {@link FineTuner#build}).
     *
     * @param modelsDir where bundle backbones are found
     * @param log       receives one-line notes for the user
     */
    public static Subject prepare(TrainConfig cfg, Path modelsDir, Consumer<String> log) {
        RunSetup setup = new RunSetup(modelsDir, log);
        PreparedRun run = setup.prepare(cfg);
        Seeds seeds = run.seeds();
        TrainingData data = run.data();
        BackboneLoader.Loaded backbone = setup.backbone(run);
        String freezeUntil = run.freezeUntil();
        int classes = data.classes().size();
        double[] weights = run.classWeights();   // --class-weights weighs the loss the checks and search probe
        Network network = (optimizer, head) -> {
            seeds.applyToNd4j("init");
            ComputationGraph g = FineTuner.build(backbone.graph(), backbone.preprocessing().input(), freezeUntil,
                    head, classes, optimizer, seeds.value("init"));
            ClassWeightedLoss.apply(g, weights);
            return g;
        };
        return new Subject(data.classes(), data.split().train(), backbone.preprocessing(), data.decoder(),
                data.badImages(), network, cfg, seeds);
    }

    /** @return a copy that builds its networks with another factory (tests plant bugs this way) */
    public Subject withNetwork(Network other) {
        return new Subject(classes, train, preprocessing, decoder, badImages, other, config, seeds);
    }

    /** @return a copy whose inputs go through other preprocessing (tests plant a skipped normalisation this way) */
    public Subject withPreprocessing(Preprocessing other) {
        return new Subject(classes, train, other, decoder, badImages, network, config, seeds);
    }

    /**
     * Up to {@code n} training images, taken round-robin over the classes in a seeded order, so a tiny subset still
     * has every class.
     */
    public List<LabeledImage> subset(int n, String name) {
        List<List<LabeledImage>> byClass = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (LabeledImage im : train) {
            byClass.get(im.classIndex()).add(im);
        }
        for (int c = 0; c < byClass.size(); c++) {
            Seeds.shuffle(byClass.get(c), seeds.stream(name, c));
        }
        List<LabeledImage> out = new ArrayList<>();
        for (int round = 0; out.size() < Math.min(n, train.size()); round++) {
            for (List<LabeledImage> images : byClass) {
                if (round < images.size() && out.size() < n) {
                    out.add(images.get(round));
                }
            }
        }
        return out;
    }

    /** @return batches over the images in the evaluation view (no augmentation) */
    public ImageBatches batches(List<LabeledImage> images, int batchSize, boolean shuffle) {
        return new ImageBatches(images, classes.size(), preprocessing, decoder, null, batchSize, shuffle, seeds,
                config.data().threads(), badImages);
    }
}
