package org.finetune4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Seeds;
import org.finetune4j.testing.TestFolders;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDataTest {

    @TempDir
    Path tmp;

    private static DataSettings settings(Path data, boolean drop, boolean together) {
        return new DataSettings(data.toString(), SplitConfig.defaults(), "none", BadImagePolicy.SKIP, 2,
                drop, together);
    }

    private Path goodAndBad() {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("good", 10, "other", 10));
        for (int i = 0; i < 4; i++) {
            TestImages.empty(data.resolve("bad/empty_" + i + ".png"));
        }
        TestImages.truncatedJpeg(data.resolve("bad/cut.jpg"), 0.5);
        return data;
    }

    @Test
    void aClassWithoutUsableImagesStopsBeforeTrainingNamingTheClassAndTheWayOut() {
        Path data = goodAndBad();
        List<String> log = new ArrayList<>();
        assertThatThrownBy(() -> TrainingData.prepare(settings(data, false, false), Seeds.of(1), log::add))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("\"bad\"")
                .hasMessageContaining("none of its 5 file(s) is usable")
                .hasMessageContaining("Expected at least one usable training image per class")
                .hasMessageContaining("--drop-empty-classes");
    }

    @Test
    void dropEmptyClassesLeavesTheClassOutAndRenumbersTheOthers() {
        Path data = goodAndBad();
        List<String> log = new ArrayList<>();
        TrainingData d = TrainingData.prepare(settings(data, true, false), Seeds.of(1), log::add);
        assertThat(d.classes()).containsExactly("good", "other");
        assertThat(d.dropped()).containsExactly("bad");
        List<LabeledImage> all = new ArrayList<>(d.split().train());
        all.addAll(d.split().val());
        all.addAll(d.split().test());
        assertThat(all).hasSize(20).allSatisfy(im -> assertThat(im.classIndex())
                .isEqualTo(im.relativePath().startsWith("good/") ? 0 : 1));
        assertThat(d.badImages().list()).hasSize(5);
        assertThat(log).anyMatch(l -> l.contains("left out class(es) \"bad\""));
    }

    @Test
    void duplicatesAcrossTheSplitAreWarnedOfAndCanBeKeptTogether() throws Exception {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("a", 12, "b", 12));
        for (int i = 0; i < 12; i++) {
            String name = String.format("a_%02d.png", i);
            Files.copy(data.resolve("a").resolve(name), data.resolve("a").resolve("copy_" + name));
        }
        List<String> log = new ArrayList<>();
        TrainingData plain = TrainingData.prepare(settings(data, false, false), Seeds.of(3), log::add);
        assertThat(plain.duplicates()).hasSize(12);
        assertThat(plain.leaks()).isNotEmpty();
        assertThat(log).anyMatch(l -> l.contains("straddle") && l.contains("--keep-duplicates-together"));

        log.clear();
        TrainingData together = TrainingData.prepare(settings(data, false, true), Seeds.of(3), log::add);
        assertThat(together.leaks()).isEmpty();
        assertThat(together.duplicates()).hasSize(12);
        assertThat(log).noneMatch(l -> l.contains("straddle")).anyMatch(l -> l.contains("moved into one part"));
        assertThat(TrainingData.prepare(settings(data, false, true), Seeds.of(3), l -> { }).split())
                .isEqualTo(together.split());
    }

    @Test
    void withoutDuplicatesKeepingThemTogetherChangesNothing() {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("a", 9, "b", 7));
        TrainingData plain = TrainingData.prepare(settings(data, false, false), Seeds.of(5), l -> { });
        TrainingData together = TrainingData.prepare(settings(data, false, true), Seeds.of(5), l -> { });
        assertThat(together.split()).isEqualTo(plain.split());
        assertThat(plain.duplicates()).isEmpty();
    }
}
