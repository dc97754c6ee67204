package org.finetune4j.run;

import java.util.Locale;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.DataSettings;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.model.BackboneChoice;
import org.finetune4j.model.WeightsSettings;

/**
 * Everything {@code train} and {@code pretrain} need: the configuration echoed at the start of a run and stored in the
 * bundle and the report. {@link #defaults()} is the one place of every default the command line shows.
 * <pre>{@code
 * TrainConfig cfg = TrainConfig.defaults().withData(new DataSettings(...)).withFreezeUntil("block4_pool");
 * }</pre>
 *
 * @param mode     {@code finetune} (new head on a pretrained backbone, early layers frozen) or {@code scratch}
 *                 (the same architecture, freshly initialised, nothing frozen) or {@code features} (frozen
 *                 backbone as feature extractor plus a linear classifier: {@code features.FeatureTrainer})
 * @param name     the bundle to write, under {@code models/} ({@code --name})
 * @param backbone the backbone, its freeze point, how a fresh one is built and where weights come from
 * @param fineTune the new head, the optimiser, the schedule and the optional second stage
 * @param data     the data folder, split, augmentation and bad-image policy
 * @param seed     the root seed
 * @param balance  class weights and fine-tuning's sampler ({@code --class-weights}, {@code --sampler}); null reads
 *                 as {@link ClassBalance#defaults()} (configurations recorded before these options existed)
 */
public record TrainConfig(Mode mode, String name, BackboneSettings backbone, FineTuneSettings fineTune,
                          DataSettings data, long seed, ClassBalance balance) {

    /** The model {@code train} fine-tunes when none is named: the shipped offline demo backbone. */
    public static final String DEFAULT_MODEL = "mini-vgg-shapes";

    /** A configuration without class weights, with the shuffling sampler. */
    public TrainConfig(Mode mode, String name, BackboneSettings backbone, FineTuneSettings fineTune, DataSettings data,
                       long seed) {
        this(mode, name, backbone, fineTune, data, seed, ClassBalance.defaults());
    }

    public TrainConfig {
        if (balance == null) {
            balance = ClassBalance.defaults();
        }
        if (mode == null) {
            throw new UsageException("--mode: missing. Expected " + java.util.Arrays.toString(Mode.values()) + ".");
        }
        if (name == null || name.isBlank() || name.contains("/") || name.startsWith(".")) {
            throw new UsageException("--name " + name + ": expected a plain folder name for models/<name>, e.g. "
                    + "photos-finetuned.");
        }
    }

    /**
     * @return fine-tuning of {@value #DEFAULT_MODEL} on {@code data/shapes-target} with every default, bundle name
     *         {@code shapes-target-finetune}
     */
    public static TrainConfig defaults() {
        return new TrainConfig(Mode.FINETUNE, "shapes-target-finetune", BackboneSettings.defaults(),
                FineTuneSettings.defaults(), DataSettings.defaults(), defaultSeed());
    }

    /**
     * The backbone a run starts from.
     *
     * @param model        a built-in name or a bundle ({@code --model})
     * @param freezeUntil  the last frozen layer, null for the backbone's default; {@code none} freezes nothing
     * @param architecture for {@code pretrain} and {@code scratch}: initialisation and activation of a fresh network
     * @param weights      where the pretrained weights of {@code vgg16}/{@code vgg19} come from
     */
    public record BackboneSettings(String model, String freezeUntil, ArchitectureSettings architecture,
                                   WeightsSettings weights) {
        /** @return {@value TrainConfig#DEFAULT_MODEL}, its default freeze point, default architecture and weights */
        public static BackboneSettings defaults() {
            return new BackboneSettings(DEFAULT_MODEL, null, ArchitectureSettings.defaults(),
                    WeightsSettings.defaults());
        }
    }

    /**
     * What fine-tuning trains and how.
     *
     * @param head      the new head
     * @param optimizer updater, learning rate, schedule, L1/L2
     * @param schedule  epochs, batch size and early stopping
     * @param stage2    the optional unfrozen second stage, or null
     * @param prefix    how the layers that train are fed: the frozen prefix's outputs cached, or computed per epoch
     */
    public record FineTuneSettings(HeadSpec head, OptimizerConfig optimizer, Schedule schedule, StageTwo stage2,
                                   PrefixCache prefix) {
        /** Settings with the default prefix cache. */
        public FineTuneSettings(HeadSpec head, OptimizerConfig optimizer, Schedule schedule, StageTwo stage2) {
            this(head, optimizer, schedule, stage2, PrefixCache.defaults());
        }

        /** @return the default head and optimiser, 15 epochs of batch 32 with default early stopping, one stage */
        public static FineTuneSettings defaults() {
            return new FineTuneSettings(HeadSpec.defaults(), OptimizerConfig.defaults(), Schedule.defaults(), null);
        }
    }

    /**
     * How fine-tuning feeds the layers that train. The frozen layers (the prefix, up to the freeze point) never
     * change, so their output for an image and an augmented copy of it is computed once, in inference mode, and
     * cached on disk; the epochs then run only the trainable layers. Each training image gets
     * {@code augmentCopies} seeded augmented copies and every epoch trains on one of them per image, drawn from the
     * seed. With {@code perEpoch}, or when the cache would pass {@code budgetGb}, every epoch augments afresh and
     * runs the frozen layers again (still in inference mode, keeping no activations for backpropagation).
     *
     * @param augmentCopies augmented copies per training image, 1 to 1000 ({@code --augment-copies})
     * @param perEpoch      augment every epoch afresh instead ({@code --per-epoch-augment})
     * @param budgetGb      the largest prefix cache a run writes, in GB of 10^9 bytes ({@code --cache-budget})
     * @param cacheDir      the cache folder, or null for {@code $FINETUNE4J_CACHE/features} or
     *                      {@code ~/.finetune4j/features} ({@code --cache}); where the cache lives changes no result,
     *                      so it is not part of the recorded configuration (nor compared by {@code --resume})
     */
    public record PrefixCache(int augmentCopies, boolean perEpoch, double budgetGb,
                              @com.fasterxml.jackson.annotation.JsonIgnore String cacheDir) {
        /** Copies per image when none are asked for. */
        public static final int DEFAULT_COPIES = 4;

        public PrefixCache {
            if (augmentCopies < 1 || augmentCopies > 1000) {
                throw new UsageException("--augment-copies " + augmentCopies + ": expected 1 to 1000 copies per "
                        + "training image (or --per-epoch-augment to augment every epoch afresh).");
            }
            if (!(budgetGb >= 0) || Double.isInfinite(budgetGb)) {
                throw new UsageException("--cache-budget " + budgetGb + ": expected a size in GB, 0 or more (0 "
                        + "never caches).");
            }
        }

        /** @return {@value #DEFAULT_COPIES} copies per image, cached, a budget of 20 GB, the default folder */
        public static PrefixCache defaults() {
            return new PrefixCache(DEFAULT_COPIES, false, 20, null);
        }
    }

    /** @return the backbone model ({@code --model}) */
    public String model() {
        return backbone.model();
    }

    /** @return the freeze point as given (null: the backbone's default) */
    public String freezeUntil() {
        return backbone.freezeUntil();
    }

    /** @return how a fresh network is built */
    public ArchitectureSettings architecture() {
        return backbone.architecture();
    }

    /** @return where pretrained weights come from */
    public WeightsSettings weights() {
        return backbone.weights();
    }

    /** @return the new head */
    public HeadSpec head() {
        return fineTune.head();
    }

    /** @return the optimiser */
    public OptimizerConfig optimizer() {
        return fineTune.optimizer();
    }

    /** @return epochs, batch size, early stopping */
    public Schedule schedule() {
        return fineTune.schedule();
    }

    /** @return the second stage, or null */
    public StageTwo stage2() {
        return fineTune.stage2();
    }

    /** @return how the trainable layers are fed */
    public PrefixCache prefix() {
        return fineTune.prefix();
    }

    /**
     * @param epochs        epochs of stage 1, at least 1 ({@code --epochs})
     * @param batchSize     images per batch, at least 1 ({@code --batch-size})
     * @param earlyStopping when to stop; the best epoch's weights are kept
     */
    public record Schedule(int epochs, int batchSize, EarlyStopping earlyStopping) {
        /** @return 15 epochs of 32 images, default early stopping */
        public static Schedule defaults() {
            return new Schedule(15, 32, EarlyStopping.defaults());
        }

        public Schedule {
            if (epochs < 1) {
                throw new UsageException("--epochs " + epochs + ": expected at least 1.");
            }
            if (batchSize < 1) {
                throw new UsageException("--batch-size " + batchSize + ": expected at least 1.");
            }
        }
    }

    /**
     * The second stage: after the head has converged, unfreeze the layers above {@code unfreeze} and continue at a
     * lower learning rate.
     *
     * @param unfreeze     layers above this one become trainable ({@code --unfreeze})
     * @param epochs       epochs of stage 2 ({@code --stage2-epochs})
     * @param learningRate its learning rate ({@code --stage2-lr})
     */
    public record StageTwo(String unfreeze, int epochs, double learningRate) {
        public StageTwo {
            if (epochs < 1) {
                throw new UsageException("--stage2-epochs " + epochs + ": expected at least 1.");
            }
            if (!(learningRate > 0 && learningRate < 10)) {
                throw new UsageException(String.format(Locale.ROOT, "--stage2-lr %s: expected (0, 10).",
                        learningRate));
            }
        }
    }



    /** @return this configuration with another bundle name */
    public TrainConfig withName(String other) {
        return new TrainConfig(mode, other, backbone, fineTune, data, seed, balance);
    }

    /** @return this configuration with another freeze point (a resolved one, say) */
    public TrainConfig withFreezeUntil(String layer) {
        return new TrainConfig(mode, name, new BackboneSettings(backbone.model(), layer, backbone.architecture(),
                backbone.weights()), fineTune, data, seed, balance);
    }

    /** @return this configuration with other backbone settings */
    public TrainConfig withBackbone(BackboneSettings other) {
        return new TrainConfig(mode, name, other, fineTune, data, seed, balance);
    }

    /** @return this configuration with another way of feeding the trainable layers */
    public TrainConfig withPrefix(PrefixCache other) {
        return new TrainConfig(mode, name, backbone, new FineTuneSettings(fineTune.head(), fineTune.optimizer(),
                fineTune.schedule(), fineTune.stage2(), other), data, seed, balance);
    }

    /** @return this configuration with other data settings */
    public TrainConfig withData(DataSettings other) {
        return new TrainConfig(mode, name, backbone, fineTune, other, seed, balance);
    }

    /** @return this configuration with other class-imbalance settings */
    public TrainConfig withBalance(ClassBalance other) {
        return new TrainConfig(mode, name, backbone, fineTune, data, seed, other);
    }

    /** @return this configuration with another early-stopping criterion (an {@code auto} one resolved, say) */
    public TrainConfig withEarlyStopping(EarlyStopping other) {
        Schedule s = fineTune.schedule();
        return new TrainConfig(mode, name, backbone, new FineTuneSettings(fineTune.head(), fineTune.optimizer(),
                new Schedule(s.epochs(), s.batchSize(), other), fineTune.stage2(), fineTune.prefix()), data, seed,
                balance);
    }

    /** @return which backbone the run starts from and how it is made */
    public BackboneChoice backboneChoice() {
        return new BackboneChoice(backbone.model(), mode == Mode.SCRATCH, backbone.architecture(), backbone.weights());
    }

    /** @return the default root seed */
    public static long defaultSeed() {
        return Seeds.DEFAULT_SEED;
    }
}
