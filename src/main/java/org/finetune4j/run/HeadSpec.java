package org.finetune4j.run;

import java.util.List;
import java.util.Locale;
import org.finetune4j.core.UsageException;
import org.finetune4j.model.Activations;

/**
 * The new classifier put on a backbone: optional hidden dense layers, then a softmax layer for the target classes.
 *
 * @param from       the backbone layer the head reads ({@code --head-from}); every layer after it (the old
 *                   classifier) is removed. Null means the backbone's default (the layer before {@code predictions},
 *                   e.g. {@code fc2}: the pretrained fully connected layers are kept)
 * @param hidden     sizes of hidden dense layers ({@code --head-hidden 256,128}); empty for a single softmax layer
 * @param activation activation of the hidden layers ({@code --head-activation}, default relu)
 * @param dropout    drop probability before each hidden and the output layer, in [0, 1) ({@code --dropout},
 *                   default 0.5 — Keras's convention: the fraction dropped, not DL4J's retain probability)
 * @param batchNorm  batch normalisation after each hidden layer ({@code --head-batch-norm})
 */
public record HeadSpec(String from, List<Integer> hidden, String activation, double dropout, boolean batchNorm) {
    public HeadSpec {
        hidden = hidden == null ? List.of() : List.copyOf(hidden);
        for (int h : hidden) {
            if (h < 1) {
                throw new UsageException("--head-hidden " + hidden + ": layer sizes must be positive.");
            }
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UsageException(String.format(Locale.ROOT, "--dropout %s: expected a drop probability in "
                    + "[0, 1), e.g. 0.5.", dropout));
        }
        Activations.parse("--head-activation", activation);
    }

    /** @return head from the backbone's default layer, no hidden layers, dropout 0.5, relu, no batch norm */
    public static HeadSpec defaults() {
        return new HeadSpec(null, List.of(), "relu", 0.5, false);
    }
}
