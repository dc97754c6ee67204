package org.finetune4j.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.finetune4j.core.Json;
import org.finetune4j.core.RunInfo;

/**
 * The metadata of a trained model, stored as {@code bundle.json} beside {@code model.zip}: everything needed to use
 * the model and to know how it was made. Paths inside are relative (to the data root or the bundle), never absolute.
 * In {@code bundle.json} the fields of {@link Origin} and {@link DataOrigin} stand at the top level, beside the others
 * (the layout of format version 1, which {@link #toJson()} and {@link #fromJson} keep).
 *
 * @param formatVersion version of this layout; loading refuses versions it does not know
 * @param name          the bundle's name (its folder name)
 * @param labels        class names in output order
 * @param preprocessing what images go through before the network
 * @param origin        how the model was made: backbone, freeze point, feature layer, mode, configuration
 * @param data          what it was trained and tested on
 * @param metrics       headline metrics (e.g. {@code test-accuracy}), may be empty
 * @param runInfo       versions, platform, seed and creation time
 * @param modelSha256   SHA-256 of {@code model.zip}, verified before the model is restored
 * @param evaluationProtocol the crop protocol and averaging chosen on the validation split, or null when none was
 *                      chosen (bundles made before, or trained with {@code --protocol})
 */
public record ModelBundle(int formatVersion, String name, List<String> labels, Preprocessing preprocessing,
                          Origin origin, DataOrigin data, Map<String, Double> metrics,
                          RunInfo runInfo, String modelSha256, EvaluationProtocol evaluationProtocol) {

    /** @return a bundle with no evaluation protocol chosen */
    public ModelBundle(int formatVersion, String name, List<String> labels, Preprocessing preprocessing,
                       Origin origin, DataOrigin data, Map<String, Double> metrics, RunInfo runInfo,
                       String modelSha256) {
        this(formatVersion, name, labels, preprocessing, origin, data, metrics, runInfo, modelSha256, null);
    }

    /**
     * The evaluation protocol chosen for the bundle on its validation split: {@code evaluate} uses it unless told
     * otherwise.
     *
     * @param protocol        a shipped protocol's name ({@code center}, {@code ten-crop}, {@code multi-scale})
     * @param averaging       {@code probs} or {@code log-probs}
     * @param validationTop1  its top-1 accuracy on the validation split
     * @param validationImages the validation images it was chosen on
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EvaluationProtocol(String protocol, String averaging, double validationTop1, int validationImages) {
    }

    /** The bundle layout this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /**
     * How the model was made.
     *
     * @param backbone     the backbone it was made from ({@code vgg16}, {@code mini-vgg-shapes}, a bundle name …)
     * @param freezeUntil  the last frozen layer, or null when nothing was frozen
     * @param featureLayer for mode {@code features}: the layer the linear head reads; otherwise null
     * @param mode         {@code finetune}, {@code features} or {@code scratch}
     * @param config       the full resolved training configuration, or null
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Origin(String backbone, String freezeUntil, String featureLayer, String mode, JsonNode config) {
        public Origin {
            // Jackson reads a JSON null into a JsonNode property as NullNode; keep one representation of "absent"
            config = config == null || config.isNull() ? null : config;
        }
    }

    /**
     * What the model was trained and tested on.
     *
     * @param dataRoot        the data folder as the user named it, or null
     * @param dataFingerprint fingerprint of the training data (file list, sizes and hashes), or null
     * @param testSplit       relative paths of the held-out test images, so {@code evaluate} can reuse them
     * @param validationSplit relative paths of the validation images (calibration, reject thresholds); empty in
     *                        bundles written before it was recorded
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DataOrigin(String dataRoot, JsonNode dataFingerprint, List<String> testSplit,
                             List<String> validationSplit) {
        public DataOrigin {
            dataFingerprint = dataFingerprint == null || dataFingerprint.isNull() ? null : dataFingerprint;
            testSplit = testSplit == null ? List.of() : List.copyOf(testSplit);
            validationSplit = validationSplit == null ? List.of() : List.copyOf(validationSplit);
        }

        /** @return data without a recorded validation split */
        public DataOrigin(String dataRoot, JsonNode dataFingerprint, List<String> testSplit) {
            this(dataRoot, dataFingerprint, testSplit, List.of());
        }

        /** @return no data recorded */
        public static DataOrigin none() {
            return new DataOrigin(null, null, List.of());
        }
    }

    public ModelBundle {
        labels = labels == null ? null : List.copyOf(labels);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        origin = origin == null ? new Origin(null, null, null, null, null) : origin;
        data = data == null ? DataOrigin.none() : data;
    }

    /**
     * Reads the layout of {@code bundle.json}, where the fields of {@link Origin} and {@link DataOrigin} stand at the
     * top level.
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ModelBundle fromJson(JsonNode n) {
        ObjectMapper m = Json.mapper();
        return new ModelBundle(n.path("format-version").asInt(-1), n.path("name").asText(null),
                m.convertValue(n.get("labels"), new TypeReference<List<String>>() { }),
                m.convertValue(n.get("preprocessing"), Preprocessing.class), m.convertValue(n, Origin.class),
                m.convertValue(n, DataOrigin.class),
                m.convertValue(n.get("metrics"), new TypeReference<Map<String, Double>>() { }),
                m.convertValue(n.get("run-info"), RunInfo.class), n.path("model-sha256").asText(null),
                n.hasNonNull("evaluation-protocol") ? m.convertValue(n.get("evaluation-protocol"),
                        EvaluationProtocol.class) : null);
    }

    /** Writes the layout of {@code bundle.json}: the fields of the parts at the top level, in the order of version 1. */
    @JsonValue
    JsonNode toJson() {
        ObjectMapper m = Json.mapper();
        ObjectNode n = m.createObjectNode();
        n.put("format-version", formatVersion);
        n.put("name", name);
        n.set("labels", m.valueToTree(labels));
        n.set("preprocessing", m.valueToTree(preprocessing));
        n.put("backbone", origin.backbone());
        n.put("freeze-until", origin.freezeUntil());
        n.put("feature-layer", origin.featureLayer());
        n.put("mode", origin.mode());
        n.set("config", origin.config());
        n.set("data-fingerprint", data.dataFingerprint());
        n.set("metrics", m.valueToTree(new java.util.TreeMap<>(metrics)));
        n.set("test-split", m.valueToTree(data.testSplit()));
        if (!data.validationSplit().isEmpty()) {
            n.set("validation-split", m.valueToTree(data.validationSplit()));
        }
        n.put("data-root", data.dataRoot());
        n.set("run-info", m.valueToTree(runInfo));
        n.put("model-sha256", modelSha256);
        if (evaluationProtocol != null) {
            n.set("evaluation-protocol", m.valueToTree(evaluationProtocol));
        }
        return n;
    }

    /** @return the backbone it was made from */
    public String backbone() {
        return origin.backbone();
    }

    /** @return the last frozen layer, or null */
    public String freezeUntil() {
        return origin.freezeUntil();
    }

    /** @return the feature layer of a features-mode bundle, or null */
    public String featureLayer() {
        return origin.featureLayer();
    }

    /** @return {@code finetune}, {@code features} or {@code scratch} */
    public String mode() {
        return origin.mode();
    }

    /** @return the resolved training configuration, or null */
    public JsonNode config() {
        return origin.config();
    }

    /** @return the relative paths of the held-out test images (may be empty) */
    public List<String> testSplit() {
        return data.testSplit();
    }

    /** @return the relative paths of the validation images (empty when not recorded) */
    public List<String> validationSplit() {
        return data.validationSplit();
    }

    /** @return the data folder as the user named it, or null */
    public String dataRoot() {
        return data.dataRoot();
    }

    /** @return the training data's fingerprint, or null */
    public JsonNode dataFingerprint() {
        return data.dataFingerprint();
    }

    /** @return a copy with the model's checksum set */
    public ModelBundle withModelSha256(String sha256) {
        return new ModelBundle(formatVersion, name, labels, preprocessing, origin, data, metrics, runInfo, sha256,
                evaluationProtocol);
    }

    /** @return a copy with other headline metrics */
    public ModelBundle withMetrics(Map<String, Double> newMetrics) {
        return new ModelBundle(formatVersion, name, labels, preprocessing, origin, data, newMetrics, runInfo,
                modelSha256, evaluationProtocol);
    }

    /** @return a copy with another evaluation protocol (null for none) */
    public ModelBundle withEvaluationProtocol(EvaluationProtocol chosen) {
        return new ModelBundle(formatVersion, name, labels, preprocessing, origin, data, metrics, runInfo,
                modelSha256, chosen);
    }

    /** @return a copy with another name */
    public ModelBundle withName(String newName) {
        return new ModelBundle(formatVersion, newName, labels, preprocessing, origin, data, metrics, runInfo,
                modelSha256, evaluationProtocol);
    }
}
