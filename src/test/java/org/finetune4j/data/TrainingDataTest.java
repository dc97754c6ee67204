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

    @Test
    void dedupeKeepsAResizedCopyInThePartOfItsOriginal() throws Exception {
        Path data = tmp.resolve("shapes");
        for (int c = 0; c < 2; c++) {
            Path dir = java.nio.file.Files.createDirectories(data.resolve("c" + c));
            for (int i = 0; i < 12; i++) {
                javax.imageio.ImageIO.write(ShapesGenerator.render(ShapesConfig.defaults(), ShapesSet.TARGET, c, i),
                        "png", dir.resolve(i + ".png").toFile());
            }
        }
        java.awt.image.BufferedImage original = javax.imageio.ImageIO.read(data.resolve("c0/0.png").toFile());
        java.awt.image.BufferedImage small = new java.awt.image.BufferedImage(original.getWidth() * 7 / 10,
                original.getHeight() * 7 / 10, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = small.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(original, 0, 0, small.getWidth(), small.getHeight(), null);
        g.dispose();
        javax.imageio.ImageIO.write(small, "png", data.resolve("c0/0-small.png").toFile());
        int straddled = 0;
        for (long seed = 1; seed <= 8; seed++) {
            TrainingData plain = TrainingData.prepare(settings(data, false, false), Seeds.of(seed), line -> { });
            List<String> log = new ArrayList<>();
            TrainingData deduped = TrainingData.prepare(new DataSettings(data.toString(), SplitConfig.defaults(),
                    "none", BadImagePolicy.SKIP, 2, false, false, true), Seeds.of(seed), log::add);
            straddled += partOf(plain.split(), "c0/0.png") != partOf(plain.split(), "c0/0-small.png") ? 1 : 0;
            assertThat(partOf(deduped.split(), "c0/0-small.png")).as("seed %d", seed)
                    .isEqualTo(partOf(deduped.split(), "c0/0.png"));
            assertThat(log).anyMatch(l -> l.startsWith("--dedupe: 1 group(s)"));
        }
        assertThat(straddled).as("seeds where the plain split separates the copy").isPositive();
    }

    private static SplitName partOf(Split split, String path) {
        for (SplitName s : SplitName.values()) {
            if (split.part(s).stream().anyMatch(im -> im.relativePath().equals(path))) {
                return s;
            }
        }
        return null;
    }

    @Test
    void aListedFolderWithChecksMadeElsewhereIsPreparedExactlyAsTheLocalOne() throws Exception {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("a", 12, "b", 12, "c", 6));
        TestImages.empty(data.resolve("a/empty.png"));
        TestImages.truncatedJpeg(data.resolve("b/cut.jpg"), 0.5);
        for (int i = 0; i < 4; i++) {   // copies across classes: duplicate groups, some straddling the split
            String name = String.format("a_%02d.png", i);
            Files.copy(data.resolve("a").resolve(name), data.resolve("c").resolve("copy_" + name));
        }
        for (boolean together : new boolean[] {false, true}) {
            List<String> localLog = new ArrayList<>();
            TrainingData local = TrainingData.prepare(settings(data, false, together), Seeds.of(9), localLog::add);

            // what executors would compute where the bytes are, by relative path; the driver reads nothing
            ImageFolder listed = ImageFolder.fromListing("hdfs://nn/data", TestFolders.listing(data));
            FileChecks here = FileChecks.local(ImageDecoder.defaults());
            Map<String, FileChecks.Facts> facts = new java.util.HashMap<>();
            for (LabeledImage im : listed.images()) {
                facts.put(im.relativePath(), here.facts(new LabeledImage(data.resolve(im.relativePath()),
                        im.relativePath(), im.classIndex())));
            }
            List<String> remoteLog = new ArrayList<>();
            TrainingData remote = TrainingData.prepare(listed, settings(data, false, together),
                    FileChecks.precomputed(facts), Seeds.of(9), remoteLog::add);

            assertThat(remote.classes()).isEqualTo(local.classes());
            for (SplitName n : SplitName.values()) {
                assertThat(paths(remote.split().part(n))).as(n + " " + together)
                        .isEqualTo(paths(local.split().part(n))).isNotEmpty();
            }
            assertThat(remote.badImages().list()).isEqualTo(local.badImages().list()).hasSize(2);
            assertThat(remote.duplicates()).isEqualTo(local.duplicates()).hasSize(4);
            assertThat(remote.sha256()).isEqualTo(local.sha256());
            assertThat(remote.fingerprint()).isEqualTo(local.fingerprint());
            assertThat(remoteLog).isEqualTo(localLog);
        }
    }

    @Test
    void dedupeOnAListedFolderIsAUsageErrorNamingIt() {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("a", 3, "b", 3));
        ImageFolder listed = ImageFolder.fromListing("hdfs://nn/data", TestFolders.listing(data));
        DataSettings dedupe = new DataSettings(data.toString(), SplitConfig.defaults(), "none", BadImagePolicy.SKIP,
                2, false, false, true);
        assertThatThrownBy(() -> TrainingData.prepare(listed, dedupe, FileChecks.precomputed(Map.of()), Seeds.of(1),
                l -> { })).isInstanceOf(org.finetune4j.core.UsageException.class)
                .hasMessageContaining("--dedupe: hdfs://nn/data");
    }

    private static List<String> paths(List<LabeledImage> part) {
        return part.stream().map(im -> im.relativePath() + " " + im.classIndex()).toList();
    }
}
