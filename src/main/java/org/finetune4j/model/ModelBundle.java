package org.finetune4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.finetune4j.core.RunInfo;

/**
 * The metadata of a trained model, stored as {@code bundle.json} beside {@code model.zip}: everything needed to use
 * the model and to know how it was made. Paths inside are relative (to the data root or the bundle), never absolute.
 *
 * @param formatVersion   version of this layout; loading refuses versions it does not know
 * @param name            the bundle's name (its folder name)
 * @param labels          class names in output order
 * @param preprocessing   what images go through before the network
 * @param backbone        the backbone it was made from ({@code vgg16}, {@code mini-vgg-shapes}, a bundle name …)
 * @param freezeUntil     the last frozen layer, or null when nothing was frozen
 * @param featureLayer    for mode {@code features}: the layer the linear head reads; otherwise null
 * @param mode            {@code finetune}, {@code features} or {@code scratch}
 * @param config          the full resolved training configuration
 * @param dataFingerprint fingerprint of the training data (file list, sizes and hashes), or null
 * @param metrics         headline metrics (e.g. {@code test-accuracy}), may be empty
 * @param testSplit       relative paths of the held-out test images, so {@code evaluate} can reuse them; may be empty
 * @param dataRoot        the data folder as the user named it, or null
 * @param runInfo         versions, platform, seed and creation time
 * @param modelSha256     SHA-256 of {@code model.zip}, verified before the model is restored
 */
public record ModelBundle(int formatVersion, String name, List<String> labels, Preprocessing preprocessing,
                          String backbone, String freezeUntil, String featureLayer, String mode, JsonNode config,
                          JsonNode dataFingerprint, Map<String, Double> metrics, List<String> testSplit,
                          String dataRoot, RunInfo runInfo, String modelSha256) {

    /** The bundle layout this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    public ModelBundle {
        labels = List.copyOf(labels);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        testSplit = testSplit == null ? List.of() : List.copyOf(testSplit);
        // Jackson reads a JSON null into a JsonNode property as NullNode; keep one representation of "absent"
        config = config == null || config.isNull() ? null : config;
        dataFingerprint = dataFingerprint == null || dataFingerprint.isNull() ? null : dataFingerprint;
    }

    /** @return a copy with the model's checksum set */
    public ModelBundle withModelSha256(String sha256) {
        return new ModelBundle(formatVersion, name, labels, preprocessing, backbone, freezeUntil, featureLayer, mode,
                config, dataFingerprint, metrics, testSplit, dataRoot, runInfo, sha256);
    }

    /** @return a copy with another name */
    public ModelBundle withName(String newName) {
        return new ModelBundle(formatVersion, newName, labels, preprocessing, backbone, freezeUntil, featureLayer,
                mode, config, dataFingerprint, metrics, testSplit, dataRoot, runInfo, modelSha256);
    }
}
