package org.finetune4j.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.DataSettings;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.model.ArchitectureSettings;
import org.finetune4j.model.WeightsSettings;
import org.finetune4j.testing.LoopbackHttpServer;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSetupTest {

    @TempDir
    Path tmp;

    private TrainConfig vgg16(Path data, String url) {
        return TrainConfig.defaults().withName("photos-finetune")
                .withData(new DataSettings(data.toString(), SplitConfig.defaults(), "flip-crop", BadImagePolicy.SKIP,
                        2))
                .withBackbone(new TrainConfig.BackboneSettings("vgg16", null, ArchitectureSettings.defaults(),
                        new WeightsSettings(null, url, tmp.resolve("cache").toString(), null)));
    }

    @Test
    void weightsThatCannotBeFetchedStopTheRunBeforeTheDataIsReadAndSayHowToTryOffline() {
        try (LoopbackHttpServer server = LoopbackHttpServer.start()) {
            server.serve("/vgg16.h5", LoopbackHttpServer.Response.status(404));
            String url = server.uri("/vgg16.h5").toString();
            // the data folder does not exist: had the data been read first, that would be the error
            List<String> log = new ArrayList<>();
            assertThatThrownBy(() -> new RunSetup(tmp.resolve("models"), log::add)
                    .prepare(vgg16(tmp.resolve("no-such-folder"), url)))
                    .hasMessageContaining(url).hasMessageContaining("HTTP 404")
                    .hasMessageContaining("--model mini-vgg-shapes");
            assertThat(server.requestCount()).isPositive();
        }
    }

    @Test
    void theDefaultBackboneIsTheDemoForSampleDataAndVgg16ForYourOwnImages() throws Exception {
        assertThat(DefaultBackbone.forData(Path.of("data", "shapes-target"), false).model())
                .isEqualTo("mini-vgg-shapes");
        Path sample = TestFolders.imageFolder(tmp.resolve("my-shapes"), Map.of("a", 2, "b", 2));
        Files.writeString(sample.resolve(ShapesGenerator.COMPLETE_MARKER), "generator 1\n");
        DefaultBackbone forSample = DefaultBackbone.forData(sample, true);
        assertThat(forSample.model()).isEqualTo("mini-vgg-shapes");
        assertThat(forSample.reason()).contains("sample");
        Path photos = TestFolders.imageFolder(tmp.resolve("photos"), Map.of("cat", 2, "dog", 2));
        DefaultBackbone forPhotos = DefaultBackbone.forData(photos, true);
        assertThat(forPhotos.model()).isEqualTo("vgg16");
        assertThat(forPhotos.reason()).contains("your own images").contains("--model mini-vgg-shapes");
    }
}
