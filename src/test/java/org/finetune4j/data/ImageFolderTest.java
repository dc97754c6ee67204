package org.finetune4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.finetune4j.core.DataException;
import org.finetune4j.core.UsageException;
import org.finetune4j.testing.TestFolders;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

    @TempDir
    Path tmp;

    @Test
    void sortsClassesAndFilesAndLabelsByFolderName() {
        TestFolders.imageFolder(tmp, Map.of("zebra", 2, "ant", 3, "Moth", 1));
        ImageFolder f = ImageFolder.scan(tmp);
        assertThat(f.classes()).containsExactly("Moth", "ant", "zebra");
        assertThat(f.images()).hasSize(6);
        assertThat(f.images()).extracting(LabeledImage::relativePath).isSorted();
        assertThat(f.images()).filteredOn(i -> i.relativePath().startsWith("ant/"))
                .allSatisfy(i -> assertThat(i.classIndex()).isEqualTo(1));
        assertThat(f.isPresplit()).isFalse();
    }

    @Test
    void matchesExtensionsCaseInsensitivelyAndIgnoresHiddenAndOtherFiles() throws Exception {
        TestFolders.imageFolder(tmp, Map.of("a", 1, "b", 1));
        TestImages.write(tmp.resolve("a/UPPER.PNG"), TestImages.pattern(8, 8, 1), "png");
        TestImages.write(tmp.resolve("a/mixed.JpEg"), TestImages.pattern(8, 8, 2), "jpg");
        TestImages.write(tmp.resolve("a/._resource-fork.png"), TestImages.pattern(8, 8, 3), "png");
        TestImages.write(tmp.resolve("a/.hidden/x.png"), TestImages.pattern(8, 8, 4), "png");
        TestImages.write(tmp.resolve(".cache/c/x.png"), TestImages.pattern(8, 8, 5), "png");
        Files.writeString(tmp.resolve("a/notes.txt"), "not an image");
        Files.writeString(tmp.resolve("a/xjpg"), "no dot: not an image");
        ImageFolder f = ImageFolder.scan(tmp);
        assertThat(f.classes()).containsExactly("a", "b");
        assertThat(f.images()).extracting(LabeledImage::relativePath)
                .containsExactly("a/UPPER.PNG", "a/a_00.png", "a/mixed.JpEg", "b/b_00.png");
        assertThat(f.ignoredFiles()).contains("a/notes.txt", "a/xjpg");
    }

    @Test
    void nestedFoldersBelongToTheirClassFolder() {
        TestFolders.imageFolder(tmp, Map.of("cat", 1, "dog", 1));
        TestImages.write(tmp.resolve("cat/indoor/deep/x.png"), TestImages.pattern(8, 8, 9), "png");
        ImageFolder f = ImageFolder.scan(tmp);
        assertThat(f.classes()).containsExactly("cat", "dog");
        assertThat(f.images()).filteredOn(i -> i.relativePath().equals("cat/indoor/deep/x.png"))
                .singleElement().extracting(LabeledImage::classIndex).isEqualTo(0);
    }

    @Test
    void symlinkedClassFoldersAreFollowedAndLoopsIgnored() throws Exception {
        Path elsewhere = TestFolders.imageFolder(tmp.resolve("elsewhere"), Map.of("cat", 2));
        Path root = TestFolders.imageFolder(tmp.resolve("root"), Map.of("dog", 2));
        Files.createSymbolicLink(root.resolve("cat"), elsewhere.resolve("cat"));
        Files.createSymbolicLink(root.resolve("dog/loop"), root.resolve("dog"));
        ImageFolder f = ImageFolder.scan(root);
        assertThat(f.classes()).containsExactly("cat", "dog");
        assertThat(f.images()).hasSize(4);
    }

    @Test
    void emptyClassFolderIsLeftOutWithAWarning() throws Exception {
        TestFolders.imageFolder(tmp, Map.of("a", 2, "b", 2));
        Files.createDirectories(tmp.resolve("empty"));
        ImageFolder f = ImageFolder.scan(tmp);
        assertThat(f.classes()).containsExactly("a", "b");
        assertThat(f.warnings()).anyMatch(w -> w.contains("empty/") && w.contains("no images"));
    }

    @Test
    void missingFolderIsAUsageErrorAndCreatesNothing() {
        Path missing = tmp.resolve("no-such-folder");
        assertThatThrownBy(() -> ImageFolder.scan(missing)).isInstanceOf(UsageException.class)
                .hasMessageContaining("--data").hasMessageContaining("no such folder");
        // DataVec's FileSplit creates an empty file at a missing absolute path; we must not
        assertThat(missing).doesNotExist();
    }

    @Test
    void aFileInsteadOfAFolderIsAUsageError() throws Exception {
        Path file = Files.writeString(tmp.resolve("x.txt"), "x");
        assertThatThrownBy(() -> ImageFolder.scan(file)).isInstanceOf(UsageException.class)
                .hasMessageContaining("not a folder");
    }

    @Test
    void folderWithNoImagesIsAClearError() throws Exception {
        Files.createDirectories(tmp.resolve("cat"));
        Files.createDirectories(tmp.resolve("dog"));
        Files.writeString(tmp.resolve("cat/readme.txt"), "x");
        assertThatThrownBy(() -> ImageFolder.scan(tmp)).isInstanceOf(DataException.class)
                .hasMessageContaining("found 0 images in 2 class folder(s) (cat/, dog/)")
                .hasMessageContaining("Supported extensions: bmp, gif, jpeg, jpg, png, tif, tiff, webp");
    }

    @Test
    void folderWithNoClassFoldersIsAClearError() {
        TestImages.write(tmp.resolve("a.png"), TestImages.pattern(8, 8, 1), "png");
        assertThatThrownBy(() -> ImageFolder.scan(tmp)).isInstanceOf(DataException.class)
                .hasMessageContaining("found no class folders").hasMessageContaining("ROOT/<class>/<image>");
    }

    @Test
    void singleClassIsAClearError() {
        TestFolders.imageFolder(tmp, Map.of("only", 3));
        assertThatThrownBy(() -> ImageFolder.scan(tmp)).isInstanceOf(DataException.class)
                .hasMessageContaining("only one class (only/)").hasMessageContaining("at least 2");
    }

    @Test
    void preSplitLayoutIsUsedAsGivenWithOneLabelListAcrossSplits() {
        TestFolders.imageFolder(tmp.resolve("train"), Map.of("cat", 3, "dog", 3, "fox", 2));
        TestFolders.imageFolder(tmp.resolve("val"), Map.of("dog", 1, "fox", 1));   // no cat in val
        TestFolders.imageFolder(tmp.resolve("test"), Map.of("cat", 1, "fox", 2));
        ImageFolder f = ImageFolder.scan(tmp);
        assertThat(f.isPresplit()).isTrue();
        assertThat(f.classes()).containsExactly("cat", "dog", "fox");
        Split s = f.presplit().orElseThrow();
        assertThat(s.train()).hasSize(8);
        assertThat(s.val()).extracting(LabeledImage::relativePath).containsExactly("val/dog/dog_00.png",
                "val/fox/fox_00.png");
        // a split lacking a class keeps the full label list: fox stays 2, not renumbered to 1
        assertThat(s.val()).extracting(LabeledImage::classIndex).containsExactly(1, 2);
        assertThat(s.test()).extracting(LabeledImage::classIndex).containsExactly(0, 2, 2);
        assertThat(f.warnings()).anyMatch(w -> w.contains("val/") && w.contains("\"cat\" has no images"));
        StratifiedSplitter.SplitResult r = StratifiedSplitter.split(f, SplitConfig.defaults(),
                org.finetune4j.core.Seeds.of(1));
        assertThat(r.split()).isEqualTo(s);
    }

    @Test
    void preSplitClassMissingFromTrainIsAnError() {
        TestFolders.imageFolder(tmp.resolve("train"), Map.of("cat", 2, "dog", 2));
        TestFolders.imageFolder(tmp.resolve("test"), Map.of("cat", 1, "emu", 1));
        assertThatThrownBy(() -> ImageFolder.scan(tmp)).isInstanceOf(DataException.class)
                .hasMessageContaining("\"emu\"").hasMessageContaining("none in train/");
    }

    @Test
    void preSplitMixedWithClassFoldersIsAnError() {
        TestFolders.imageFolder(tmp.resolve("train"), Map.of("cat", 2, "dog", 2));
        TestFolders.imageFolder(tmp.resolve("val"), Map.of("cat", 1, "dog", 1));
        TestFolders.imageFolder(tmp, Map.of("bird", 2));
        assertThatThrownBy(() -> ImageFolder.scan(tmp)).isInstanceOf(DataException.class)
                .hasMessageContaining("mixes a pre-split layout").hasMessageContaining("bird/");
    }

    /** The parts of a folder a listing must reproduce; images as relative path and class index (no local file). */
    private static List<String> summary(ImageFolder f) {
        List<String> out = new ArrayList<>();
        out.add("classes " + f.classes());
        f.images().forEach(im -> out.add(im.relativePath() + " " + im.classIndex()));
        out.add("presplit " + f.isPresplit());
        f.presplit().ifPresent(s -> {
            for (SplitName n : SplitName.values()) {
                s.part(n).forEach(im -> out.add(n + " " + im.relativePath() + " " + im.classIndex()));
            }
        });
        out.add("ignored " + new java.util.TreeSet<>(f.ignoredFiles()));
        return out;
    }

    private static List<String> warningsWithout(ImageFolder f, String location) {
        return f.warnings().stream().map(w -> w.replace(location, "ROOT")).toList();
    }

    @Test
    void aListingOfTheShapesTargetSetGivesTheScannedFolder() {
        Path target = ShapesGenerator.ensureSet(ShapesConfig.defaults(), tmp, ShapesSet.TARGET,
                ShapesGenerator.Listener.NONE).dir();
        ImageFolder walked = ImageFolder.scan(target);
        ImageFolder listed = ImageFolder.fromListing("hdfs://nn/shapes-target", TestFolders.listing(target));
        assertThat(walked.images()).hasSizeGreaterThan(100);
        assertThat(summary(listed)).isEqualTo(summary(walked));
        assertThat(listed.isLocal()).isFalse();
        assertThat(listed.images()).allSatisfy(im -> assertThat(im.file()).isNull());
        assertThat(listed.location()).isEqualTo("hdfs://nn/shapes-target");
        assertThatThrownBy(listed::root).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("hdfs://nn/shapes-target");
        // the split is the one the walked folder gets, image for image
        SplitConfig cfg = SplitConfig.defaults();
        Split a = StratifiedSplitter.split(walked, cfg, org.finetune4j.core.Seeds.of(7)).split();
        Split b = StratifiedSplitter.split(listed, cfg, org.finetune4j.core.Seeds.of(7)).split();
        for (SplitName n : SplitName.values()) {
            assertThat(b.part(n)).extracting(LabeledImage::relativePath)
                    .isEqualTo(a.part(n).stream().map(LabeledImage::relativePath).toList());
        }
    }

    @Test
    void aListingFollowsTheRulesForHiddenNestedIgnoredAndEmptyFolders() throws Exception {
        TestFolders.imageFolder(tmp, Map.of("a", 2, "b", 1));
        TestImages.write(tmp.resolve("a/UPPER.PNG"), TestImages.pattern(8, 8, 1), "png");
        TestImages.write(tmp.resolve("a/._resource-fork.png"), TestImages.pattern(8, 8, 3), "png");
        TestImages.write(tmp.resolve("a/.hidden/x.png"), TestImages.pattern(8, 8, 4), "png");
        TestImages.write(tmp.resolve(".cache/c/x.png"), TestImages.pattern(8, 8, 5), "png");
        TestImages.write(tmp.resolve("b/deep/er/y.jpg"), TestImages.pattern(8, 8, 6), "jpg");
        Files.writeString(tmp.resolve("a/notes.txt"), "not an image");
        Files.writeString(tmp.resolve("stray.png"), "top level");
        Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(tmp.resolve("textonly.d"), "a file, not a class");
        Files.createDirectories(tmp.resolve("textonly/sub"));
        Files.writeString(tmp.resolve("textonly/sub/readme.txt"), "no images");
        ImageFolder walked = ImageFolder.scan(tmp);
        ImageFolder listed = ImageFolder.fromListing("s3a://bucket/photos/", TestFolders.listing(tmp));
        assertThat(summary(listed)).isEqualTo(summary(walked));
        assertThat(listed.images()).extracting(LabeledImage::relativePath).contains("b/deep/er/y.jpg")
                .doesNotContain("a/.hidden/x.png", "a/._resource-fork.png");
        assertThat(warningsWithout(listed, "s3a://bucket/photos")).isEqualTo(warningsWithout(walked,
                tmp.toString()));
        assertThat(listed.warnings()).anyMatch(w -> w.contains("empty/") && w.contains("no images"))
                .anyMatch(w -> w.startsWith("s3a://bucket/photos: 2 file(s) at the top level"));
    }

    @Test
    void aListingOfAPreSplitFolderGivesTheScannedSplit() throws Exception {
        TestFolders.imageFolder(tmp.resolve("train"), Map.of("cat", 3, "dog", 3, "fox", 2));
        TestFolders.imageFolder(tmp.resolve("val"), Map.of("dog", 1, "fox", 1));
        TestFolders.imageFolder(tmp.resolve("test"), Map.of("cat", 1, "fox", 2));
        Files.writeString(tmp.resolve("val/loose.png"), "belongs to no class");
        Files.createDirectories(tmp.resolve("train/emu"));
        ImageFolder walked = ImageFolder.scan(tmp);
        ImageFolder listed = ImageFolder.fromListing("file:///data/pre", TestFolders.listing(tmp));
        assertThat(listed.isPresplit()).isTrue();
        assertThat(summary(listed)).isEqualTo(summary(walked));
        assertThat(warningsWithout(listed, "file:///data/pre")).isEqualTo(warningsWithout(walked, tmp.toString()));
        assertThat(listed.warnings()).anyMatch(w -> w.contains("val/loose.png"))
                .anyMatch(w -> w.contains("train/emu/"));
    }

    @Test
    void aListingWithOneClassIsTheSameErrorNamingTheLocation() {
        TestFolders.imageFolder(tmp, Map.of("only", 3));
        assertThatThrownBy(() -> ImageFolder.fromListing("hdfs://nn/one", TestFolders.listing(tmp)))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("hdfs://nn/one: found only one class (only/)");
    }
}
