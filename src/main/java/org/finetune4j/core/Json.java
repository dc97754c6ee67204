package org.finetune4j.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The project's JSON and YAML mappers: kebab-case keys (the same words as the CLI options), sorted map keys, pretty
 * printing, unknown keys rejected.
 */
public final class Json {
    private static final ObjectMapper JSON = configure(new ObjectMapper());
    private static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()));

    private Json() {
    }

    private static ObjectMapper configure(ObjectMapper m) {
        m.setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE);
        m.enable(SerializationFeature.INDENT_OUTPUT);
        m.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        return m;
    }

    /** @return the shared JSON mapper (thread-safe once configured; do not reconfigure) */
    public static ObjectMapper mapper() {
        return JSON;
    }

    /** @return the shared YAML mapper */
    public static ObjectMapper yaml() {
        return YAML;
    }

    /** @return the value as pretty-printed JSON */
    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
