package org.finetune4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.finetune4j.core.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapesGeneratorTest {

    /** Two images per class: 40 source and 20 target images, a fraction of a second to write. */
    private static final ShapesConfig SMALL = ShapesConfig.defaults().withPerClass(2, 2);

    @TempDir
    Path tmp;

    @Test
    void sameSeedGivesByteIdenticalFiles() throws IOException {
        Map<String, String> first = hashes(ShapesGenerator.generate(SMALL, tmp.resolve("a")));
        Map<String, String> second = hashes(ShapesGenerator.generate(SMALL, tmp.resolve("b")));

        assertThat(first).hasSize(2 + 20 * 2 + 10 * 2);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void differentSeedGivesDifferentImages() throws IOException {
        Map<String, String> first = hashes(ShapesGenerator.generate(SMALL, tmp.resolve("a")));
        ShapesConfig reseeded = SMALL.withSeed(SMALL.seed() + 1);
        Map<String, String> other = hashes(ShapesGenerator.generate(reseeded, tmp.resolve("b")));

        assertThat(other.keySet()).isEqualTo(first.keySet());
        for (String file : first.keySet()) {
            if (file.endsWith(".png")) {
                assertThat(other.get(file)).as(file).isNotEqualTo(first.get(file));
            }
        }
    }

    @Test
    void writesOneFolderPerClassWithNumberedImagesAndAMarker() throws IOException {
        ShapesConfig cfg = ShapesConfig.defaults().withPerClass(3, 2);
        ShapesResult result = ShapesGenerator.generate(cfg, tmp);

        assertThat(result.source().dir()).isEqualTo(tmp.resolve("shapes-source"));
        assertThat(result.target().dir()).isEqualTo(tmp.resolve("shapes-target"));
        assertThat(result.source().imagesWritten()).isEqualTo(60);
        assertThat(result.target().imagesWritten()).isEqualTo(20);
        assertThat(result.source().imageCount()).isEqualTo(60);
        for (ShapesSet set : ShapesSet.values()) {
            Path dir = tmp.resolve(set.folderName());
            assertThat(listNames(dir)).containsExactlyElementsOf(
                    Stream.concat(Stream.of(".complete"), set.classNames().stream()).sorted().toList());
            for (String className : set.classNames()) {
                List<String> expected = new ArrayList<>();
                for (int i = 1; i <= cfg.perClass(set); i++) {
                    expected.add(String.format(Locale.ROOT, "%s_%04d.png", className, i));
                }
                assertThat(listNames(dir.resolve(className))).containsExactlyElementsOf(expected);
            }
            assertThat(Files.readString(dir.resolve(".complete")))
                    .contains("set: " + set.folderName(), "seed: " + cfg.seed(), "per-class: " + cfg.perClass(set))
                    .doesNotContain(tmp.toString());
        }
    }

    @Test
    void classListsAreDisjointSortedKebabCaseAndEachHasAShape() {
        assertThat(ShapesGenerator.SOURCE_CLASSES).hasSize(20).doesNotHaveDuplicates().isSorted();
        assertThat(ShapesGenerator.TARGET_CLASSES).hasSize(10).doesNotHaveDuplicates().isSorted();
        assertThat(ShapesGenerator.SOURCE_CLASSES).doesNotContainAnyElementsOf(ShapesGenerator.TARGET_CLASSES);
        Set<String> all = new HashSet<>(ShapesGenerator.SOURCE_CLASSES);
        all.addAll(ShapesGenerator.TARGET_CLASSES);
        assertThat(all).allMatch(name -> name.matches("[a-z0-9]+(-[a-z0-9]+)*"));
        assertThat(Arrays.stream(ShapeKind.values()).map(ShapeKind::className).collect(Collectors.toSet()))
                .isEqualTo(all);
        assertThat(ShapesSet.SOURCE.classNames()).isSameAs(ShapesGenerator.SOURCE_CLASSES);
        assertThat(ShapesSet.TARGET.classNames()).isSameAs(ShapesGenerator.TARGET_CLASSES);
    }

    @Test
    void imageSidesStayInTheConfiguredRangeAndVary() throws IOException {
        ShapesConfig cfg = ShapesConfig.defaults().withPerClass(2, 2).withSidesPx(40, 60);
        ShapesGenerator.generate(cfg, tmp);

        Set<Integer> widths = new HashSet<>();
        Set<Double> aspects = new HashSet<>();
        try (Stream<Path> files = Files.walk(tmp)) {
            for (Path png : files.filter(p -> p.toString().endsWith(".png")).toList()) {
                BufferedImage img = ImageIO.read(png.toFile());
                assertThat(img).as(png.toString()).isNotNull();
                assertThat(img.getWidth()).as(png.toString()).isBetween(40, 60);
                assertThat(img.getHeight()).as(png.toString()).isBetween(40, 60);
                widths.add(img.getWidth());
                aspects.add((double) img.getWidth() / img.getHeight());
            }
        }
        assertThat(widths.size()).isGreaterThan(5);
        assertThat(aspects).anyMatch(a -> a < 0.85).anyMatch(a -> a > 1.15);
    }

    @Test
    void writtenFilesHoldExactlyTheRenderedPixels() throws IOException {
        ShapesResult result = ShapesGenerator.generate(SMALL, tmp);
        int classIndex = 3;
        String className = ShapesSet.TARGET.classNames().get(classIndex);

        BufferedImage rendered = ShapesGenerator.render(SMALL, ShapesSet.TARGET, classIndex, 1);
        BufferedImage read = ImageIO.read(
                result.target().dir().resolve(className).resolve(ShapesGenerator.fileName(className, 1)).toFile());

        assertThat(read.getWidth()).isEqualTo(rendered.getWidth());
        assertThat(read.getHeight()).isEqualTo(rendered.getHeight());
        assertThat(rgb(read)).isEqualTo(rgb(rendered));
    }

    @Test
    void imagesOfOneClassVaryInColourAndContent() {
        for (ShapesSet set : ShapesSet.values()) {
            int classIndex = 1;
            Set<String> distinct = new HashSet<>();
            double[] meanLuma = new double[16];
            double[] meanRed = new double[16];
            for (int i = 0; i < meanLuma.length; i++) {
                BufferedImage img = ShapesGenerator.render(SMALL, set, classIndex, i);
                int[] px = rgb(img);
                distinct.add(sha256(intsToBytes(px)));
                for (int c : px) {
                    meanLuma[i] += luma(c) / px.length;
                    meanRed[i] += ((c >> 16) & 0xFF) / (double) px.length;
                }
            }
            assertThat(distinct).as("distinct images in %s", set).hasSize(16);
            assertThat(std(meanLuma)).as("std of mean brightness in %s", set).isGreaterThan(15);
            assertThat(std(meanRed)).as("std of mean red in %s", set).isGreaterThan(15);
        }
    }

    /**
     * The visible shape must cover a sane part of the image and stand out from its surroundings: the pixels just
     * inside the shape's outline differ from those just outside. Without the shape fill both sides would show the
     * same background, and only noise would separate them (mean distance under 25 of 441).
     */
    @Test
    void everyClassDrawsAVisibleShape() {
        for (ShapesSet set : ShapesSet.values()) {
            for (int c = 0; c < set.classNames().size(); c++) {
                String className = set.classNames().get(c);
                double[] contrasts = new double[8];
                for (int i = 0; i < contrasts.length; i++) {
                    ShapePainter.Painted p = ShapesGenerator.paint(SMALL, set, c, i);
                    int w = p.image().getWidth();
                    int h = p.image().getHeight();
                    double area = (double) count(p.shapeMask()) / (w * h);
                    assertThat(area).as("%s #%d visible shape area fraction", className, i).isBetween(0.01, 0.8);
                    contrasts[i] = edgeContrast(p.image(), p.shapeMask());
                }
                Arrays.sort(contrasts);
                assertThat(contrasts[contrasts.length / 2]).as("%s median edge contrast", className)
                        .isGreaterThan(60);
                assertThat(contrasts[0]).as("%s lowest edge contrast", className).isGreaterThan(15);
            }
        }
    }

    @Test
    void shapeMasksDifferBetweenClassesForTheSameImageIndex() {
        Set<String> masks = new HashSet<>();
        ShapesConfig fixedSize = ShapesConfig.defaults().withSidesPx(64, 64);
        for (int c = 0; c < ShapesSet.SOURCE.classNames().size(); c++) {
            boolean[] mask = ShapesGenerator.paint(fixedSize, ShapesSet.SOURCE, c, 0).shapeMask();
            masks.add(Arrays.toString(mask));
        }
        assertThat(masks).hasSize(20);
    }

    @Test
    void ensureReusesACompleteSetAndLeavesItsFilesUntouched() throws IOException {
        ShapesResult first = ShapesGenerator.ensure(SMALL, tmp);
        assertThat(first.source().reused()).isFalse();
        assertThat(first.target().reused()).isFalse();
        Path probe = first.target().dir().resolve("kite").resolve("kite_0001.png");
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(probe, old);
        AtomicInteger calls = new AtomicInteger();

        ShapesResult second = ShapesGenerator.ensure(SMALL, tmp, (set, written, total) -> calls.incrementAndGet());

        assertThat(second.source().reused()).isTrue();
        assertThat(second.target().reused()).isTrue();
        assertThat(second.source().imagesWritten()).isZero();
        assertThat(calls).hasValue(0);
        assertThat(Files.getLastModifiedTime(probe)).isEqualTo(old);
        assertThat(ShapesGenerator.isComplete(SMALL, tmp, ShapesSet.SOURCE)).isTrue();
    }

    @Test
    void ensureRegeneratesASetWithAMissingFileOrOtherSettings() throws IOException {
        ShapesGenerator.ensure(SMALL, tmp);
        Files.delete(tmp.resolve("shapes-target").resolve("star4").resolve("star4_0002.png"));
        assertThat(ShapesGenerator.isComplete(SMALL, tmp, ShapesSet.TARGET)).isFalse();

        ShapesResult repaired = ShapesGenerator.ensure(SMALL, tmp);
        assertThat(repaired.source().reused()).isTrue();
        assertThat(repaired.target().reused()).isFalse();
        assertThat(tmp.resolve("shapes-target").resolve("star4").resolve("star4_0002.png")).isRegularFile();

        ShapesConfig reseeded = SMALL.withSeed(7);
        assertThat(ShapesGenerator.isComplete(reseeded, tmp, ShapesSet.SOURCE)).isFalse();
        ShapesResult regenerated = ShapesGenerator.ensure(reseeded, tmp);
        assertThat(regenerated.source().reused()).isFalse();
        assertThat(regenerated.target().reused()).isFalse();
        assertThat(Files.readString(tmp.resolve("shapes-source").resolve(".complete"))).contains("seed: 7");
    }

    @Test
    void ensureOfOneSetWritesOnlyThatSet() {
        ShapesResult.SetSummary target = ShapesGenerator.ensureSet(SMALL, tmp, ShapesSet.TARGET,
                ShapesGenerator.Listener.NONE);

        assertThat(target.dir()).isEqualTo(tmp.resolve("shapes-target"));
        assertThat(tmp.resolve("shapes-source")).doesNotExist();
        assertThat(ShapesGenerator.isComplete(SMALL, tmp, ShapesSet.TARGET)).isTrue();
    }

    @Test
    void regeneratingWithFewerImagesRemovesSurplusNumberedImagesOnly() throws IOException {
        ShapesGenerator.generate(ShapesConfig.defaults().withPerClass(1, 3), tmp);
        Path kite = tmp.resolve("shapes-target").resolve("kite");
        Files.writeString(kite.resolve("notes.txt"), "mine");

        ShapesGenerator.generate(ShapesConfig.defaults().withPerClass(1, 1), tmp);

        assertThat(listNames(kite)).containsExactly("kite_0001.png", "notes.txt");
    }

    @Test
    void listenerSeesEveryImageInOrder() {
        List<String> events = new ArrayList<>();
        ShapesGenerator.generate(ShapesConfig.defaults().withPerClass(1, 1), tmp,
                (set, written, total) -> events.add(set.folderName() + " " + written + "/" + total));

        assertThat(events).hasSize(30);
        assertThat(events.get(0)).isEqualTo("shapes-source 1/20");
        assertThat(events.get(19)).isEqualTo("shapes-source 20/20");
        assertThat(events.get(29)).isEqualTo("shapes-target 10/10");
    }

    @Test
    void rejectsAnOutputPathThatIsAFileAndNamesIt() throws IOException {
        Path file = Files.writeString(tmp.resolve("data"), "not a folder");

        assertThatThrownBy(() -> ShapesGenerator.ensure(SMALL, file))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a folder")
                .hasMessageContaining("Expected a folder");
    }

    @Test
    void validationNamesTheOptionTheExpectationAndTheValue() {
        assertThatThrownBy(() -> new ShapesConfig(0, 36, 48, 96, 1))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--source-per-class: ")
                .hasMessageContaining("Expected an integer in [1, 100000]")
                .hasMessageContaining("received 0");
        assertThatThrownBy(() -> new ShapesConfig(150, -3, 48, 96, 1))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--target-per-class: ")
                .hasMessageContaining("received -3");
        assertThatThrownBy(() -> new ShapesConfig(150, 36, 8, 96, 1))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--min-side-px: ")
                .hasMessageContaining("[16, 1024]")
                .hasMessageContaining("received 8");
        assertThatThrownBy(() -> new ShapesConfig(150, 36, 48, 5000, 1))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--max-side-px: ")
                .hasMessageContaining("received 5000");
        assertThatThrownBy(() -> ShapesConfig.defaults().withSidesPx(100, 60))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--min-side-px: ")
                .hasMessageContaining("--max-side-px")
                .hasMessageContaining("Expected at most 60")
                .hasMessageContaining("received 100");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        ShapesConfig cfg = ShapesConfig.defaults();

        assertThat(cfg.sourcePerClass()).isEqualTo(150);
        assertThat(cfg.targetPerClass()).isEqualTo(36);
        assertThat(cfg.minSidePx()).isEqualTo(48);
        assertThat(cfg.maxSidePx()).isEqualTo(96);
        assertThat(cfg.seed()).isEqualTo(12345L);
    }

    // ---- measurements

    /**
     * Mean RGB distance of the pixels two steps inside the visible shape from the mean colour of a band two to five
     * steps outside it.
     */
    private static double edgeContrast(BufferedImage img, boolean[] mask) {
        int w = img.getWidth();
        int h = img.getHeight();
        boolean[] inside = grow(mask, w, h, 2, false);
        boolean[] near = grow(mask, w, h, 2, true);
        boolean[] far = grow(mask, w, h, 5, true);
        int[] px = rgb(img);
        double[] out = new double[3];
        int nOut = 0;
        for (int i = 0; i < px.length; i++) {
            if (far[i] && !near[i]) {
                out[0] += (px[i] >> 16) & 0xFF;
                out[1] += (px[i] >> 8) & 0xFF;
                out[2] += px[i] & 0xFF;
                nOut++;
            }
        }
        double sum = 0;
        int nIn = 0;
        for (int i = 0; i < px.length; i++) {
            if (inside[i]) {
                double dr = ((px[i] >> 16) & 0xFF) - out[0] / nOut;
                double dg = ((px[i] >> 8) & 0xFF) - out[1] / nOut;
                double db = (px[i] & 0xFF) - out[2] / nOut;
                sum += Math.sqrt(dr * dr + dg * dg + db * db);
                nIn++;
            }
        }
        return nIn == 0 || nOut == 0 ? 0 : sum / nIn;
    }

    /** Dilates ({@code dilate}) or erodes a mask by {@code steps} 4-neighbour steps; outside the image is empty. */
    private static boolean[] grow(boolean[] mask, int w, int h, int steps, boolean dilate) {
        boolean[] cur = mask.clone();
        int[][] neighbours = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        for (int s = 0; s < steps; s++) {
            boolean[] next = cur.clone();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean any = false;
                    boolean all = true;
                    for (int[] d : neighbours) {
                        int xx = x + d[0];
                        int yy = y + d[1];
                        boolean v = xx >= 0 && yy >= 0 && xx < w && yy < h && cur[yy * w + xx];
                        any |= v;
                        all &= v;
                    }
                    int i = y * w + x;
                    next[i] = dilate ? cur[i] || any : cur[i] && all;
                }
            }
            cur = next;
        }
        return cur;
    }

    private static int count(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            n += b ? 1 : 0;
        }
        return n;
    }

    private static int[] rgb(BufferedImage img) {
        int[] px = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        for (int i = 0; i < px.length; i++) {
            px[i] &= 0xFFFFFF;
        }
        return px;
    }

    private static double luma(int c) {
        return 0.299 * ((c >> 16) & 0xFF) + 0.587 * ((c >> 8) & 0xFF) + 0.114 * (c & 0xFF);
    }

    private static double std(double[] values) {
        double mean = Arrays.stream(values).average().orElse(0);
        double var = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).average().orElse(0);
        return Math.sqrt(var);
    }

    // ---- files

    /** Relative path (with '/') to SHA-256 of every file under both set folders, markers included. */
    private static Map<String, String> hashes(ShapesResult result) throws IOException {
        Path root = result.source().dir().getParent();
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(file).toString().replace('\\', '/');
                out.put(rel, sha256(Files.readAllBytes(file)));
            }
        }
        return out;
    }

    private static List<String> listNames(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] intsToBytes(int[] values) {
        byte[] out = new byte[values.length * 4];
        for (int i = 0; i < values.length; i++) {
            out[4 * i] = (byte) (values[i] >>> 24);
            out[4 * i + 1] = (byte) (values[i] >>> 16);
            out[4 * i + 2] = (byte) (values[i] >>> 8);
            out[4 * i + 3] = (byte) values[i];
        }
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
