package org.finetune4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.finetune4j.model.ArrayIO;
import org.finetune4j.model.Layout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The checkpoint of a run, a folder beside the bundle it will become ({@code models/<name>.checkpoint/}): the
 * network (configuration and parameters), the optimizer state of the graph that trains, the best epoch's weights,
 * where the run is, and what it was started with. Written atomically after every epoch and on Ctrl-C, so a run killed
 * at any moment resumes from its last checkpoint.
 *
 * <p>The arrays are written in bulk ({@link ArrayIO}), not in a model zip: deflating VGG16's 553 MB of parameters
 * took longer than an epoch of training the head on cached activations. When the best epoch is the current one, its
 * weights are not written twice: {@code state.json} says they are the tail of {@code params.bin}. Each file's
 * CRC-32C, computed while it is written, is recorded in {@code state.json} and checked on load, so a damaged
 * checkpoint is refused rather than resumed.
 * <pre>{@code
 * Checkpoints ckpt = new Checkpoints(Path.of("models/photos.checkpoint"));
 * ckpt.save(graph, bestParams, null, state, runConfig);
 * Checkpoints.Saved s = ckpt.load();   // after a crash, with --resume
 * }</pre>
 */
public final class Checkpoints {

    private static final String CONFIGURATION = "configuration.json";
    private static final String PARAMS = "params.bin";
    private static final String BEST = "best.bin";
    private static final String UPDATER = "updater.bin";
    /** In {@code state.json}: the best weights are the last N values of {@code params.bin}. */
    private static final String BEST_IS_TAIL = "best-is-params-tail";

    /**
     * A loaded checkpoint.
     *
     * @param graph      the network
     * @param bestParams the best epoch's parameters (of the graph that trains), or null before the first epoch ended
     * @param updater    the optimizer state of the graph that trains (the whole graph, or the trainable layers' own
     *                   graph), or null when it had none yet
     * @param state      where the run was
     * @param runConfig  the configuration the run was started with (labels included)
     */
    public record Saved(ComputationGraph graph, INDArray bestParams, INDArray updater, CheckpointState state,
                        JsonNode runConfig) {
    }

    private final Path dir;

    /** @param dir the checkpoint folder */
    public Checkpoints(Path dir) {
        this.dir = dir;
    }

    /** @return the checkpoint folder */
    public Path dir() {
        return dir;
    }

    /** @return whether a checkpoint is there */
    public boolean exists() {
        return Files.isRegularFile(dir.resolve("state.json"));
    }

    /**
     * Saves atomically (temporary folder, then rename); the previous checkpoint stays until the new one is whole.
     *
     * @param graph      the whole network
     * @param bestParams the best epoch's parameters of the graph that trains, or null
     * @param updater    the optimizer state of the graph that trains, or null
     */
    public void save(ComputationGraph graph, INDArray bestParams, INDArray updater, CheckpointState state,
                     JsonNode runConfig) {
        try {
            AtomicFiles.writeFolder(dir, tmp -> {
                Files.writeString(tmp.resolve(CONFIGURATION), graph.getConfiguration().toJson());
                ObjectNode crc = Json.mapper().createObjectNode();
                INDArray params = graph.params();
                // the best epoch is often the last one: its weights are then the tail of params.bin, not a file
                boolean bestIsTail = bestParams != null
                        && ArrayIO.sameBits(params, params.length() - bestParams.length(), bestParams);
                write(tmp, PARAMS, params, crc);
                write(tmp, BEST, bestIsTail ? null : bestParams, crc);
                write(tmp, UPDATER, updater, crc);
                crc.put(CONFIGURATION, crc32c(tmp.resolve(CONFIGURATION)));
                ObjectNode doc = Json.mapper().createObjectNode();
                if (bestIsTail) {
                    doc.put(BEST_IS_TAIL, bestParams.length());
                }
                doc.set("state", Json.mapper().valueToTree(state));
                doc.set("run-config", runConfig);
                doc.set("crc32c", crc);
                Files.writeString(tmp.resolve("state.json"), Json.mapper().writeValueAsString(doc));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the checkpoint (" + e + ")", e);
        }
    }

    private static void write(Path folder, String name, INDArray array, ObjectNode crc) throws IOException {
        if (array == null) {
            return;
        }
        CRC32C sum = new CRC32C();
        try (OutputStream out = new CheckedOutputStream(new BufferedOutputStream(
                Files.newOutputStream(folder.resolve(name)), 1 << 20), sum)) {
            ArrayIO.write(array, out);
        }
        crc.put(name, Long.toHexString(sum.getValue()));
    }

    private static INDArray read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            return ArrayIO.read(in);
        }
    }

    private static String crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                crc.update(buffer, 0, n);
            }
        }
        return Long.toHexString(crc.getValue());
    }

    /**
     * @throws UsageException if there is no checkpoint, or it is damaged or from an earlier version
     */
    public Saved load() {
        if (!exists()) {
            throw new UsageException("--resume: no checkpoint at " + dir + ". Expected the folder an interrupted "
                    + "`finetune4j train` left; run without --resume to start over.");
        }
        try {
            JsonNode doc = Json.mapper().readTree(dir.resolve("state.json").toFile());
            if (!doc.has("crc32c") || !Files.isRegularFile(dir.resolve(PARAMS))) {
                throw new UsageException(dir + ": a checkpoint written by an earlier finetune4j (a model zip); "
                        + "this version cannot resume it. Run without --resume to start over.");
            }
            JsonNode crc = doc.get("crc32c");
            for (String name : List.of(CONFIGURATION, PARAMS, BEST, UPDATER)) {
                Path file = dir.resolve(name);
                if (crc.has(name) != Files.isRegularFile(file)
                        || crc.has(name) && !crc.get(name).asText().equals(crc32c(file))) {
                    throw new UsageException(file + ": checksum mismatch or missing file; the checkpoint is "
                            + "damaged. Run without --resume to start over.");
                }
            }
            ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(
                    Files.readString(dir.resolve(CONFIGURATION)));
            org.deeplearning4j.nn.conf.CNN2DFormat layout = Layout.of(conf);
            if (layout != Layout.FORMAT) {
                throw new UsageException(dir + ": a checkpoint of a network laid out " + layout + ", written by an "
                        + "earlier finetune4j; its optimizer state cannot be carried over to the " + Layout.FORMAT
                        + " layout. Run without --resume to start over.");
            }
            ComputationGraph graph = new ComputationGraph(conf);
            graph.init(read(dir.resolve(PARAMS)), false);
            INDArray bestParams = crc.has(BEST) ? read(dir.resolve(BEST)) : null;
            if (doc.has(BEST_IS_TAIL)) {
                long n = doc.get(BEST_IS_TAIL).asLong();
                INDArray flat = graph.params().reshape(graph.params().length());
                bestParams = flat.get(NDArrayIndex.interval(flat.length() - n, flat.length())).dup().reshape(1, n);
            }
            INDArray updater = crc.has(UPDATER) ? read(dir.resolve(UPDATER)) : null;
            CheckpointState state = Json.mapper().treeToValue(doc.get("state"), CheckpointState.class);
            return new Saved(graph, bestParams, updater, state, doc.get("run-config"));
        } catch (IOException e) {
            throw new UsageException(dir + ": cannot read the checkpoint (" + e.getMessage() + "). Run without "
                    + "--resume to start over.", e);
        }
    }

    /** Removes the checkpoint (after the bundle is safely written). */
    public void delete() {
        AtomicFiles.deleteTree(dir);
    }
}
