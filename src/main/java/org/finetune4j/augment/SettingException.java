package org.finetune4j.augment;

import org.finetune4j.core.UsageException;

/**
 * A step's setting is out of its domain; carries the key so that {@link RecipeLoader} can name the line it is on.
 * Messages follow the project format and start with the step and key, e.g.
 * {@code step "rotate", degrees: outside [-180, 180]. Expected ...; received [-200, 10]. ...}.
 */
final class SettingException extends UsageException {
    private final String key;

    SettingException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** @return the recipe key the message is about */
    String key() {
        return key;
    }

    /**
     * @return {@code range} if it lies inside {@code [lo, hi]}
     * @throws SettingException otherwise
     */
    static Range requireWithin(String step, String key, Range range, double lo, double hi, String unit) {
        if (!range.within(lo, hi)) {
            throw new SettingException(key, "step \"" + step + "\", " + key + ": " + range + " goes outside the "
                    + "allowed values. Expected values from " + Range.number(lo) + " to " + Range.number(hi)
                    + (unit.isEmpty() ? "" : " " + unit) + "; received " + range + ". Use a range inside those "
                    + "bounds (augment/README.md explains the key).");
        }
        return range;
    }

    /**
     * @return {@code value} if it lies inside {@code [lo, hi]}
     * @throws SettingException otherwise
     */
    static int requireWithin(String step, String key, int value, int lo, int hi, String unit) {
        if (value < lo || value > hi) {
            throw new SettingException(key, "step \"" + step + "\", " + key + ": " + value + " is out of range. "
                    + "Expected a whole number from " + lo + " to " + hi + (unit.isEmpty() ? "" : " " + unit)
                    + "; received " + value + ". Use a value inside those bounds (augment/README.md explains the "
                    + "key).");
        }
        return value;
    }
}
