package org.finetune4j.core;

/** Placeholder until the backend set-up lands (replaced in the same change). */
public final class Backend {
    private Backend() {
    }

    /** Sets up the backend. */
    public static void setUp() {
    }
}
