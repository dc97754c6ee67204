package org.finetune4j.model;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.weights.WeightInit;
import org.finetune4j.core.UsageException;
import org.nd4j.linalg.activations.Activation;

/** Activation and weight-initialisation names as the CLI and configs spell them. */
public final class Activations {
    private static final Map<String, Activation> ACTIVATIONS = new TreeMap<>(Map.of(
            "relu", Activation.RELU, "leakyrelu", Activation.LEAKYRELU, "elu", Activation.ELU,
            "tanh", Activation.TANH, "sigmoid", Activation.SIGMOID, "selu", Activation.SELU,
            "swish", Activation.SWISH, "identity", Activation.IDENTITY));
    private static final Map<String, WeightInit> INITS = new TreeMap<>(Map.of(
            "he", WeightInit.RELU, "he-uniform", WeightInit.RELU_UNIFORM, "xavier", WeightInit.XAVIER,
            "xavier-uniform", WeightInit.XAVIER_UNIFORM, "lecun", WeightInit.LECUN_NORMAL,
            "normal-0.01", WeightInit.NORMAL));

    private Activations() {
    }

    /** @throws UsageException naming the option and the valid names */
    public static Activation parse(String option, String name) {
        Activation a = ACTIVATIONS.get(name == null ? "" : name.toLowerCase(Locale.ROOT));
        if (a == null) {
            throw new UsageException(option + " " + name + ": unknown activation. Expected one of "
                    + String.join(", ", ACTIVATIONS.keySet()) + ".");
        }
        return a;
    }

    /** @throws UsageException naming the option and the valid names */
    public static WeightInit parseInit(String option, String name) {
        WeightInit w = INITS.get(name == null ? "" : name.toLowerCase(Locale.ROOT));
        if (w == null) {
            throw new UsageException(option + " " + name + ": unknown initialisation. Expected one of "
                    + String.join(", ", INITS.keySet()) + " (he for relu-like activations, xavier for tanh and "
                    + "sigmoid).");
        }
        return w;
    }
}
