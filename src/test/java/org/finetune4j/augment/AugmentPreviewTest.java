package org.finetune4j.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.testing.TestFolders;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AugmentPreviewTest {

    @TempDir
    Path tmp;

    @Test
    void writesAPngGridOfTheExpectedSizeWithOneRowPerImage() throws IOException {
        ImageFolder folder = ImageFolder.scan(TestFolders.imageFolder(tmp.resolve("data"),
                Map.of("cat", 3, "dog", 3)));
        Path out = tmp.resolve("out/grid.png");
        AugmentPreview.Result r = AugmentPreview.write(out, folder, RecipeLoader.load("flip-crop"),
                AugmentPreview.Config.of(4, 3, ImageSize.square(32)), Seeds.of(1));
        BufferedImage png = ImageIO.read(out.toFile());
        // 32-px inputs are shown 4x (128-px cells); 1 original + 3 versions, 8-px margins
        assertThat(png.getWidth()).isEqualTo(8 + 4 * (128 + 8)).isEqualTo(r.widthPx());
        assertThat(png.getHeight()).isEqualTo(r.heightPx()).isGreaterThan(4 * 128);
        assertThat(r.rows()).extracting(AugmentPreview.Row::image)
                .containsExactly("cat/cat_00.png", "dog/dog_00.png", "cat/cat_01.png", "dog/dog_01.png");
        assertThat(r.rows()).extracting(AugmentPreview.Row::className).containsExactly("cat", "dog", "cat", "dog");
        assertThat(r.rows().get(0).versions()).hasSize(3);
        assertThat(r.rows().get(0).versions().get(0)).anyMatch(d -> d.startsWith("crop at "));
        assertThat(r.recipe()).isEqualTo("augment/flip-crop.yaml");
        try (Stream<Path> files = Files.list(out.getParent())) {
            assertThat(files.toList()).containsExactly(out);      // no temporary file left behind
        }
    }

    @Test
    void theSameSeedDrawsTheSameGrid() throws IOException {
        ImageFolder folder = ImageFolder.scan(TestFolders.imageFolder(tmp.resolve("data"),
                Map.of("a", 2, "b", 2)));
        AugmentPreview.Config config = AugmentPreview.Config.of(2, 2, ImageSize.square(16));
        AugmentPreview.write(tmp.resolve("1.png"), folder, RecipeLoader.load("creative"), config, Seeds.of(5));
        AugmentPreview.write(tmp.resolve("2.png"), folder, RecipeLoader.load("creative"), config, Seeds.of(5));
        assertThat(Files.readAllBytes(tmp.resolve("1.png"))).isEqualTo(Files.readAllBytes(tmp.resolve("2.png")));
    }

    @Test
    void badFilesAreSkippedAndListed() {
        Path data = TestFolders.imageFolder(tmp.resolve("data"), Map.of("a", 1, "b", 1));
        TestImages.empty(data.resolve("a/a_00.png"));
        AugmentPreview.Result r = AugmentPreview.write(tmp.resolve("g.png"), ImageFolder.scan(data),
                Recipe.defaults(), AugmentPreview.Config.of(3, 1, ImageSize.square(16)), Seeds.of(1));
        assertThat(r.rows()).extracting(AugmentPreview.Row::image).containsExactly("b/b_00.png");
        assertThat(r.skipped()).singleElement().satisfies(b -> assertThat(b.relativePath()).isEqualTo("a/a_00.png"));
        assertThatThrownBy(() -> AugmentPreview.write(tmp.resolve("f.png"), ImageFolder.scan(data),
                Recipe.defaults(), new AugmentPreview.Config(3, 1, ImageSize.square(16), BadImagePolicy.FAIL),
                Seeds.of(1)))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("a/a_00.png: empty file (0 bytes) (--on-bad-image fail)");
        assertThat(tmp.resolve("f.png")).doesNotExist();
    }

    @Test
    void imagesAreTakenInTurnFromEachClass() {
        ImageFolder folder = ImageFolder.scan(TestFolders.imageFolder(tmp.resolve("data"),
                Map.of("a", 3, "b", 1, "c", 2)));
        List<String> order = AugmentPreview.pick(folder).stream()
                .map(i -> folder.images().get(i).relativePath()).toList();
        assertThat(order).containsExactly("a/a_00.png", "b/b_00.png", "c/c_00.png", "a/a_01.png", "c/c_01.png",
                "a/a_02.png");
    }

    @Test
    void gridSizesAreValidated() {
        assertThatThrownBy(() -> AugmentPreview.Config.of(0, 3, ImageSize.square(64)))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("--images 0: out of range.");
        assertThatThrownBy(() -> AugmentPreview.Config.of(3, 33, ImageSize.square(64)))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("--versions 33: out of range.");
    }
}
