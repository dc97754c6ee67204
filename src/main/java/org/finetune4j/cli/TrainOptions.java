package org.finetune4j.cli;

import java.util.List;
import org.finetune4j.run.ClassBalance;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.stage.Folders;
import org.finetune4j.stage.TrainStage;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Training options shared by {@code train} and {@code pretrain}; defaults come from the config records. */
public final class TrainOptions {

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (stage 1). Default: ${DEFAULT-VALUE}.")
    int epochs = TrainConfig.Schedule.defaults().epochs();

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per batch. Default: ${DEFAULT-VALUE}.")
    int batchSize = TrainConfig.Schedule.defaults().batchSize();

    @Option(names = "--updater", paramLabel = "U", description = "adam, nesterov (SGD with Nesterov momentum) or "
            + "sgd. Default: ${DEFAULT-VALUE}.")
    String updater = OptimizerConfig.defaults().updater();

    @Option(names = {"--learning-rate", "--lr"}, paramLabel = "X",
            description = "Initial learning rate. Default: ${DEFAULT-VALUE}.")
    double learningRate = OptimizerConfig.defaults().learningRate();

    @Option(names = "--momentum", paramLabel = "X", description = "Momentum for nesterov. Default: ${DEFAULT-VALUE}.")
    double momentum = OptimizerConfig.defaults().momentum();

    @Option(names = "--schedule", paramLabel = "S", description = "Learning-rate schedule: constant, cosine or step. "
            + "Default: ${DEFAULT-VALUE}.")
    String schedule = OptimizerConfig.defaults().schedule();

    @Option(names = "--l1", paramLabel = "X", description = "L1 weight penalty. Default: ${DEFAULT-VALUE}.")
    double l1 = OptimizerConfig.defaults().l1();

    @Option(names = "--l2", paramLabel = "X", description = "L2 weight penalty. Default: ${DEFAULT-VALUE}.")
    double l2 = OptimizerConfig.defaults().l2();

    @Option(names = "--dropout", paramLabel = "P", description = "Drop probability in the head. Default: "
            + "${DEFAULT-VALUE}.")
    double dropout = HeadSpec.defaults().dropout();

    @Option(names = "--head-hidden", paramLabel = "N[,N...]", split = ",",
            description = "Hidden layer sizes of the new head; none for a single softmax layer. Default: none.")
    List<Integer> headHidden = List.of();

    @Option(names = "--head-activation", paramLabel = "A", description = "Activation of the head's hidden layers. "
            + "Default: ${DEFAULT-VALUE}.")
    String headActivation = HeadSpec.defaults().activation();

    @Option(names = "--head-batch-norm", description = "Batch normalisation after each hidden head layer.")
    boolean headBatchNorm;

    @Option(names = "--head-from", paramLabel = "LAYER", description = "Backbone layer the new head reads; the "
            + "layers after it are replaced. Default: the layer before the old predictions (fc2).")
    String headFrom;

    @Option(names = "--patience", paramLabel = "N", description = "Early stopping: epochs without improvement "
            + "before stopping; 0 turns it off (the best epoch is still kept). Default: ${DEFAULT-VALUE}.")
    int patience = EarlyStopping.defaults().patience();

    @Option(names = "--early-stopping-metric", paramLabel = "M", description = "val-loss, val-accuracy, "
            + "val-balanced-accuracy (mean per-class recall), or auto: val-balanced-accuracy when the training "
            + "split's imbalance ratio (largest class / smallest) is above 3, else val-loss. Default: "
            + "${DEFAULT-VALUE}.")
    String earlyStoppingMetric = EarlyStopping.defaults().metric();

    @Option(names = "--min-delta", paramLabel = "X", description = "Smallest improvement that counts. Default: "
            + "${DEFAULT-VALUE}.")
    double minDelta = EarlyStopping.defaults().minDelta();

    @Option(names = "--class-weights", paramLabel = "W", description = "Loss weight per class: none, balanced "
            + "(inverse class frequency, w_c = n / (K n_c) for n training images, K classes, n_c in class c), or a "
            + "CSV file of class,weight lines (one per class). Fine-tuning's loss and features mode's logistic "
            + "regression and SVM. Default: ${DEFAULT-VALUE}.")
    String classWeights = ClassBalance.defaults().classWeights();

    @Option(names = "--sampler", paramLabel = "S", description = "Fine-tuning's epoch order: shuffle (every "
            + "training image once per epoch) or balanced (as many seeded draws with replacement, each class equally "
            + "likely). Default: ${DEFAULT-VALUE}.")
    String sampler = ClassBalance.defaults().sampler();

    @Option(names = "--per-epoch-augment", description = "Fine-tuning: augment every epoch afresh and run the frozen "
            + "layers every epoch (in inference mode), instead of caching their outputs for --augment-copies copies.")
    boolean perEpochAugment = TrainConfig.PrefixCache.defaults().perEpoch();

    @Option(names = "--cache-budget", paramLabel = "GB", description = "Fine-tuning: the largest cache of frozen-layer "
            + "outputs a run writes, in GB; a run that needs more augments every epoch instead, and says so. "
            + "Default: ${DEFAULT-VALUE}.")
    double cacheBudgetGb = TrainConfig.PrefixCache.defaults().budgetGb();

    @Option(names = "--resume", description = "Continue the interrupted run of the same --name from the checkpoint "
            + "it left in models/<name>.checkpoint/.")
    boolean resume;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", description = "Fine-tuning: the least time "
            + "between two end-of-epoch checkpoints (0: after every epoch). A kill -9 loses the work since the last "
            + "one: at most this interval and the epoch under way. Ctrl-C always checkpoints. Default: "
            + "${DEFAULT-VALUE}.")
    long checkpointIntervalSeconds = org.finetune4j.train.Trainer.DEFAULT_CHECKPOINT_INTERVAL.toSeconds();

    @Mixin
    WeightsOptions weights;

    @Option(names = "--models-dir", paramLabel = "DIR", description = "Where bundles and checkpoints are written "
            + "and bundle backbones are looked up. Default: ${DEFAULT-VALUE}.")
    java.nio.file.Path modelsDir = org.finetune4j.model.Backbones.MODELS_DIR;

    @Option(names = "--reports-dir", paramLabel = "DIR", description = "Where the run's report folder is written. "
            + "Default: ${DEFAULT-VALUE}.")
    java.nio.file.Path reportsDir = java.nio.file.Path.of("eval", "reports");

    @Option(names = "--protocol", paramLabel = "P", description = "Evaluation protocol for the test split at the "
            + "end: center, ten-crop, multi-scale, or a "
            + "YAML file (eval/README.md). Default: the best of the shipped protocols and averaging rules on the "
            + "validation split (recorded in the bundle at training; evaluate uses the recorded choice).")
    String protocol;

    @Option(names = "--average", paramLabel = "A", description = "How crop predictions are combined: probs (mean of "
            + "the softmax probabilities) or log-probs (mean of the log-probabilities). Default: probs with a named "
            + "--protocol, else chosen with the protocol.")
    String average;

    /** @return where the run reads and writes and how it evaluates at the end */
    /** @return where a stage that prepares a run looks up bundle backbones and writes its report folder */
    Folders folders() {
        return new Folders(modelsDir, reportsDir);
    }

    TrainStage.Settings stageSettings() {
        return new TrainStage.Settings(modelsDir, reportsDir, protocol, average, resume,
                java.time.Duration.ofSeconds(checkpointIntervalSeconds));
    }

    OptimizerConfig optimizer() {
        return new OptimizerConfig(updater, learningRate, momentum, schedule, l1, l2);
    }

    HeadSpec head() {
        return new HeadSpec(headFrom, headHidden, headActivation, dropout, headBatchNorm);
    }

    ClassBalance balance() {
        return new ClassBalance(classWeights, sampler);
    }

    TrainConfig.Schedule schedule() {
        return new TrainConfig.Schedule(epochs, batchSize, new EarlyStopping(earlyStoppingMetric, patience,
                minDelta));
    }
}
