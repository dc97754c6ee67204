package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.LoopbackHttpServer;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Without {@code --model}, a folder of one's own images gets vgg16: the run's first line says so and why, and when
 * the weights cannot be fetched the run stops before any work, saying how to try offline. The same rule for every
 * command that starts a run.
 */
class DefaultBackboneCommandTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"train", "train --mode features", "features", "check", "lr-find", "search"})
    void aFolderOfYourOwnImagesDefaultsToVgg16AndUnreachableWeightsStopTheRunBeforeAnyWork(String command) {
        Path photos = TestFolders.imageFolder(tmp.resolve("photos"), Map.of("cat", 3, "dog", 3));
        try (LoopbackHttpServer server = LoopbackHttpServer.start()) {
            server.serve("/vgg16.h5", LoopbackHttpServer.Response.status(503));
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.addAll(List.of("--data", photos.toString(), "--weights-url", server.uri("/vgg16.h5").toString(),
                    "--weights-cache", tmp.resolve("cache").toString(), "--models-dir",
                    tmp.resolve("models").toString()));
            if (!command.equals("features")) {
                args.addAll(List.of("--reports-dir", tmp.resolve("reports").toString()));
            }
            if (command.equals("features") || command.endsWith("features")) {
                args.addAll(List.of("--cache", tmp.resolve("features").toString()));
            }
            Cli.Result r = Cli.run(args.toArray(new String[0]));
            assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
            assertThat(r.err().lines().findFirst().orElse(""))
                    .isEqualTo("finetune4j: backbone vgg16: the default for a folder of your own images: ImageNet "
                            + "weights, fetched once; --model mini-vgg-shapes tries the pipeline offline");
            assertThat(r.err()).contains("HTTP 503").contains("To try finetune4j offline meanwhile: --model "
                    + "mini-vgg-shapes").doesNotContain("epoch 1");
            assertThat(tmp.resolve("reports")).doesNotExist();
        }
    }
}
