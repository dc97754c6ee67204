package org.finetune4j.tune;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.DataException;
import org.finetune4j.core.UsageException;
import org.finetune4j.model.Backbones;
import org.finetune4j.run.EpochStats;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.run.TrainResult;
import org.finetune4j.train.Trainer;

/**
 * Scores a trial with a short fine-tuning run: the base configuration with the trial's learning rate, L2 penalty
 * and (if searched) dropout, head width and freeze point, trained for a few epochs by {@link Trainer} with the same
 * seeded split as {@code train}. The score is the validation accuracy of the epoch early stopping keeps. The trial's
 * bundle is written under the search folder and deleted once scored, so trials never pile up in {@code models/}.
 * <pre>{@code
 * Objective o = new FineTuneObjective(base, 5, Path.of("models"), searchDir.resolve("trials"), log);
 * }</pre>
 */
public final class FineTuneObjective implements Objective {

    private final TrainConfig base;
    private final int trialEpochs;
    private final Path modelsDir;
    private final Path trialsDir;
    private final Consumer<String> log;

    /**
     * @param base        every option the trials share ({@code train}'s options)
     * @param trialEpochs epochs per trial, at least 1 ({@code --trial-epochs})
     * @param modelsDir   where bundle backbones are found
     * @param trialsDir   scratch folder for the trials' bundles (emptied as trials finish)
     * @param log         receives notes (not the epoch lines)
     */
    public FineTuneObjective(TrainConfig base, int trialEpochs, Path modelsDir, Path trialsDir,
                             Consumer<String> log) {
        if (trialEpochs < 1) {
            throw new UsageException("--trial-epochs " + trialEpochs + ": expected at least 1.");
        }
        this.base = base;
        this.trialEpochs = trialEpochs;
        this.modelsDir = modelsDir;
        this.trialsDir = trialsDir;
        this.log = log;
    }

    /** @return the base configuration with the trial's values (and the trial's epochs and name) */
    public TrainConfig configFor(TrialParams p, int index) {
        HeadSpec h = base.head();
        List<Integer> hidden = p.headWidth() == null ? h.hidden() : p.headWidth() == 0 ? List.of()
                : List.of(p.headWidth());
        HeadSpec head = new HeadSpec(h.from(), hidden, h.activation(), p.dropout() == null ? h.dropout()
                : p.dropout(), h.batchNorm());
        // a bundle backbone named by its folder name lives in modelsDir, but the trial's Trainer writes elsewhere
        String model = Backbones.find(base.model()).isPresent() ? base.model()
                : Backbones.findBundle(base.model(), modelsDir).map(Path::toString).orElse(base.model());
        TrainConfig.Schedule s = base.schedule();
        return new TrainConfig(base.mode(), "trial-" + index,
                new TrainConfig.BackboneSettings(model, p.freezeUntil() == null ? base.freezeUntil() : p.freezeUntil(), base.architecture(), base.weights()),
                new TrainConfig.FineTuneSettings(head, base.optimizer().withLearningRate(p.learningRate()).withRegularization(base.optimizer().l1(), p.l2()), new TrainConfig.Schedule(trialEpochs, s.batchSize(), s.earlyStopping()), null), base.data(), base.seed(), base.balance());
    }

    @Override
    public TrialScore score(TrialParams p, int index) {
        long started = System.nanoTime();
        TrainConfig cfg = configFor(p, index);
        Path bundle = trialsDir.resolve(cfg.name());
        AtomicFiles.deleteTree(bundle);
        AtomicFiles.deleteTree(trialsDir.resolve(cfg.name() + ".checkpoint"));
        try {
            TrainResult r = new Trainer(trialsDir, line -> { }).run(cfg, false, () -> false, (st, h, t) -> { });
            EpochStats best = r.history().best();
            double seconds = (System.nanoTime() - started) / 1e9;
            if (best == null || Double.isNaN(best.valAccuracy())) {
                return TrialScore.failed("no validation accuracy (empty validation split?)", seconds);
            }
            double score = Double.isFinite(best.valLoss()) ? best.valAccuracy() : Double.NaN;
            return new TrialScore(score, best.valLoss(), r.testAccuracy(), seconds,
                    Double.isNaN(score) ? "validation loss not finite (diverged)" : null);
        } catch (UsageException | DataException e) {
            throw e;
        } catch (RuntimeException e) {
            log.accept("trial " + index + " failed: " + e);
            return TrialScore.failed(e.toString(), (System.nanoTime() - started) / 1e9);
        } finally {
            AtomicFiles.deleteTree(bundle);
            AtomicFiles.deleteTree(trialsDir.resolve(cfg.name() + ".checkpoint"));
        }
    }
}
