package org.finetune4j.run;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.finetune4j.core.Backend;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.DataSettings;
import org.finetune4j.data.TrainingData;
import org.finetune4j.model.BackboneLoader;

/**
 * The one way a run is set up, whatever its mode: the native backend, the seeds, the freeze point resolved from the
 * backbone's default, the data scanned, split and screened; then, when the mode needs it, the backbone.
 * <pre>{@code
 * RunSetup setup = new RunSetup(Path.of("models"), System.err::println);
 * PreparedRun run = setup.prepare(config);
 * BackboneLoader.Loaded backbone = setup.backbone(run);
 * }</pre>
 */
public final class RunSetup {

    private final Consumer<String> log;
    private final BackboneLoader loader;

    /**
     * @param modelsDir where bundle backbones are found
     * @param log       receives one-line notes for the user (skipped files, downloads)
     */
    public RunSetup(Path modelsDir, Consumer<String> log) {
        this.log = log;
        this.loader = new BackboneLoader(modelsDir, log);
    }

    /**
     * Sets the run up. The backend first (DL4J decides per layer, when a network is built, whether it gets a oneDNN
     * helper), then ND4J seeded, the freeze point resolved (an unknown {@code --model} fails here, before the data
     * is read), the pretrained weights fetched (downloaded once; a failure stops the run before any work), and the
     * data prepared; then early stopping's {@code auto} metric resolved from the training split's imbalance
     * ({@link EarlyStopping#resolve}) and a class-weights file checked.
     *
     * @throws org.finetune4j.core.UsageException  for an unknown backbone
     * @throws org.finetune4j.core.DataException   for unusable data
     */
    public PreparedRun prepare(TrainConfig cfg) {
        return prepare(cfg, (settings, seeds) -> TrainingData.prepare(settings, seeds, log));
    }

    /**
     * Sets the run up as {@link #prepare(TrainConfig)} does, with the data prepared by {@code data} at the same point
     * (after the backbone and its weights are checked): e.g. a folder listed and checked through Hadoop, then given
     * to {@link TrainingData#prepare(org.finetune4j.data.ImageFolder, org.finetune4j.data.DataSettings,
     * org.finetune4j.data.FileChecks, Seeds, Consumer)}.
     *
     * @param data prepares the run's data settings with its seeds
     */
    public PreparedRun prepare(TrainConfig cfg, BiFunction<DataSettings, Seeds, TrainingData> data) {
        Backend.setUp();
        Seeds seeds = Seeds.of(cfg.seed());
        seeds.applyToNd4j();
        String freezeUntil = freezeUntil(cfg, loader.defaultFreezeUntil(cfg.backboneChoice()));
        fetchWeights(cfg);
        TrainingData prepared = data.apply(cfg.data(), seeds);
        PreparedRun run = new PreparedRun(cfg.withFreezeUntil(freezeUntil), seeds, prepared, Backend.describe());
        // early stopping's auto metric follows the imbalance; a class-weights file is checked before any work
        Imbalance imbalance = run.imbalance();
        EarlyStopping stopping = cfg.schedule().earlyStopping();
        run = new PreparedRun(run.config().withEarlyStopping(stopping.resolve(imbalance)), seeds, prepared,
                run.backend());
        run.classWeights();
        if (imbalance.high()) {
            log.accept(imbalance.reason() + (stopping.metric().equals(EarlyStopping.AUTO) && cfg.mode() != Mode.FEATURES
                    ? "; early stopping uses val-balanced-accuracy" : ""));
        }
        return run;
    }

    /**
     * Fetches the backbone's pretrained weights before any other work (a first run downloads them into the cache);
     * when that fails, the message says how to try the pipeline offline. {@link #prepare} calls it first; a command
     * that prepares many runs (the search) calls it once before the first.
     */
    public void fetchWeights(TrainConfig cfg) {
        String offline = " To try finetune4j offline meanwhile: --model " + TrainConfig.DEFAULT_MODEL
                + " (the shipped demo backbone, pretrained on synthetic shapes).";
        try {
            loader.weights(cfg.backboneChoice());
        } catch (DataException e) {
            throw new DataException(e.getMessage() + offline, e);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(e.getMessage() + offline, e.getCause());
        }
    }

    /** @return the run's backbone, loaded (pretrained weights fetched once into the cache) or freshly built */
    public BackboneLoader.Loaded backbone(PreparedRun run) {
        TrainingData data = run.data();
        return loader.load(run.config().backboneChoice(), data.classes(), data.split().train(), data.decoder(),
                run.seeds());
    }

    /**
     * The freeze point a run uses: nothing for mode {@code scratch} or {@code --freeze-until none}, the user's layer,
     * or else the backbone's default. It is what bundles and checkpoints record, so {@code --resume} compares
     * resolved values.
     *
     * @param backboneDefault the backbone's default freeze point, or null (nothing frozen)
     * @return the last frozen layer, or null for none
     */
    public static String freezeUntil(TrainConfig cfg, String backboneDefault) {
        if (cfg.mode() == Mode.SCRATCH || "none".equals(cfg.freezeUntil())) {
            return null;
        }
        return cfg.freezeUntil() != null ? cfg.freezeUntil() : backboneDefault;
    }
}
