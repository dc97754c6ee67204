package org.finetune4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.finetune4j.core.UsageException;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;

/**
 * A bundle shipped to the executors with {@code SparkContext.addFile}: its two files under names unique to its
 * model checksum, loaded once per executor JVM ({@link ExecutorModels}).
 *
 * @param sha256    SHA-256 of the bundle's model.zip
 * @param modelFile the shipped model.zip's name
 * @param metaFile  the shipped bundle.json's name
 * @param name      the bundle's name
 * @param dir       the bundle folder on the driver
 */
record Shipped(String sha256, String modelFile, String metaFile, String name, String dir) implements Serializable {

    /**
     * Finds a bundle on the driver and ships it.
     *
     * @param command the command, for messages
     * @throws UsageException for a backbone or an unknown bundle
     */
    static Shipped bundle(SparkSession spark, String model, Path modelsDir, String command) {
        if (Backbones.find(model).isPresent()) {
            throw new UsageException("--model " + model + ": a backbone, not a trained bundle; it knows no labels of "
                    + "yours. Fit a bundle first (`fit`), then " + command + " with it.");
        }
        Path dir = Backbones.findBundle(model, modelsDir)
                .orElseThrow(() -> Backbones.unknownBundle(model, modelsDir, command));
        ModelBundle meta = BundleStore.readMeta(dir);
        String prefix = "finetune4j-" + meta.modelSha256().substring(0, 16) + "-";
        Path staging = scratch();
        staging.toFile().deleteOnExit();   // the driver serves the files until the application ends
        staging.resolve(prefix + BundleStore.MODEL_FILE).toFile().deleteOnExit();
        staging.resolve(prefix + BundleStore.META_FILE).toFile().deleteOnExit();
        try {
            Files.copy(dir.resolve(BundleStore.MODEL_FILE), staging.resolve(prefix + BundleStore.MODEL_FILE));
            Files.copy(dir.resolve(BundleStore.META_FILE), staging.resolve(prefix + BundleStore.META_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot stage the bundle for the executors: " + e.getMessage(), e);
        }
        spark.sparkContext().addFile(staging.resolve(prefix + BundleStore.MODEL_FILE).toString());
        spark.sparkContext().addFile(staging.resolve(prefix + BundleStore.META_FILE).toString());
        return new Shipped(meta.modelSha256(), prefix + BundleStore.MODEL_FILE, prefix + BundleStore.META_FILE,
                meta.name(), dir.toString());
    }

    /** @return the bundle, loaded once per JVM (call on an executor) */
    BundleStore.Loaded load() {
        return ExecutorModels.bundle(sha256, modelFile, metaFile);
    }

    /** @return a new local scratch folder */
    static Path scratch() {
        try {
            return Files.createTempDirectory("finetune4j-spark");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a scratch folder: " + e.getMessage(), e);
        }
    }
}
