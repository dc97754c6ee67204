package org.finetune4j.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.finetune4j.core.Json;
import org.finetune4j.model.Preprocessing;

/**
 * The configuration a run actually ran with: every option resolved (the freeze point too), the data's classes, and,
 * once the backbone is loaded, its name and preprocessing. It is what a checkpoint stores, what {@code --resume}
 * compares with the command line, and what a bundle records as its training configuration. Stored as JSON: the
 * {@link TrainConfig} keys, plus {@code labels}, {@code backbone-name} and {@code preprocessing}.
 *
 * @param config        the configuration, freeze point resolved
 * @param labels        the classes in output order
 * @param backbone      the backbone's name as bundles record it, or null before it is loaded
 * @param preprocessing the backbone's preprocessing, or null before it is loaded
 */
public record ResolvedRun(TrainConfig config, List<String> labels, String backbone, Preprocessing preprocessing) {

    public ResolvedRun {
        labels = List.copyOf(labels);
    }

    /** @return this run with its backbone's name and preprocessing */
    public ResolvedRun withBackbone(String name, Preprocessing pre) {
        return new ResolvedRun(config, labels, name, pre);
    }

    /** @return the JSON form (numbers as they read back from text, so that stored and fresh trees compare) */
    public JsonNode toJson() {
        ObjectNode node = Json.mapper().valueToTree(config);
        node.set("labels", Json.mapper().valueToTree(labels));
        if (backbone != null) {
            node.put("backbone-name", backbone);
        }
        if (preprocessing != null) {
            node.set("preprocessing", Json.mapper().valueToTree(preprocessing));
        }
        try {
            return Json.mapper().readTree(Json.mapper().writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the run configuration cannot be written as JSON", e);
        }
    }

    /** Reads the JSON form back ({@link #toJson()}). */
    public static ResolvedRun fromJson(JsonNode node) {
        ObjectNode config = node.deepCopy();
        config.remove(List.of("labels", "backbone-name", "preprocessing"));
        List<String> labels = new ArrayList<>();
        node.path("labels").forEach(l -> labels.add(l.asText()));
        Preprocessing pre = node.hasNonNull("preprocessing")
                ? Json.mapper().convertValue(node.get("preprocessing"), Preprocessing.class) : null;
        return new ResolvedRun(Json.mapper().convertValue(config, TrainConfig.class), labels,
                node.hasNonNull("backbone-name") ? node.get("backbone-name").asText() : null, pre);
    }

    /**
     * @return the options whose resolved values differ between this run and {@code other}, as paths of the JSON form
     *         (e.g. {@code fine-tune.schedule.epochs}, {@code backbone.freeze-until}); labels, backbone and
     *         preprocessing are not compared
     */
    public List<String> optionsDifferingFrom(ResolvedRun other) {
        List<String> differing = new ArrayList<>();
        if (!config.equals(other.config)) {
            collectDifferences("", Json.mapper().valueToTree(config), Json.mapper().valueToTree(other.config),
                    differing);
        }
        return differing;
    }

    private static void collectDifferences(String path, JsonNode mine, JsonNode theirs, List<String> out) {
        if (mine.isObject() && theirs != null && theirs.isObject()) {
            mine.fieldNames().forEachRemaining(k -> collectDifferences(path.isEmpty() ? k : path + "." + k,
                    mine.get(k), theirs.get(k), out));
        } else if (!mine.equals(theirs)) {
            out.add(path);
        }
    }
}
