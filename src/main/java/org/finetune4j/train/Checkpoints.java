package org.finetune4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Fingerprint;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.Layout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The checkpoint of a run, a folder beside the bundle it will become ({@code models/<name>.checkpoint/}): the
 * network with its updater state, the best epoch's weights, where the run is, and what it was started with. Written
 * atomically after every epoch and on Ctrl-C, so a run killed at any moment resumes from its last checkpoint.
 * <pre>{@code
 * Checkpoints ckpt = new Checkpoints(Path.of("models/photos.checkpoint"));
 * ckpt.save(graph, bestParams, state, runConfig);
 * Checkpoints.Saved s = ckpt.load();   // after a crash, with --resume
 * }</pre>
 */
public final class Checkpoints {

    /**
     * A loaded checkpoint.
     *
     * @param graph      the network, with its updater state
     * @param bestParams the best epoch's parameters (of the graph that trains), or null before the first epoch ended
     * @param trainableUpdater the optimizer state of the trainable layers' own graph, or null when the whole graph
     *                   trained
     * @param state      where the run was
     * @param runConfig  the configuration the run was started with (labels included)
     */
    public record Saved(ComputationGraph graph, INDArray bestParams, INDArray trainableUpdater, CheckpointState state,
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

    /** @return whether a complete checkpoint exists */
    public boolean exists() {
        return Files.isRegularFile(dir.resolve("state.json"));
    }

    /** Saves atomically (temporary folder, then rename); the previous checkpoint stays until the new one is whole. */
    public void save(ComputationGraph graph, INDArray bestParams, CheckpointState state, JsonNode runConfig) {
        save(graph, bestParams, null, state, runConfig);
    }

    /**
     * Saves atomically, with the optimizer state of the layers that train when they train as a graph of their own
     * ({@link FrozenPrefix#trainable()}: the whole graph's own optimizer state is then unused).
     *
     * @param trainableUpdater the trainable graph's updater state, or null when the whole graph trains
     */
    public void save(ComputationGraph graph, INDArray bestParams, INDArray trainableUpdater, CheckpointState state,
                     JsonNode runConfig) {
        try {
            AtomicFiles.writeFolder(dir, tmp -> {
                // when the trainable layers train as a graph of their own, the whole graph's optimizer state is unused:
                // asking for it would allocate it (twice the trainable parameters, for Adam)
                ModelSerializer.writeModel(graph, tmp.resolve("model.zip").toFile(), trainableUpdater == null);
                if (bestParams != null) {
                    Nd4j.saveBinary(bestParams, tmp.resolve("best.bin").toFile());
                }
                if (trainableUpdater != null) {
                    Nd4j.saveBinary(trainableUpdater, tmp.resolve("trainable-updater.bin").toFile());
                }
                ObjectNode doc = Json.mapper().createObjectNode();
                doc.set("state", Json.mapper().valueToTree(state));
                doc.set("run-config", runConfig);
                doc.put("model-sha256", Fingerprint.sha256(tmp.resolve("model.zip")));
                Files.writeString(tmp.resolve("state.json"), Json.mapper().writeValueAsString(doc));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the checkpoint (" + e + ")", e);
        }
    }

    /**
     * @throws UsageException if there is no checkpoint, or it is damaged
     */
    public Saved load() {
        if (!exists()) {
            throw new UsageException("--resume: no checkpoint at " + dir + ". Expected the folder an interrupted "
                    + "`finetune4j train` left; run without --resume to start over.");
        }
        try {
            JsonNode doc = Json.mapper().readTree(dir.resolve("state.json").toFile());
            Path zip = dir.resolve("model.zip");
            String sha = doc.path("model-sha256").asText(null);
            if (sha == null || !sha.equals(Fingerprint.sha256(zip))) {
                throw new UsageException(zip + ": checksum mismatch; the checkpoint is damaged. Run without "
                        + "--resume to start over.");
            }
            BundleStore.checkEntries(zip);   // only graph entries: DL4J Java-deserializes others
            ComputationGraph graph = ModelSerializer.restoreComputationGraph(zip.toFile(), true);
            org.deeplearning4j.nn.conf.CNN2DFormat layout = Layout.of(graph.getConfiguration());
            if (layout != Layout.FORMAT) {
                throw new UsageException(zip + ": a checkpoint of a network laid out " + layout + ", written by an earlier finetune4j; its optimizer "
                        + "state cannot be carried over to the " + Layout.FORMAT + " layout. Run without --resume to "
                        + "start over.");
            }
            Path best = dir.resolve("best.bin");
            INDArray bestParams = Files.exists(best) ? Nd4j.readBinary(best.toFile()) : null;
            Path updater = dir.resolve("trainable-updater.bin");
            INDArray trainableUpdater = Files.exists(updater) ? Nd4j.readBinary(updater.toFile()) : null;
            CheckpointState state = Json.mapper().treeToValue(doc.get("state"), CheckpointState.class);
            return new Saved(graph, bestParams, trainableUpdater, state, doc.get("run-config"));
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
