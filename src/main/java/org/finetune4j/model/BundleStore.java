package org.finetune4j.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Fingerprint;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Saves and loads model bundles: a folder with {@code model.zip} (a DL4J {@link ComputationGraph}, loadable by plain
 * DL4J) and {@code bundle.json} ({@link ModelBundle}).
 *
 * <p>Saving writes a temporary sibling folder and renames it into place, so a crash never leaves a half-written
 * bundle, and a failed save leaves the previous bundle as it was. Loading validates and explains (missing files,
 * unknown format version, labels that do not match the network's outputs) and is safe on untrusted folders:
 * DL4J's {@link ModelSerializer} Java-deserializes a {@code preprocessor.bin} entry on restore (a crafted zip runs
 * code), so before anything is restored the zip's SHA-256 must match {@code bundle.json} and the zip may hold only
 * the entries DL4J writes for a graph.
 * <pre>{@code
 * BundleStore.save(Path.of("models/photos"), graph, meta);
 * BundleStore.Loaded b = BundleStore.load(Path.of("models/photos"));
 * b.graph().output(x);  b.bundle().labels();
 * }</pre>
 */
public final class BundleStore {

    /** The network file of a bundle. */
    public static final String MODEL_FILE = "model.zip";
    /** The metadata file of a bundle. */
    public static final String META_FILE = "bundle.json";
    /** Entries {@code ModelSerializer} writes for a graph; nothing else is accepted in a bundle's zip. */
    public static final Set<String> ALLOWED_ZIP_ENTRIES =
            Set.of("configuration.json", "coefficients.bin", "updaterState.bin", "noParams.marker");
    private static final String CONFIGURATION_ENTRY = "configuration.json";
    private static final String PARAMETERS_ENTRY = "coefficients.bin";

    /**
     * A loaded bundle.
     *
     * @param dir    the bundle folder
     * @param bundle its metadata
     * @param graph  its network, ready for inference
     */
    public record Loaded(Path dir, ModelBundle bundle, ComputationGraph graph) {
    }

    private BundleStore() {
    }

    /** @return whether the folder looks like a bundle (has a {@code bundle.json}) */
    public static boolean isBundle(Path dir) {
        return Files.isRegularFile(dir.resolve(META_FILE));
    }

    /**
     * Saves a bundle atomically; an existing bundle at {@code dir} is replaced only once the new one is complete.
     *
     * @return the metadata as written (with the model checksum and the folder name)
     * @throws UncheckedIOException naming the folder if it cannot be written (the previous bundle is intact)
     */
    public static ModelBundle save(Path dir, ComputationGraph graph, ModelBundle bundle) {
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        ModelBundle[] written = new ModelBundle[1];
        try {
            AtomicFiles.writeFolder(dir, tmp -> {
                String sha256 = writeZip(graph, tmp.resolve(MODEL_FILE));
                written[0] = bundle.withName(name).withModelSha256(sha256);
                Files.writeString(tmp.resolve(META_FILE), Json.mapper().writeValueAsString(written[0]));
            });
            return written[0];
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot save the bundle (" + e + "). Check that the folder is "
                    + "writable and the disk has space; any previous bundle there is unchanged.", e);
        }
    }

    /**
     * Writes a graph's zip as DL4J's {@link ModelSerializer} does without its updater — the same entries with the same
     * bytes in them, so plain DL4J restores it — but stored, not deflated, and with the parameters copied in bulk
     * ({@link ArrayIO}): VGG16's 553 MB took half a minute to deflate, for a few percent smaller file.
     *
     * @return the SHA-256 of the zip, computed while writing it
     */
    public static String writeZip(ComputationGraph graph, Path zip) throws IOException {
        MessageDigest sha256 = Fingerprint.messageDigest("SHA-256");
        try (OutputStream file = new DigestOutputStream(Files.newOutputStream(zip), sha256);
             ZipOutputStream z = new ZipOutputStream(new BufferedOutputStream(file, 1 << 20))) {
            z.setLevel(Deflater.NO_COMPRESSION);
            z.putNextEntry(new ZipEntry(CONFIGURATION_ENTRY));
            z.write(graph.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
            z.putNextEntry(new ZipEntry(PARAMETERS_ENTRY));
            ArrayIO.write(graph.params(), z);
            z.closeEntry();
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /**
     * Restores a graph from a zip that {@link #checkZip} accepted: the configuration and the parameters read in bulk
     * ({@link ArrayIO}); a zip this cannot read that way (no parameters entry, a data type it does not handle) is
     * restored by DL4J's {@link ModelSerializer}, as before.
     */
    public static ComputationGraph readZip(Path zip) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            ZipEntry conf = z.getEntry(CONFIGURATION_ENTRY);
            ZipEntry params = z.getEntry(PARAMETERS_ENTRY);
            if (conf != null && params != null && z.getEntry("updaterState.bin") == null) {
                INDArray values = null;
                try (InputStream in = new BufferedInputStream(z.getInputStream(params), 1 << 20)) {
                    values = ArrayIO.read(in);
                } catch (IOException notBulk) {
                    // left to ModelSerializer below, which reads every format DL4J wrote
                }
                if (values != null) {
                    String json;
                    try (InputStream in = z.getInputStream(conf)) {
                        json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    ComputationGraph graph = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
                    DataType type = graph.getConfiguration().getDataType();
                    graph.init(values.dataType() == type ? values : values.castTo(type), false);
                    return graph;
                }
            }
        }
        return ModelSerializer.restoreComputationGraph(zip.toFile(), false);
    }

    /**
     * Rewrites only {@code bundle.json} of an existing bundle, atomically (the network is unchanged, so the recorded
     * checksum of {@code model.zip} stays valid).
     *
     * @param bundle metadata read from this bundle, changed only where the network is not concerned
     */
    public static void saveMeta(Path dir, ModelBundle bundle) {
        try {
            AtomicFiles.writeString(dir.resolve(META_FILE), Json.mapper().writeValueAsString(bundle));
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write " + META_FILE + " (" + e + ")", e);
        }
    }

    /**
     * Reads and validates a bundle's metadata without restoring the network.
     *
     * @throws UsageException if the folder is not a readable bundle of a known format
     */
    public static ModelBundle readMeta(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UsageException("--model " + dir + ": no such bundle folder. Expected a folder with "
                    + META_FILE + " and " + MODEL_FILE + " (written by `finetune4j train`). Check the path; "
                    + "models/README.md lists the names --model accepts.");
        }
        Path meta = dir.resolve(META_FILE);
        if (!Files.isRegularFile(meta)) {
            throw new UsageException(dir + ": not a bundle: " + META_FILE + " is missing. Expected a folder written "
                    + "by `finetune4j train`.");
        }
        ModelBundle bundle;
        try {
            bundle = Json.mapper().readValue(meta.toFile(), ModelBundle.class);
        } catch (JsonProcessingException e) {
            throw new UsageException(meta + ": not a valid bundle description (" + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + "). Re-create the bundle with `finetune4j train`.",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException(meta + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (bundle.formatVersion() != ModelBundle.FORMAT_VERSION) {
            throw new UsageException(meta + ": bundle format version " + bundle.formatVersion()
                    + " is not supported. Expected " + ModelBundle.FORMAT_VERSION + "; use the finetune4j version "
                    + "that wrote it, or re-train.");
        }
        if (bundle.labels() == null || bundle.labels().size() < 2 || bundle.preprocessing() == null) {
            throw new UsageException(meta + ": incomplete bundle description (labels or preprocessing missing). "
                    + "Re-create the bundle with `finetune4j train`.");
        }
        return bundle;
    }

    /**
     * Loads and validates a bundle; nothing from the zip is deserialized before its checksum and entries are checked.
     *
     * @throws UsageException if the folder is not a valid, untampered bundle
     */
    public static Loaded load(Path dir) {
        ModelBundle bundle = readMeta(dir);
        Path zip = dir.resolve(MODEL_FILE);
        checkZip(zip, bundle.modelSha256());
        ComputationGraph graph;
        try {
            graph = readZip(zip);
        } catch (IOException | RuntimeException e) {
            throw new UsageException(zip + ": cannot restore the network (" + e.getMessage() + "). The file may be "
                    + "from an incompatible DL4J version; re-train.", e);
        }
        long outputs = outputSize(graph);
        if (outputs != bundle.labels().size()) {
            throw new UsageException(dir.resolve(META_FILE) + ": " + bundle.labels().size() + " labels do not match "
                    + "the network's " + outputs + " outputs. Expected one label per output. The bundle is "
                    + "inconsistent; re-train.");
        }
        // bundles written before the networks moved to NHWC are NCHW: converted, same outputs
        return new Loaded(dir, bundle, Layout.toNhwc(graph));
    }

    /**
     * Verifies a bundle's zip before DL4J reads it: present, the expected SHA-256, and only graph entries.
     *
     * @throws UsageException naming the file and what is wrong
     */
    public static void checkZip(Path zip, String expectedSha256) {
        if (!Files.isRegularFile(zip)) {
            throw new UsageException(zip + ": missing. Expected the network file " + MODEL_FILE + " beside "
                    + META_FILE + ". Re-create the bundle with `finetune4j train`.");
        }
        String actual = Fingerprint.sha256(zip);
        if (expectedSha256 == null || !expectedSha256.equals(actual)) {
            throw new UsageException(zip + ": checksum mismatch. Expected SHA-256 " + expectedSha256
                    + " (from " + META_FILE + "); received " + actual + ". The file was changed or damaged after "
                    + "it was saved; it is not loaded. Re-create the bundle.");
        }
        checkEntries(zip);
    }

    /**
     * Verifies that a zip holds only the entries DL4J writes for a graph, before DL4J reads it.
     *
     * @throws UsageException naming the file and the unexpected entries
     */
    public static void checkEntries(Path zip) {
        // the central directory: what DL4J's ModelSerializer (a ZipFile) and readZip look entries up in
        List<String> unexpected = new ArrayList<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            z.stream().map(ZipEntry::getName).filter(n -> !ALLOWED_ZIP_ENTRIES.contains(n)).forEach(unexpected::add);
        } catch (IOException e) {
            throw new UsageException(zip + ": not a readable zip file (" + e.getMessage() + ").", e);
        }
        if (!unexpected.isEmpty()) {
            throw new UsageException(zip + ": unexpected entries " + unexpected + ". Expected only "
                    + new java.util.TreeSet<>(ALLOWED_ZIP_ENTRIES) + " (what DL4J writes for a graph); other entries "
                    + "such as preprocessor.bin are Java-deserialized by DL4J and could run code, so the file is not "
                    + "loaded.");
        }
    }

    /** @return the number of outputs of the graph's single output layer */
    public static long outputSize(ComputationGraph graph) {
        String out = graph.getConfiguration().getNetworkOutputs().get(0);
        GraphVertex v = graph.getConfiguration().getVertices().get(out);
        if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FeedForwardLayer ff) {
            return ff.getNOut();
        }
        return graph.getOutputLayer(0).getParam("b").length();
    }
}
