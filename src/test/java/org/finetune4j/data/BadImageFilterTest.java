package org.finetune4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.finetune4j.core.Seeds;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.TestFolders;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadImageFilterTest {

    @TempDir
    Path tmp;

    private Split split;

    @BeforeEach
    void folderWithEveryKindOfBadFile() {
        TestFolders.imageFolder(tmp, Map.of("a", 10, "b", 10));
        TestImages.empty(tmp.resolve("a/empty.png"));
        TestImages.truncatedJpeg(tmp.resolve("a/cut.jpg"), 0.5);
        TestImages.truncatedPng(tmp.resolve("b/cut.png"), 0.5);
        TestImages.notAnImage(tmp.resolve("b/text.jpg"));
        TestImages.hugeDimensionPng(tmp.resolve("b/bomb.png"), 20000, 20000);
        split = StratifiedSplitter.split(ImageFolder.scan(tmp), SplitConfig.defaults(), Seeds.of(1)).split();
    }

    @Test
    void skipLeavesBadFilesOutAndListsThemSortedWithReasons() {
        BadImageFilter.Result r = BadImageFilter.screen(split, ImageDecoder.defaults(), BadImagePolicy.SKIP, 2);
        assertThat(r.bad()).extracting(BadImage::relativePath)
                .containsExactly("a/cut.jpg", "a/empty.png", "b/bomb.png", "b/cut.png", "b/text.jpg");
        assertThat(r.bad()).extracting(BadImage::reason).allSatisfy(reason -> assertThat(reason).isNotBlank());
        int kept = r.split().train().size() + r.split().val().size() + r.split().test().size();
        assertThat(kept).isEqualTo(20);
        // the split of the good files is unchanged by the bad ones
        assertThat(r.split().test()).isEqualTo(split.test().stream()
                .filter(i -> !i.relativePath().matches(".*(empty|cut|text|bomb).*")).toList());
    }

    @Test
    void failStopsNamingTheFirstBadFile() {
        assertThatThrownBy(() -> BadImageFilter.screen(split, ImageDecoder.defaults(), BadImagePolicy.FAIL, 2))
                .isInstanceOf(BadImageException.class).hasMessageStartingWith("a/cut.jpg: truncated JPEG")
                .hasMessageContaining("5 bad file(s)");
    }

    @Test
    void inspectWithFailPolicyExitsOneNamingTheFile() {
        Cli.Result r = Cli.run("inspect", "--data", tmp.toString(), "--on-bad-image", "fail", "--quiet");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("b/bomb.png: absurd dimensions 20000×20000");
        assertThat(r.err()).startsWith("finetune4j: a/cut.jpg: truncated JPEG");
        Cli.Result skip = Cli.run("inspect", "--data", tmp.toString(), "--quiet");
        assertThat(skip.exitCode()).isZero();
    }

    @Test
    void logListsFilesOnceSortedWhateverTheOrderOfArrival() {
        BadImageLog log = new BadImageLog();
        log.add(new BadImage("z.png", "empty file (0 bytes)"));
        log.add(new BadImage("a.png", "truncated PNG"));
        log.add(new BadImage("z.png", "second report"));
        assertThat(log.list()).containsExactly(new BadImage("a.png", "truncated PNG"),
                new BadImage("z.png", "empty file (0 bytes)"));
    }
}
