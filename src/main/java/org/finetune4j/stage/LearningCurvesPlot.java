package org.finetune4j.stage;

import java.nio.file.Path;
import org.finetune4j.report.LearningCurves;
import org.finetune4j.report.Plots;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.EpochStats;
import org.finetune4j.run.History;

/** Turns a training {@link History} into the plain curves {@link Plots} draws (report knows nothing of training). */
public final class LearningCurvesPlot {
    private LearningCurvesPlot() {
    }

    static void write(Path png, String title, History h, EarlyStopping criterion) {
        LearningCurves curves = curves(h, criterion);
        if (curves != null) {
            Plots.learningCurves(png, "Learning curves: " + title, curves);
        }
    }

    /**
     * @param criterion what chose the best epoch
     * @return the curves of a history, or null when no epoch ran
     */
    public static LearningCurves curves(History h, EarlyStopping criterion) {
        int n = h.epochs().size();
        if (n == 0) {
            return null;
        }
        int[] epochs = new int[n];
        double[] trainLoss = new double[n];
        double[] valLoss = new double[n];
        double[] trainAcc = new double[n];
        double[] valAcc = new double[n];
        Integer stageBoundary = null;
        for (int i = 0; i < n; i++) {
            EpochStats e = h.epochs().get(i);
            epochs[i] = e.epoch();
            trainLoss[i] = e.trainLoss();
            valLoss[i] = e.valLoss();
            trainAcc[i] = e.trainAccuracy();
            valAcc[i] = e.valAccuracy();
            if (e.stage() == 2 && stageBoundary == null) {
                stageBoundary = e.epoch();
            }
        }
        LearningCurves curves = LearningCurves.of(epochs, trainLoss, valLoss, trainAcc, valAcc);
        if (h.bestEpoch() > 0) {
            EpochStats best = h.best();
            curves = best == null ? curves.withBestEpoch(h.bestEpoch())
                    : curves.withBestEpoch(h.bestEpoch(), metricName(criterion, best));
        }
        if (stageBoundary != null) {
            curves = curves.withStageBoundaryEpoch(stageBoundary);
        }
        return curves;
    }

    /**
     * The metric that chose the best epoch, in words: the early-stopping metric, or its training twin when there
     * was no validation split ({@link EarlyStopping#score} falls back the same way).
     */
    static String metricName(EarlyStopping criterion, EpochStats best) {
        boolean loss = criterion.isLoss();
        boolean balanced = criterion.metric().equals(EarlyStopping.VAL_BALANCED_ACCURACY);
        if (balanced && !Double.isNaN(best.valBalancedAccuracy())) {
            return "val balanced accuracy";
        }
        boolean noVal = Double.isNaN(loss ? best.valLoss() : best.valAccuracy());
        return (noVal ? "train " : "val ") + (loss ? "loss" : "accuracy");
    }

    /** @return e.g. {@code "best epoch 1 of 2 by val loss 0.512"}, or null when no epoch was kept */
    public static String bestEpochPhrase(History h, EarlyStopping criterion) {
        EpochStats best = h.best();
        if (best == null) {
            return null;
        }
        String metric = metricName(criterion, best);
        double value = switch (metric) {
            case "val loss" -> best.valLoss();
            case "train loss" -> best.trainLoss();
            case "val accuracy" -> best.valAccuracy();
            case "val balanced accuracy" -> best.valBalancedAccuracy();
            default -> best.trainAccuracy();
        };
        return String.format(java.util.Locale.ROOT, "best epoch %d of %d by %s %.3f", best.epoch(),
                h.epochs().size(), metric, value);
    }
}
