package org.finetune4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class CheckpointsTest {

    @TempDir
    Path tmp;

    @Test
    void aCheckpointRoundTripsItsParametersOptimizerStateAndBestWeights() {
        var graph = TestBundles.tinyVgg(3, false).build(1);
        graph.getConfiguration().setIterationCount(7);
        var best = Nd4j.linspace(DataType.FLOAT, 1, 10, 10);
        var updater = Nd4j.linspace(DataType.FLOAT, 5, 20, 20);
        Checkpoints c = new Checkpoints(tmp.resolve("ok"));
        c.save(graph, best, updater, CheckpointState.start(), Json.mapper().createObjectNode().put("k", 1));
        Checkpoints.Saved s = c.load();
        assertThat(s.graph().params()).isEqualTo(graph.params());
        assertThat(s.graph().getConfiguration().getIterationCount()).isEqualTo(7);
        assertThat(s.bestParams()).isEqualTo(best);
        assertThat(s.updater()).isEqualTo(updater);
        assertThat(s.runConfig().get("k").asInt()).isEqualTo(1);
        c.save(graph, null, null, CheckpointState.start(), Json.mapper().createObjectNode());
        assertThat(c.load().bestParams()).isNull();
        assertThat(c.load().updater()).isNull();
    }

    @Test
    void bestWeightsEqualToTheTrainedTailAreNotWrittenTwiceAndComeBackTheSame() {
        var graph = TestBundles.tinyVgg(3, false).build(2);
        long n = graph.params().length() / 3;   // the trainable layers' parameters are the tail of the whole's
        var flat = graph.params().reshape(graph.params().length());
        var best = flat.get(NDArrayIndex.interval(flat.length() - n, flat.length())).dup().reshape(1, n);
        Checkpoints c = new Checkpoints(tmp.resolve("tail"));
        c.save(graph, best, null, CheckpointState.start(), Json.mapper().createObjectNode());
        assertThat(tmp.resolve("tail/best.bin")).doesNotExist();
        assertThat(c.load().bestParams().toFloatVector()).containsExactly(best.toFloatVector());
        // one value different: the best weights are an epoch of their own and are written
        best.putScalar(0, 1, best.getFloat(0, 1) + 1e-3f);
        c.save(graph, best, null, CheckpointState.start(), Json.mapper().createObjectNode());
        assertThat(tmp.resolve("tail/best.bin")).isRegularFile();
        assertThat(c.load().bestParams().toFloatVector()).containsExactly(best.toFloatVector());
    }

    @Test
    void aDamagedCheckpointIsRefusedWithWhatToDo() throws Exception {
        var graph = TestBundles.tinyVgg(3, false).build(1);
        Checkpoints c = new Checkpoints(tmp.resolve("damaged"));
        c.save(graph, null, null, CheckpointState.start(), Json.mapper().createObjectNode());
        Path params = tmp.resolve("damaged/params.bin");
        byte[] bytes = Files.readAllBytes(params);
        bytes[bytes.length - 3] ^= 0x40;
        Files.write(params, bytes);
        assertThatThrownBy(c::load).isInstanceOf(UsageException.class)
                .hasMessageContaining("params.bin: checksum mismatch")
                .hasMessageContaining("Run without --resume to start over.");
    }

    @Test
    void anNchwCheckpointOfAnEarlierVersionIsRefusedOnResume() {
        Checkpoints c = new Checkpoints(tmp.resolve("old"));
        c.save(TestBundles.tinyVgg(3, false).build(1, CNN2DFormat.NCHW), null, null, CheckpointState.start(),
                Json.mapper().createObjectNode());
        assertThatThrownBy(c::load).isInstanceOf(UsageException.class)
                .hasMessageContaining("a checkpoint of a network laid out NCHW")
                .hasMessageContaining("Run without --resume to start over.");
    }
}
