package org.finetune4j.run;

import java.util.Locale;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.DataSettings;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.model.BackboneChoice;
import org.finetune4j.model.WeightsSettings;

/**
 * Everything {@code train} and {@code pretrain} need: the resolved configuration, echoed at the start of a run and
 * stored in the bundle and the report.
 *
 * @param mode          {@code finetune} (new head on a pretrained backbone, early layers frozen) or {@code scratch}
 *                      (the same architecture, freshly initialised, nothing frozen) or {@code features} (frozen
 *                      backbone as feature extractor plus a linear classifier: {@code features.FeatureTrainer})
 * @param model         the backbone ({@code --model}): a built-in name or a bundle
 * @param name          the bundle to write, under {@code models/} ({@code --name})
 * @param freezeUntil   the last frozen layer, null for the backbone's default; {@code none} freezes nothing
 * @param head          the new head
 * @param optimizer     updater, learning rate, schedule, L1/L2
 * @param schedule      epochs, batch size and early stopping
 * @param stage2        the optional unfrozen second stage, or null
 * @param data          the data folder, split, augmentation and bad-image policy
 * @param architecture  for {@code pretrain} and {@code scratch}: initialisation and activation of a fresh network
 * @param weights       where the pretrained weights of {@code vgg16}/{@code vgg19} come from
 * @param seed          the root seed
 */
public record TrainConfig(Mode mode, String model, String name, String freezeUntil, HeadSpec head,
                          OptimizerConfig optimizer, Schedule schedule, StageTwo stage2, DataSettings data,
                          ArchitectureSettings architecture, WeightsSettings weights, long seed) {

    public TrainConfig {
        if (mode == null) {
            throw new UsageException("--mode: missing. Expected " + java.util.Arrays.toString(Mode.values()) + ".");
        }
        if (name == null || name.isBlank() || name.contains("/") || name.startsWith(".")) {
            throw new UsageException("--name " + name + ": expected a plain folder name for models/<name>, e.g. "
                    + "photos-finetuned.");
        }
    }

    /**
     * @param epochs        epochs of stage 1, at least 1 ({@code --epochs})
     * @param batchSize     images per batch, at least 1 ({@code --batch-size})
     * @param earlyStopping when to stop; the best epoch's weights are kept
     */
    public record Schedule(int epochs, int batchSize, EarlyStopping earlyStopping) {
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



    /** @return this configuration with another freeze point (a resolved one, say) */
    public TrainConfig withFreezeUntil(String layer) {
        return new TrainConfig(mode, model, name, layer, head, optimizer, schedule, stage2, data, architecture, weights,
                seed);
    }

    /** @return which backbone the run starts from and how it is made */
    public BackboneChoice backbone() {
        return new BackboneChoice(model, mode == Mode.SCRATCH, architecture, weights);
    }

    /** @return the default root seed */
    public static long defaultSeed() {
        return Seeds.DEFAULT_SEED;
    }
}
