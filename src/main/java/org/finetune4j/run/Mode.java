package org.finetune4j.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.finetune4j.core.UsageException;

/**
 * How a run uses its backbone ({@code --mode}); written in lower case in configurations and bundles.
 * <pre>{@code
 * Mode m = Mode.parse("features");   // Mode.FEATURES
 * }</pre>
 */
public enum Mode {
    /** A new head on the pretrained backbone, the layers up to the freeze point frozen. */
    FINETUNE,
    /** The backbone's architecture freshly initialised, nothing frozen: the baseline fine-tuning must beat. */
    SCRATCH,
    /** The frozen backbone as a cached feature extractor, and a linear classifier on its features. */
    FEATURES;

    /** @return the name as typed and stored: {@code finetune}, {@code scratch}, {@code features} */
    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param s a mode as typed ({@code --mode}) or stored
     * @throws UsageException naming the valid modes
     */
    @JsonCreator
    public static Mode parse(String s) {
        for (Mode m : values()) {
            if (m.key().equals(s)) {
                return m;
            }
        }
        throw new UsageException("--mode " + s + ": unknown mode. Expected "
                + Arrays.stream(values()).map(Mode::key).collect(Collectors.joining(", ")) + ".");
    }

    @Override
    public String toString() {
        return key();
    }
}
