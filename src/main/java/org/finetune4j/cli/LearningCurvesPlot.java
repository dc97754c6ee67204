package org.finetune4j.cli;

import java.nio.file.Path;
import org.finetune4j.report.LearningCurves;
import org.finetune4j.report.Plots;
import org.finetune4j.train.EpochStats;
import org.finetune4j.train.History;

/** Turns a training {@link History} into the plain curves {@link Plots} draws (report knows nothing of training). */
final class LearningCurvesPlot {
    private LearningCurvesPlot() {
    }

    static void write(Path png, String title, History h) {
        LearningCurves curves = curves(h);
        if (curves != null) {
            Plots.learningCurves(png, "Learning curves: " + title, curves);
        }
    }

    /** @return the curves of a history, or null when no epoch ran */
    static LearningCurves curves(History h) {
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
            curves = curves.withBestEpoch(h.bestEpoch());
        }
        if (stageBoundary != null) {
            curves = curves.withStageBoundaryEpoch(stageBoundary);
        }
        return curves;
    }
}
