package org.finetune4j.run;

import java.util.Locale;
import org.finetune4j.core.UsageException;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * How weights are updated.
 *
 * @param updater      {@code adam} (default), {@code nesterov} (SGD with Nesterov momentum) or {@code sgd}
 * @param learningRate the initial learning rate, in (0, 10); default 1e-3
 * @param momentum     momentum for {@code nesterov}, in [0, 1); default 0.9
 * @param schedule     {@code constant} (default), {@code cosine} (annealed to 1% over the epochs) or {@code step}
 *                     (×0.1 at 50% and 75% of the epochs)
 * @param l1           L1 weight penalty, at least 0 ({@code --l1}); default 0
 * @param l2           L2 weight penalty, at least 0 ({@code --l2}); default 1e-4
 */
public record OptimizerConfig(String updater, double learningRate, double momentum, String schedule, double l1,
                              double l2) {
    public OptimizerConfig {
        if (!updater.equals("adam") && !updater.equals("nesterov") && !updater.equals("sgd")) {
            throw new UsageException("--updater " + updater + ": unknown updater. Expected adam, nesterov or sgd.");
        }
        if (!(learningRate > 0 && learningRate < 10)) {
            throw new UsageException(String.format(Locale.ROOT, "--learning-rate %s: expected a number in (0, 10), "
                    + "e.g. 1e-3.", learningRate));
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new UsageException(String.format(Locale.ROOT, "--momentum %s: expected [0, 1).", momentum));
        }
        if (!schedule.equals("constant") && !schedule.equals("cosine") && !schedule.equals("step")) {
            throw new UsageException("--schedule " + schedule + ": unknown schedule. Expected constant, cosine or "
                    + "step.");
        }
        if (!(l1 >= 0) || !(l2 >= 0)) {
            throw new UsageException(String.format(Locale.ROOT, "--l1 %s / --l2 %s: expected 0 or more.", l1, l2));
        }
    }

    /** @return Adam at 1e-3, constant, L2 1e-4 */
    public static OptimizerConfig defaults() {
        return new OptimizerConfig("adam", 1e-3, 0.9, "constant", 0.0, 1e-4);
    }

    /** @return a copy with another learning rate */
    public OptimizerConfig withLearningRate(double lr) {
        return new OptimizerConfig(updater, lr, momentum, schedule, l1, l2);
    }

    /** @return a copy with other penalties */
    public OptimizerConfig withRegularization(double newL1, double newL2) {
        return new OptimizerConfig(updater, learningRate, momentum, schedule, newL1, newL2);
    }

    /** @return DL4J's updater at a learning rate */
    public IUpdater toUpdater(double lr) {
        return switch (updater) {
            case "nesterov" -> new Nesterovs(lr, momentum);
            case "sgd" -> new Sgd(lr);
            default -> new Adam(lr);
        };
    }

    /** @return the learning rate of an epoch (0-based) out of {@code epochs} */
    public double learningRateAt(int epoch, int epochs) {
        return switch (schedule) {
            case "cosine" -> {
                double t = epochs <= 1 ? 0 : (double) epoch / (epochs - 1);
                yield learningRate * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * t)));
            }
            case "step" -> learningRate * (epoch >= 0.75 * epochs ? 0.01 : epoch >= 0.5 * epochs ? 0.1 : 1.0);
            default -> learningRate;
        };
    }
}
