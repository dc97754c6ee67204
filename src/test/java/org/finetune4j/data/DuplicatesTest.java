package org.finetune4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DuplicatesTest {

    private static LabeledImage im(String path) {
        return new LabeledImage(Path.of(path), path, path.startsWith("a/") ? 0 : 1);
    }

    private static final List<String> CLASSES = List.of("a", "b");

    @Test
    void copiesAcrossTheSplitAreMovedIntoThePartOfTheFirstCopy() {
        Split split = new Split(List.of(im("a/1.png"), im("a/3.png"), im("b/1.png")), List.of(im("a/2.png")),
                List.of(im("a/0.png"), im("b/2.png")));
        // a/0.png (test) = a/3.png (train); b/1.png (train) = b/2.png (test); a/1.png and a/2.png are unique
        Map<String, String> sha = Map.of("a/0.png", "x", "a/3.png", "x", "b/1.png", "y", "b/2.png", "y",
                "a/1.png", "p", "a/2.png", "q");
        List<LabeledImage> all = List.of(im("a/0.png"), im("a/1.png"), im("a/2.png"), im("a/3.png"), im("b/1.png"),
                im("b/2.png"));
        List<DatasetReport.DuplicateGroup> groups = Duplicates.find(all, sha, CLASSES, split);
        assertThat(groups).hasSize(2).allMatch(DatasetReport.DuplicateGroup::isLeak);
        assertThat(Duplicates.leakWarning(groups)).startsWith("2 group(s)").contains("--keep-duplicates-together");

        Split together = Duplicates.keepTogether(split, groups);

        assertThat(together.train()).extracting(LabeledImage::relativePath).containsExactly("a/1.png", "b/1.png",
                "b/2.png");
        assertThat(together.val()).extracting(LabeledImage::relativePath).containsExactly("a/2.png");
        assertThat(together.test()).extracting(LabeledImage::relativePath).containsExactly("a/0.png", "a/3.png");
        assertThat(Duplicates.find(all, sha, CLASSES, together)).noneMatch(DatasetReport.DuplicateGroup::isLeak);
        assertThat(Duplicates.keepTogether(split, groups)).isEqualTo(together);   // deterministic
    }

    @Test
    void aSplitWithoutLeaksIsReturnedUnchanged() {
        Split split = new Split(List.of(im("a/1.png"), im("a/2.png")), List.of(im("b/1.png")), List.of());
        Map<String, String> sha = Map.of("a/1.png", "x", "a/2.png", "x", "b/1.png", "y");
        List<DatasetReport.DuplicateGroup> groups = Duplicates.find(split.train().stream().toList(), sha, CLASSES,
                split);
        assertThat(groups).singleElement().satisfies(g -> assertThat(g.isLeak()).isFalse());
        assertThat(Duplicates.keepTogether(split, groups)).isSameAs(split);
        assertThat(Duplicates.leakWarning(groups)).isNull();
    }
}
