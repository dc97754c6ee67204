package org.finetune4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.SparkFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.Backend;
import org.finetune4j.extract.FeatureCache;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.model.BundleStore;

/**
 * The networks an executor JVM holds: each is loaded once per JVM, on the first task that needs it, and shared by the
 * tasks that run there afterwards (their forward passes take turns on it; decoding runs in parallel). Keyed by the
 * SHA-256 of the file Spark shipped, so a new model replaces the old one instead of piling up beside it.
 */
final class ExecutorModels {

    private static final Map<String, Object> LOADED = new HashMap<>();

    private ExecutorModels() {
    }

    /**
     * The feature extractor of a features run, loaded from the file {@code SparkContext.addFile} shipped.
     *
     * @param space    the run's record (layer, pooling, preprocessing, extractor checksum)
     * @param fileName the shipped extractor's file name
     */
    static FeatureExtractor extractor(FeatureSpace space, String fileName) {
        return load(space.extractorSha256(), () -> {
            Backend.setUp();
            try {
                ComputationGraph cut = BundleStore.readZip(Path.of(SparkFiles.get(fileName)));
                // the extractor's own scratch cache is never used: every task takes withCache(its own folder)
                return FeatureExtractor.of(cut, space.preprocessing(), space.layer(), space.pooling(),
                        FeatureCache.of(Files.createTempDirectory("finetune4j-unused-cache")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the shipped feature extractor " + fileName + ": "
                        + e.getMessage(), e);
            }
        });
    }

    /**
     * A bundle, from its two files as {@code SparkContext.addFile} shipped them.
     *
     * @param sha256    SHA-256 of the bundle's model.zip
     * @param modelFile the shipped model.zip's file name
     * @param metaFile  the shipped bundle.json's file name
     */
    static BundleStore.Loaded bundle(String sha256, String modelFile, String metaFile) {
        return load(sha256, () -> {
            Backend.setUp();
            try {
                Path dir = Files.createTempDirectory("finetune4j-bundle");
                Files.copy(Path.of(SparkFiles.get(modelFile)), dir.resolve(BundleStore.MODEL_FILE));
                Files.copy(Path.of(SparkFiles.get(metaFile)), dir.resolve(BundleStore.META_FILE));
                return BundleStore.load(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the shipped bundle: " + e.getMessage(), e);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static synchronized <T> T load(String key, Supplier<T> loader) {
        Object held = LOADED.get(key);
        if (held == null) {
            LOADED.clear();   // one network per JVM: executors are sized for one
            held = loader.get();
            LOADED.put(key, held);
        }
        return (T) held;
    }
}
