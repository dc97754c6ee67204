package org.finetune4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {

    @TempDir
    Path tmp;

    @Test
    void aCheckpointRoundTripsItsParameters() {
        var graph = TestBundles.tinyVgg(3, false).build(1);
        Checkpoints c = new Checkpoints(tmp.resolve("ok"));
        c.save(graph, null, CheckpointState.start(), Json.mapper().createObjectNode());
        assertThat(c.load().graph().params()).isEqualTo(graph.params());
    }

    @Test
    void anNchwCheckpointOfAnEarlierVersionIsRefusedOnResume() {
        Checkpoints c = new Checkpoints(tmp.resolve("old"));
        c.save(TestBundles.tinyVgg(3, false).build(1, CNN2DFormat.NCHW), null, CheckpointState.start(),
                Json.mapper().createObjectNode());
        assertThatThrownBy(c::load).isInstanceOf(UsageException.class)
                .hasMessageContaining("a checkpoint of a network laid out NCHW")
                .hasMessageContaining("Run without --resume to start over.");
    }
}
