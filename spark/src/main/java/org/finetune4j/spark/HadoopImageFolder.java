package org.finetune4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.spark.api.java.JavaSparkContext;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.DataSettings;
import org.finetune4j.data.FileChecks;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.data.TrainingData;
import scala.Tuple2;

/**
 * An image folder that only Hadoop's file systems can read ({@code hdfs://…}, {@code s3a://…}, {@code file://…}),
 * prepared as {@link TrainingData#prepare(DataSettings, Seeds, Consumer)} prepares a local one. The driver lists the
 * folder recursively through Hadoop and builds the {@link ImageFolder} with {@link ImageFolder#fromListing} (the
 * class-folder rules of a local scan); the executors read every image once, through {@link HadoopFiles}, to screen its
 * header, hash its bytes and measure it ({@link FileChecks#local} on the bytes they fetched); the driver then splits,
 * screens and finds duplicates on those results with the single-machine code. The same seed therefore gives the same
 * train/val/test lists, bad files, duplicate groups and data fingerprint as a local copy of the folder.
 * <pre>{@code
 * TrainingData data = HadoopImageFolder.prepare(jsc, "hdfs:///data/photos", settings, seeds, log);
 * }</pre>
 */
final class HadoopImageFolder {

    /**
     * A scheme of two or more characters, a colon and a slash: {@code hdfs://}, {@code s3a://}, {@code file:/} (not
     * {@code C:\} nor a folder named {@code photos:2024}).
     */
    private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:/.*");

    private HadoopImageFolder() {
    }

    /** @return whether {@code --data} names a folder by URI ({@code file:///…}, {@code hdfs://…}) rather than a path */
    static boolean isUri(String data) {
        return data != null && URI_SCHEME.matcher(data).matches();
    }

    /**
     * Lists, checks on the executors and prepares the folder at {@code uri}.
     *
     * @param settings the run's data settings ({@code settings.folder()} is {@code uri})
     * @param log      one-line notes and warnings for the user
     * @throws UsageException if the folder does not exist, is a file, or its scheme has no Hadoop file system
     * @throws DataException  if it cannot be used (fewer than two classes, a class without usable images …)
     */
    static TrainingData prepare(JavaSparkContext jsc, String uri, DataSettings settings, Seeds seeds,
                                Consumer<String> log) {
        Configuration conf = jsc.hadoopConfiguration();
        ImageFolder folder = ImageFolder.fromListing(uri, list(uri, conf));
        log.accept("data: listed " + folder.images().size() + " images in " + folder.classes().size()
                + " classes under " + uri + " through Hadoop; the executors read each once to screen and hash it");
        FileChecks checks = FileChecks.precomputed(facts(jsc, uri, folder.images(), HadoopFiles.of(conf)));
        return TrainingData.prepare(folder, settings, checks, seeds, log);
    }

    /**
     * Lists every file and folder under {@code uri}, at any depth; hidden entries (name starting with {@code .}) are
     * not descended into.
     *
     * @throws UsageException if the folder does not exist, is a file, or its scheme has no Hadoop file system
     */
    static List<ImageFolder.Entry> list(String uri, Configuration conf) {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(uri);
        try {
            FileSystem fs = root.getFileSystem(conf);
            FileStatus status;
            try {
                status = fs.getFileStatus(root);
            } catch (FileNotFoundException e) {
                throw new UsageException("--data " + uri + ": no such folder. Expected a folder laid out as "
                        + "ROOT/<class>/<image>. Check the URI (data/README.md describes the layout).");
            }
            if (!status.isDirectory()) {
                throw new UsageException("--data " + uri + ": not a folder. Expected a folder laid out as "
                        + "ROOT/<class>/<image>; received a file. Give the folder that holds the class folders.");
            }
            List<ImageFolder.Entry> entries = new ArrayList<>();
            walk(fs, status.getPath(), "", entries);
            return entries;
        } catch (UnsupportedFileSystemException e) {
            throw new UsageException("--data " + uri + ": no Hadoop file system for the scheme \"" + root.toUri()
                    .getScheme() + "\" (" + e.getMessage() + "). Expected file://, hdfs:// or s3a:// with its "
                    + "connector on the classpath (docs/spark.md says how).");
        } catch (IOException e) {
            throw new DataException("--data " + uri + ": cannot list the folder through Hadoop (" + e.getMessage()
                    + "). Check the URI, the credentials and the cluster's Hadoop configuration.", e);
        }
    }

    private static void walk(FileSystem fs, org.apache.hadoop.fs.Path dir, String rel, List<ImageFolder.Entry> out)
            throws IOException {
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            if (name.startsWith(".")) {
                continue;
            }
            String child = rel.isEmpty() ? name : rel + "/" + name;
            out.add(new ImageFolder.Entry(child, s.isDirectory()));
            if (s.isDirectory()) {
                walk(fs, s.getPath(), child, out);
            }
        }
    }

    /**
     * Reads every image once on the executors: header screening, SHA-256 and size, as {@link FileChecks#local} makes
     * them on a file with the same bytes.
     *
     * @return what each file told, by relative path
     */
    static Map<String, FileChecks.Facts> facts(JavaSparkContext jsc, String uri, List<LabeledImage> images,
                                              HadoopFiles files) {
        List<String> paths = images.stream().map(LabeledImage::relativePath).toList();
        if (paths.isEmpty()) {
            return Map.of();
        }
        int partitions = Math.max(1, Math.min(paths.size() / 16 + 1, jsc.defaultParallelism() * 4));
        Map<String, FileChecks.Facts> out = new HashMap<>();
        for (Tuple2<String, FileChecks.Facts> t : jsc.parallelize(paths, partitions)
                .mapPartitionsToPair(it -> check(it, uri, files)).collect()) {
            out.put(t._1(), t._2());
        }
        return out;
    }

    /** Runs on an executor: the facts of some files, each fetched into a scratch folder unless it is local. */
    private static Iterator<Tuple2<String, FileChecks.Facts>> check(Iterator<String> paths, String uri,
                                                                   HadoopFiles files) {
        FileChecks local = FileChecks.local(ImageDecoder.defaults());
        List<Tuple2<String, FileChecks.Facts>> out = new ArrayList<>();
        Path scratch;
        try {
            scratch = Files.createTempDirectory("finetune4j-spark-check");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a scratch folder: " + e.getMessage(), e);
        }
        try {
            int i = 0;
            while (paths.hasNext()) {
                String rel = paths.next();
                FileChecks.Facts f;
                try {
                    Path file = files.local(SparkFeaturizer.uri(uri, rel), scratch, (i++) + "-"
                            + rel.substring(rel.lastIndexOf('/') + 1));
                    try {
                        f = local.facts(new LabeledImage(file, rel, 0));
                    } finally {
                        if (file.startsWith(scratch)) {
                            Files.deleteIfExists(file);
                        }
                    }
                } catch (UncheckedIOException | IOException e) {
                    f = new FileChecks.Facts(-1, null, "cannot read: " + e.getMessage());
                }
                out.add(new Tuple2<>(rel, f));
            }
        } finally {
            HadoopFiles.deleteScratch(scratch);
        }
        return out.iterator();
    }
}
