package org.finetune4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.finetune4j.core.Seeds;
import org.finetune4j.testing.TestFolders;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetInspectorTest {

    @TempDir
    Path tmp;

    private DatasetReport inspect(Path root) {
        return new DatasetInspector(ImageDecoder.defaults(), 2)
                .inspect(ImageFolder.scan(root), SplitConfig.defaults(), Seeds.of(12345), done -> { });
    }

    @Test
    void findsPlantedLeakImbalanceAndBadFiles() throws Exception {
        TestFolders.imageFolder(tmp, Map.of("big", 40, "small", 8));
        // a leak: copy a test image of "big" into its training part under another name
        Split split = StratifiedSplitter.split(ImageFolder.scan(tmp), SplitConfig.defaults(), Seeds.of(12345))
                .split();
        LabeledImage testImage = split.test().get(0);
        Files.copy(testImage.file(), tmp.resolve("big/zz_copy_of_test.png"), StandardCopyOption.REPLACE_EXISTING);
        TestImages.empty(tmp.resolve("small/empty.png"));
        TestImages.truncatedJpeg(tmp.resolve("small/cut.jpg"), 0.5);

        DatasetReport r = inspect(tmp);

        assertThat(r.imageCount()).isEqualTo(51);
        assertThat(r.badImages()).extracting(BadImage::relativePath).containsExactly("small/cut.jpg",
                "small/empty.png");
        assertThat(r.badImages().get(0).reason()).startsWith("truncated JPEG");
        assertThat(r.classes()).extracting(DatasetReport.ClassCount::total).containsExactly(41, 8);
        assertThat(r.imbalanceRatio()).isCloseTo(41.0 / 8, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.warnings()).anyMatch(w -> w.startsWith("class imbalance"));

        assertThat(r.duplicates()).hasSize(1);
        DatasetReport.DuplicateGroup g = r.duplicates().get(0);
        assertThat(g.files()).containsExactlyInAnyOrder(testImage.relativePath(), "big/zz_copy_of_test.png");
        // the copy landed in train or val; either way the group straddles the boundary
        assertThat(g.isLeak()).isTrue();
        assertThat(r.leaks()).hasSize(1);
        assertThat(r.warnings()).anyMatch(w -> w.contains("straddle"));
    }

    @Test
    void aClassWithoutUsableImagesIsNamedAndLeftOutOfTheImbalanceRatio() {
        TestFolders.imageFolder(tmp, Map.of("good", 6, "other", 5));
        TestImages.empty(tmp.resolve("bad/a.png"));
        TestImages.truncatedJpeg(tmp.resolve("bad/b.jpg"), 0.5);

        DatasetReport r = inspect(tmp);

        assertThat(r.imbalanceRatio()).isCloseTo(6.0 / 5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.warnings()).noneMatch(w -> w.contains("Infinity")).noneMatch(w -> w.startsWith("class imbalance"))
                .anyMatch(w -> w.contains("\"bad\" has no usable images") && w.contains("--drop-empty-classes"));
    }

    @Test
    void duplicatesWithinOneSplitAreNotLeaksAndCrossClassCopiesAreLabelConflicts() {
        TestFolders.imageFolder(tmp.resolve("train"), Map.of("a", 3, "b", 3));
        TestFolders.imageFolder(tmp.resolve("test"), Map.of("a", 1, "b", 1));
        byte[] same = TestImages.encode(TestImages.pattern(9, 9, 999), "png");
        TestImages.writeBytes(tmp.resolve("train/a/dup1.png"), same);
        TestImages.writeBytes(tmp.resolve("train/b/dup2.png"), same);
        DatasetReport r = inspect(tmp);
        assertThat(r.layout()).isEqualTo("pre-split");
        assertThat(r.duplicates()).singleElement().satisfies(g -> {
            assertThat(g.isLeak()).isFalse();
            assertThat(g.isLabelConflict()).isTrue();
            assertThat(g.splits()).containsExactly("train");
        });
    }

    @Test
    void sizeStatisticsAndFormatsComeFromTheFiles() {
        TestImages.write(tmp.resolve("a/1.png"), TestImages.pattern(10, 20, 1), "png");
        TestImages.write(tmp.resolve("a/2.jpg"), TestImages.pattern(30, 10, 2), "jpg");
        TestImages.write(tmp.resolve("b/3.png"), TestImages.pattern(20, 20, 3), "png");
        DatasetReport r = new DatasetInspector(ImageDecoder.defaults(), 1)
                .inspect(ImageFolder.scan(tmp), new SplitConfig(0, 0), Seeds.of(1), done -> { });
        assertThat(r.sizes()).isEqualTo(new DatasetReport.SizeStats(10, 20, 30, 10, 20, 20, 0.5, 3.0));
        assertThat(r.formats()).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of("jpeg", 1, "png", 2)));
    }

    @Test
    void resultDoesNotDependOnTheNumberOfThreads() {
        TestFolders.imageFolder(tmp, Map.of("a", 15, "b", 15));
        TestImages.notAnImage(tmp.resolve("a/bad.jpg"));
        DatasetReport one = new DatasetInspector(ImageDecoder.defaults(), 1)
                .inspect(ImageFolder.scan(tmp), SplitConfig.defaults(), Seeds.of(3), d -> { });
        DatasetReport four = new DatasetInspector(ImageDecoder.defaults(), 4)
                .inspect(ImageFolder.scan(tmp), SplitConfig.defaults(), Seeds.of(3), d -> { });
        assertThat(four).isEqualTo(one);
    }
}
