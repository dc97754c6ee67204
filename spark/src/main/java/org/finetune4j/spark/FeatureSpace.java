package org.finetune4j.spark;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Json;
import org.finetune4j.model.Preprocessing;

/**
 * What a features folder holds besides its Parquet rows, in {@code <out>/_finetune4j/}: {@code extractor.zip} (the
 * cut network, feature layer and pooling included) and {@code features.json} (this record). Spark's Parquet reader
 * skips folders whose name starts with {@code _}, so the folder sits next to the rows. {@code fit} reads it to make the
 * bundle; a re-run of {@code features} compares {@link #key} to decide whether the stored vectors can be reused.
 *
 * @param key              the extractor's cache key (model SHA-256, layer, pooling, dimension, preprocessing, view):
 *                         vectors are reused only under the same key
 * @param backbone         the backbone's name ({@code vgg16}, {@code mini-vgg-shapes}, a bundle …)
 * @param layer            the feature layer
 * @param pooling          {@code none}, {@code avg} or {@code max}
 * @param dimension        values per vector
 * @param preprocessing    the backbone's input preprocessing
 * @param classes          class names in label order
 * @param dataRoot         the data folder as the user named it
 * @param dataFingerprint  the data's fingerprint (files, bytes, SHA-256 of the listing)
 * @param seed             the root seed of the split
 * @param batchSize        images per forward pass
 * @param extractorSha256  SHA-256 of {@code extractor.zip} (executors key their loaded copy by it)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FeatureSpace(String key, String backbone, String layer, String pooling, int dimension,
                           Preprocessing preprocessing, List<String> classes, String dataRoot,
                           JsonNode dataFingerprint, long seed, int batchSize, String extractorSha256) {

    /** The folder of a features output that holds the extractor and this record. */
    public static final String FOLDER = "_finetune4j";
    /** The cut network, in the zip layout of DL4J's {@code ModelSerializer}, stored ({@code BundleStore.writeZip}). */
    public static final String EXTRACTOR_FILE = "extractor.zip";
    /** This record as JSON. */
    public static final String META_FILE = "features.json";

    /**
     * Reads the record of a features output.
     *
     * @param out  the features folder (any Hadoop file system URI)
     * @param conf the Hadoop configuration
     * @return the record
     * @throws DataException when the folder holds no finetune4j features
     */
    public static FeatureSpace read(String out, Configuration conf) {
        org.apache.hadoop.fs.Path meta = new org.apache.hadoop.fs.Path(out, FOLDER + "/" + META_FILE);
        try {
            FileSystem fs = meta.getFileSystem(conf);
            if (!fs.exists(meta)) {
                throw new DataException("--features " + out + ": no finetune4j features there. Expected a folder "
                        + "written by `features` (with " + FOLDER + "/" + META_FILE + "); received a folder without "
                        + "it. Run `features --out " + out + "` first.");
            }
            try (FSDataInputStream in = fs.open(meta)) {
                return Json.mapper().readValue(in.readAllBytes(), FeatureSpace.class);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot read " + FOLDER + "/" + META_FILE + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Writes this record and the extractor into {@code <dir>/_finetune4j/}.
     *
     * @param dir       the features folder being written
     * @param extractor the local extractor file
     */
    void write(String dir, Path extractor, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path folder = new org.apache.hadoop.fs.Path(dir, FOLDER);
        FileSystem fs = folder.getFileSystem(conf);
        fs.mkdirs(folder);
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(extractor.toUri()),
                new org.apache.hadoop.fs.Path(folder, EXTRACTOR_FILE));
        try (FSDataOutputStream o = fs.create(new org.apache.hadoop.fs.Path(folder, META_FILE), true)) {
            o.write(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this)
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Copies the extractor of a features output to a local file.
     *
     * @param out    the features folder
     * @param target the local file to write
     */
    static void copyExtractor(String out, Path target, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(out, FOLDER + "/" + EXTRACTOR_FILE);
        Files.deleteIfExists(target);
        src.getFileSystem(conf).copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(target.toUri()), true);
    }
}
