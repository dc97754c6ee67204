package org.finetune4j.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;

/**
 * Image files read through Hadoop's file systems ({@code file://}, {@code hdfs://}, {@code s3a://} …) on the
 * executors. A {@code file:} URI is used in place; any other is copied into the task's scratch folder first, because
 * the decoder (OpenCV) reads local files.
 *
 * @param settings the driver's Hadoop configuration, as plain key/value pairs (Hadoop's is not serializable)
 */
record HadoopFiles(Map<String, String> settings) implements Serializable {

    /** @return the driver's Hadoop configuration, captured to ship to the executors */
    static HadoopFiles of(Configuration conf) {
        Map<String, String> m = new HashMap<>();
        conf.forEach(e -> m.put(e.getKey(), e.getValue()));
        return new HadoopFiles(m);
    }

    /** @return the configuration rebuilt on this JVM */
    Configuration configuration() {
        Configuration c = new Configuration(false);
        settings.forEach(c::set);
        return c;
    }

    /**
     * A local file with the bytes of {@code uri}.
     *
     * @param uri     the file's URI
     * @param scratch the task's scratch folder (copies go there)
     * @param name    a name unique within the task, for the copy
     */
    Path local(String uri, Path scratch, String name) {
        URI u = URI.create(uri);
        if (u.getScheme() == null || "file".equals(u.getScheme())) {
            return u.getScheme() == null ? Path.of(uri) : Path.of(u);
        }
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(u);
        Path target = scratch.resolve(name);
        try {
            FileSystem fs = p.getFileSystem(configuration());
            try (InputStream in = fs.open(p)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(uri + ": cannot read through Hadoop's file system: " + e.getMessage(), e);
        }
    }

    /** Deletes a local scratch folder and everything in it; quietly, it is scratch. */
    static void deleteScratch(Path dir) {
        FileUtil.fullyDelete(dir.toFile());
    }
}
