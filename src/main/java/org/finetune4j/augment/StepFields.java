package org.finetune4j.augment;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.finetune4j.core.UsageException;

/**
 * The keys of one step in a recipe file, each with the line it is on, read into typed values with messages that name
 * the file and line. Used by {@link Steps} to turn a step's keys into its settings.
 */
final class StepFields {

    /**
     * One key's value.
     *
     * @param value the YAML value
     * @param line  the line of the key, 1-based
     */
    record Field(JsonNode value, int line) {
    }

    private final String where;
    private final String step;
    private final int stepLine;
    private final Map<String, Field> fields;

    StepFields(String where, String step, int stepLine, Map<String, Field> fields) {
        this.where = where;
        this.step = step;
        this.stepLine = stepLine;
        this.fields = fields;
    }

    /** @return the line of the key, or of the step if the key is absent */
    int lineOf(String key) {
        Field f = fields.get(key);
        return f == null ? stepLine : f.line();
    }

    /** @return the range written as {@code [min, max]}, or {@code absent} if the key is missing */
    Range range(String key, Range absent) {
        Field f = fields.get(key);
        if (f == null) {
            return absent;
        }
        JsonNode v = f.value();
        if (!v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber()) {
            throw error(key, "\"" + key + "\" of step \"" + step + "\" is not a range. Expected [min, max], two "
                    + "numbers; received " + show(v) + ". Write it like " + key + ": " + absent + ".");
        }
        double min = v.get(0).asDouble();
        double max = v.get(1).asDouble();
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            throw error(key, "\"" + key + "\" of step \"" + step + "\" has a bound that is not a finite number. "
                    + "Expected [min, max], two finite numbers; received " + show(v) + ". Write finite numbers.");
        }
        if (min > max) {
            throw error(key, "\"" + key + "\" of step \"" + step + "\" is an empty range. Expected [min, max] with "
                    + "min <= max; received " + show(v) + ". Swap the two numbers.");
        }
        return new Range(min, max);
    }

    /** @return a range of whole numbers (e.g. pixels), or {@code absent} if the key is missing */
    Range wholeRange(String key, Range absent) {
        Range r = range(key, absent);
        if (r != absent && (r.min() != Math.rint(r.min()) || r.max() != Math.rint(r.max()))) {
            throw error(key, "\"" + key + "\" of step \"" + step + "\" is not a range of whole numbers. Expected "
                    + "[min, max] in whole pixels; received " + r + ". Round the numbers.");
        }
        return r;
    }

    /** @return a whole number, or {@code absent} if the key is missing */
    int wholeNumber(String key, int absent) {
        Field f = fields.get(key);
        if (f == null) {
            return absent;
        }
        JsonNode v = f.value();
        if (!v.isNumber() || v.asDouble() != Math.rint(v.asDouble()) || Math.abs(v.asDouble()) > Integer.MAX_VALUE) {
            throw error(key, "\"" + key + "\" of step \"" + step + "\" is not a whole number. Expected a whole "
                    + "number of pixels; received " + show(v) + ". Write e.g. " + key + ": " + absent + ".");
        }
        return v.asInt();
    }

    /** @return the border mode named by the key, or {@code absent} if the key is missing */
    Border border(String key, Border absent) {
        Field f = fields.get(key);
        if (f == null) {
            return absent;
        }
        String known = Arrays.stream(Border.values()).map(Border::key).collect(Collectors.joining(", "));
        if (!f.value().isTextual() || Border.fromKey(f.value().asText()).isEmpty()) {
            throw error(key, "\"" + key + "\" of step \"" + step + "\" is not a border mode. Expected one of "
                    + known + "; received " + show(f.value()) + ". Use one of those words.");
        }
        return Border.fromKey(f.value().asText()).orElseThrow();
    }

    /** @return a usage error naming the file and the key's line */
    UsageException error(String key, String message) {
        return new UsageException(where + " line " + lineOf(key) + ": " + message);
    }

    /** @return a YAML value as the user would recognise it: text quoted, lists in brackets */
    static String show(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return "nothing";
        }
        if (v.isTextual()) {
            return "\"" + v.asText() + "\"";
        }
        if (v.isArray()) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < v.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(show(v.get(i)));
            }
            return b.append(']').toString();
        }
        if (v.isNumber()) {
            return Range.number(v.asDouble());
        }
        return v.toString();
    }
}
