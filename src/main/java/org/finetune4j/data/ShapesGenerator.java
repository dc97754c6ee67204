package org.finetune4j.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;

/**
 * Generates the synthetic sample sets {@code shapes-source} (20 shape classes) and {@code shapes-target} (10 other
 * shape classes, few images each): the offline default for the demo and the tests.
 *
 * <p>Every image is painted from its own random stream, {@code Seeds.of(seed).forSample(set, classIndex,
 * imageIndex)}, so it depends only on the seed, the set, the class and its index; the same settings give
 * byte-identical PNG files. Images vary in size and aspect ratio, background (gradients, stripes, clouds, checks),
 * colours, clutter, pose, occlusion, blur and noise; only the outline tells the class. Layout:
 * <pre>
 * outDir/shapes-source/arrow/arrow_0001.png ... outDir/shapes-source/triangle/triangle_0150.png  + .complete
 * outDir/shapes-target/arrowhead/arrowhead_0001.png ...                                          + .complete
 * </pre>
 * Usage ({@code ensure} generates a set only if it is not already complete for the same settings):
 * <pre>{@code
 * ShapesResult r = ShapesGenerator.ensure(ShapesConfig.defaults(), Path.of("data"),
 *         (set, written, total) -> progress.update(set.folderName(), written, total));
 * Path trainRoot = r.target().dir();
 * }</pre>
 * Each set's hidden {@value #COMPLETE_MARKER} file is written last and records the generator version, seed, counts
 * and size range; a crash mid-way leaves no marker, and the next {@code ensure} regenerates the set.
 */
public final class ShapesGenerator {

    /** Class names of {@code shapes-source}, sorted ({@code Locale.ROOT}); list position = class index. */
    public static final List<String> SOURCE_CLASSES = List.of(
            "arrow", "circle", "crescent", "cross", "diamond", "ellipse", "heart", "hexagon", "l-shape", "octagon",
            "parallelogram", "pentagon", "ring", "semicircle", "square", "star5", "star6", "t-shape", "trapezoid",
            "triangle");

    /** Class names of {@code shapes-target}, sorted ({@code Locale.ROOT}), none shared with the source set. */
    public static final List<String> TARGET_CLASSES = List.of(
            "arrowhead", "chevron", "heptagon", "hourglass", "kite", "lightning", "rounded-square", "square-ring",
            "star4", "star8");

    /** Name of the hidden file, written last into a set's folder, that marks the set complete. */
    public static final String COMPLETE_MARKER = ".complete";

    /**
     * Version of the rendering; recorded in the marker, so a set made by an older rendering is regenerated.
     * Raise it whenever a change alters any pixel.
     */
    public static final int GENERATOR_VERSION = 1;

    /** Receives progress; called on the generating thread after every image written. */
    @FunctionalInterface
    public interface Listener {
        /** A listener that ignores progress. */
        Listener NONE = (set, written, total) -> {
        };

        /**
         * @param set     the set being written
         * @param written images of this set written so far, in [1, total]
         * @param total   images this set will have
         */
        void onImage(ShapesSet set, int written, int total);
    }

    private ShapesGenerator() {
    }

    /**
     * Writes both sets, replacing any files of the same names; same as {@link #generate(ShapesConfig, Path,
     * Listener)} with {@link Listener#NONE}.
     *
     * @throws UsageException       if {@code outDir} or a set folder exists and is not a folder
     * @throws UncheckedIOException if a file cannot be written
     */
    public static ShapesResult generate(ShapesConfig cfg, Path outDir) {
        return generate(cfg, outDir, Listener.NONE);
    }

    /**
     * Writes both sets into {@code outDir}, replacing files of the same names and removing surplus numbered images
     * of the set's classes (left by an earlier, larger set); other files are left alone.
     *
     * @param cfg      counts, sizes and seed
     * @param outDir   the folder to hold {@code shapes-source/} and {@code shapes-target/}; created if missing
     * @param listener progress receiver, e.g. {@link Listener#NONE}
     * @return what was written
     * @throws UsageException       if {@code outDir} or a set folder exists and is not a folder
     * @throws UncheckedIOException if a file cannot be written
     */
    public static ShapesResult generate(ShapesConfig cfg, Path outDir, Listener listener) {
        return bothSets(cfg, outDir, listener, ShapesGenerator::writeSet);
    }

    /**
     * Makes sure both sets exist for these settings; same as {@link #ensure(ShapesConfig, Path, Listener)} with
     * {@link Listener#NONE}.
     *
     * @throws UsageException       if {@code outDir} or a set folder exists and is not a folder
     * @throws UncheckedIOException if a file cannot be written
     */
    public static ShapesResult ensure(ShapesConfig cfg, Path outDir) {
        return ensure(cfg, outDir, Listener.NONE);
    }

    /**
     * Generates each set that is not {@linkplain #isComplete complete} for these settings and leaves complete ones
     * untouched: "generate on first use".
     *
     * @param cfg      counts, sizes and seed
     * @param outDir   the folder to hold {@code shapes-source/} and {@code shapes-target/}; created if missing
     * @param listener progress receiver; not called for a reused set
     * @return what was written or reused
     * @throws UsageException       if {@code outDir} or a set folder exists and is not a folder
     * @throws UncheckedIOException if a file cannot be written
     */
    public static ShapesResult ensure(ShapesConfig cfg, Path outDir, Listener listener) {
        return bothSets(cfg, outDir, listener, ShapesGenerator::ensureSet);
    }

    /** How one set is made: {@link #writeSet} always writes it, {@link #ensureSet} reuses a complete one. */
    private interface SetMaker {
        ShapesResult.SetSummary make(ShapesConfig cfg, Path outDir, ShapesSet set, Listener listener);
    }

    /** @return both sets, source first, made by {@code maker}, with the time taken */
    private static ShapesResult bothSets(ShapesConfig cfg, Path outDir, Listener listener, SetMaker maker) {
        long start = System.nanoTime();
        ShapesResult.SetSummary source = maker.make(cfg, outDir, ShapesSet.SOURCE, listener);
        ShapesResult.SetSummary target = maker.make(cfg, outDir, ShapesSet.TARGET, listener);
        return new ShapesResult(cfg, source, target, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Generates one set unless it is already complete for these settings, e.g. only {@code shapes-target} for a
     * default {@code train} run.
     *
     * @param cfg      counts, sizes and seed
     * @param outDir   the folder holding the set's folder
     * @param set      which set
     * @param listener progress receiver; not called if the set is reused
     * @return the set on disk; {@code reused()} tells whether anything was written
     * @throws UsageException       if {@code outDir} or the set folder exists and is not a folder
     * @throws UncheckedIOException if a file cannot be written
     */
    public static ShapesResult.SetSummary ensureSet(ShapesConfig cfg, Path outDir, ShapesSet set,
                                                    Listener listener) {
        if (isComplete(cfg, outDir, set)) {
            return new ShapesResult.SetSummary(set, outDir.resolve(set.folderName()), set.classNames(),
                    cfg.perClass(set), 0, true);
        }
        return writeSet(cfg, outDir, set, listener);
    }

    /**
     * Whether {@code outDir/<set>} holds a complete set for these settings: its {@value #COMPLETE_MARKER} file
     * matches the generator version, seed, counts and size range, and every expected image file exists. Image
     * contents are not read.
     *
     * @param cfg    counts, sizes and seed
     * @param outDir the folder holding the set's folder
     * @param set    which set
     * @return {@code true} if the set can be used as it is
     */
    public static boolean isComplete(ShapesConfig cfg, Path outDir, ShapesSet set) {
        Path dir = outDir.resolve(set.folderName());
        Path marker = dir.resolve(COMPLETE_MARKER);
        try {
            if (!Files.isRegularFile(marker)
                    || !Files.readString(marker, StandardCharsets.UTF_8).equals(markerText(cfg, set))) {
                return false;
            }
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
        for (String className : set.classNames()) {
            Path classDir = dir.resolve(className);
            for (int i = 0; i < cfg.perClass(set); i++) {
                if (!Files.isRegularFile(classDir.resolve(fileName(className, i)))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Paints one image in memory, exactly as {@link #generate} writes it; for previews and tests.
     *
     * @param cfg        sizes and seed (the counts are not used)
     * @param set        which set
     * @param classIndex index into {@link ShapesSet#classNames()}
     * @param imageIndex 0-based image index (file {@code <class>_0001.png} is index 0)
     * @return a {@link BufferedImage#TYPE_INT_RGB} image with sides in [minSidePx, maxSidePx]
     * @throws IllegalArgumentException if {@code classIndex} or {@code imageIndex} is out of range
     */
    public static BufferedImage render(ShapesConfig cfg, ShapesSet set, int classIndex, int imageIndex) {
        return paint(cfg, set, classIndex, imageIndex).image();
    }

    /**
     * Where the shape of one image is visible (inside its outline and not occluded), as {@link #generate} draws it;
     * for tests that check where a network looks.
     *
     * @param cfg        sizes and seed (the counts are not used)
     * @param set        which set
     * @param classIndex index into {@link ShapesSet#classNames()}
     * @param imageIndex 0-based image index
     * @return a {@link BufferedImage#TYPE_BYTE_GRAY} image of the same size as the picture: 255 on the shape, else 0
     */
    public static BufferedImage shapeMask(ShapesConfig cfg, ShapesSet set, int classIndex, int imageIndex) {
        ShapePainter.Painted p = paint(cfg, set, classIndex, imageIndex);
        int w = p.image().getWidth();
        int h = p.image().getHeight();
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                mask.getRaster().setSample(x, y, 0, p.shapeMask()[y * w + x] ? 255 : 0);
            }
        }
        return mask;
    }

    /**
     * @param className  a class name, e.g. {@code "star5"}
     * @param imageIndex 0-based image index
     * @return the file name, e.g. {@code star5_0001.png} for index 0 (at least four digits, 1-based)
     */
    public static String fileName(String className, int imageIndex) {
        return String.format(Locale.ROOT, "%s_%04d.png", className, imageIndex + 1);
    }

    /** Paints one image together with its shape mask (package-private: tests check the shape is drawn). */
    static ShapePainter.Painted paint(ShapesConfig cfg, ShapesSet set, int classIndex, int imageIndex) {
        List<String> classes = set.classNames();
        if (classIndex < 0 || classIndex >= classes.size() || imageIndex < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "class index %d (of %d) or image index %d out of range", classIndex, classes.size(), imageIndex));
        }
        ShapeKind kind = ShapeKind.of(classes.get(classIndex));
        return ShapePainter.paint(kind, Seeds.of(cfg.seed()).forSample(set.folderName(), classIndex, imageIndex),
                cfg.minSidePx(), cfg.maxSidePx());
    }

    private static ShapesResult.SetSummary writeSet(ShapesConfig cfg, Path outDir, ShapesSet set,
                                                    Listener listener) {
        Path dir = outDir.resolve(set.folderName());
        requireFolderOrAbsent(outDir);
        requireFolderOrAbsent(dir);
        List<String> classes = set.classNames();
        int perClass = cfg.perClass(set);
        int total = classes.size() * perClass;
        ImageWriter writer = pngWriter();
        try {
            Files.createDirectories(dir);
            // The marker goes first and comes back last: an interrupted run leaves the set visibly incomplete.
            Files.deleteIfExists(dir.resolve(COMPLETE_MARKER));
            int written = 0;
            for (int c = 0; c < classes.size(); c++) {
                String className = classes.get(c);
                Path classDir = dir.resolve(className);
                requireFolderOrAbsent(classDir);
                for (int i = 0; i < perClass; i++) {
                    byte[] png = encodePng(writer, paint(cfg, set, c, i).image());
                    AtomicFiles.writeBytes(classDir.resolve(fileName(className, i)), png);
                    listener.onImage(set, ++written, total);
                }
                removeSurplus(classDir, className, perClass);
            }
            AtomicFiles.writeString(dir.resolve(COMPLETE_MARKER), markerText(cfg, set));
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the " + set.folderName() + " set ("
                    + e.getMessage() + ")", e);
        } finally {
            writer.dispose();
        }
        return new ShapesResult.SetSummary(set, dir, classes, perClass, total, false);
    }

    /** Deletes {@code <class>_NNNN.png} files numbered above {@code perClass}, left by an earlier, larger set. */
    private static void removeSurplus(Path classDir, String className, int perClass) throws IOException {
        Pattern numbered = Pattern.compile(Pattern.quote(className) + "_(\\d{4,9})\\.png");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(classDir)) {
            for (Path file : files) {
                Matcher m = numbered.matcher(file.getFileName().toString());
                if (m.matches() && Integer.parseInt(m.group(1)) > perClass) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static void requireFolderOrAbsent(Path path) {
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new UsageException(String.format(Locale.ROOT,
                    "%s: not a folder. Expected a folder or a path that does not exist yet; received a file. "
                            + "Move the file away or choose another output folder.", path));
        }
    }

    /** The marker's content: everything that determines the files, one {@code key: value} per line. */
    static String markerText(ShapesConfig cfg, ShapesSet set) {
        return String.format(Locale.ROOT,
                "# finetune4j synthetic sample set; written after its last image. Delete this file to regenerate.\n"
                        + "generator-version: %d\nset: %s\nseed: %d\nclasses: %d\nper-class: %d\n"
                        + "min-side-px: %d\nmax-side-px: %d\n",
                GENERATOR_VERSION, set.folderName(), cfg.seed(), set.classNames().size(), cfg.perClass(set),
                cfg.minSidePx(), cfg.maxSidePx());
    }

    /**
     * The JDK's own PNG writer, preferred over plugins on the class path, so the bytes depend only on the JDK; the
     * writer adds no time stamp, so equal pixels give equal files.
     */
    private static ImageWriter pngWriter() {
        ImageWriter fallback = null;
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("png"); it.hasNext(); ) {
            ImageWriter w = it.next();
            if (w.getClass().getModule() == ImageIO.class.getModule()) {
                if (fallback != null) {
                    fallback.dispose();
                }
                return w;
            }
            if (fallback == null) {
                fallback = w;
            } else {
                w.dispose();
            }
        }
        if (fallback == null) {
            throw new IllegalStateException("no PNG image writer available in this JVM");
        }
        return fallback;
    }

    private static byte[] encodePng(ImageWriter writer, BufferedImage image) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(image);
        } finally {
            writer.setOutput(null);
        }
        return bytes.toByteArray();
    }
}
