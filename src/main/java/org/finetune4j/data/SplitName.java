package org.finetune4j.data;

import java.util.Locale;

/** The three parts of a dataset. */
public enum SplitName {
    /** Images the model learns from. */
    TRAIN,
    /** Images for early stopping and model selection. */
    VAL,
    /** Images held out for the final evaluation. */
    TEST;

    /** @return the lower-case name used in folders, reports and JSON ({@code train}, {@code val}, {@code test}) */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
