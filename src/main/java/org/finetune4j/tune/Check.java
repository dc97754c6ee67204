package org.finetune4j.tune;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one sanity check.
 *
 * @param name     short kebab-case name, e.g. {@code initial-loss}
 * @param status   pass, warn or fail
 * @param measured the numbers the verdict rests on, in a fixed order
 * @param expected what a healthy setup gives, in words and numbers
 * @param causes   on warn or fail: what usually causes it; empty on pass
 */
public record Check(String name, Status status, Map<String, Double> measured, String expected, String causes) {

    /** A check's verdict. */
    public enum Status {
        /** As expected. */
        PASS,
        /** Unusual but not necessarily broken. */
        WARN,
        /** Broken: fix this before training for hours. */
        FAIL;

        /** @return the lower-case word shown in tables and JSON */
        @com.fasterxml.jackson.annotation.JsonValue
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Check {
        measured = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(measured));
        causes = status == Status.PASS ? "" : causes;
    }
}
