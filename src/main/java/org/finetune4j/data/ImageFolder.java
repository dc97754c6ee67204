package org.finetune4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.finetune4j.core.DataException;
import org.finetune4j.core.UsageException;

/**
 * A folder of labelled images: one sub-folder per class, the class name being the folder name.
 * <pre>
 * photos/                      photos/                (pre-split: used as given)
 *   cat/  a.jpg b.png            train/ cat/ dog/
 *   dog/  c.jpg sub/d.jpg        val/   cat/ dog/
 *                                test/  cat/ dog/
 * </pre>
 * <pre>{@code
 * ImageFolder folder = ImageFolder.scan(Path.of("photos"));
 * folder.classes();   // [cat, dog], sorted
 * folder.images();    // every image, sorted by relative path
 * }</pre>
 * Class names are sorted ({@link Locale#ROOT} order of their names); extensions are matched case-insensitively;
 * hidden files and folders (name starting with {@code .}) are ignored; files in nested folders belong to the class
 * folder they are in. Class folders without images are left out with a warning. Files are not opened here:
 * {@link ImageDecoder} validates and decodes them.
 */
public final class ImageFolder {

    /** File extensions read as images (compared case-insensitively). */
    public static final Set<String> EXTENSIONS =
            Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff", "webp");

    private static final List<String> SPLIT_DIRS = List.of("train", "val", "validation", "test");

    private final Path root;
    private final List<String> classes;
    private final List<LabeledImage> images;
    private final Map<SplitName, List<LabeledImage>> presplit;
    private final List<String> warnings;
    private final List<String> ignoredFiles;

    private ImageFolder(Path root, List<String> classes, List<LabeledImage> images,
                        Map<SplitName, List<LabeledImage>> presplit, List<String> warnings, List<String> ignoredFiles) {
        this.root = root;
        this.classes = List.copyOf(classes);
        this.images = List.copyOf(images);
        this.presplit = presplit;
        this.warnings = List.copyOf(warnings);
        this.ignoredFiles = List.copyOf(ignoredFiles);
    }

    /**
     * Scans a folder of class folders, or a pre-split folder {@code ROOT/train|val|test/<class>/}.
     *
     * @param root the folder the user named with {@code --data}
     * @return the scanned folder
     * @throws UsageException if the folder does not exist or is not a folder
     * @throws DataException  if it holds no images, only one class, or mixes a pre-split layout with class folders
     */
    public static ImageFolder scan(Path root) {
        if (!Files.exists(root)) {
            throw new UsageException("--data " + root + ": no such folder. Expected a folder laid out as "
                    + "ROOT/<class>/<image>. Check the path (data/README.md describes the layout).");
        }
        if (!Files.isDirectory(root)) {
            throw new UsageException("--data " + root + ": not a folder. Expected a folder laid out as "
                    + "ROOT/<class>/<image>; received a file. Give the folder that holds the class folders.");
        }
        List<Path> topDirs = visibleChildren(root, true);
        List<String> warnings = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (Path f : visibleChildren(root, false)) {
            ignored.add(relative(root, f));
        }
        if (!ignored.isEmpty()) {
            warnings.add(root + ": " + ignored.size() + " file(s) at the top level belong to no class and are "
                    + "ignored (e.g. " + ignored.get(0) + "). Move them into a class folder.");
        }
        Map<String, Path> splitDirs = new TreeMap<>();
        for (Path d : topDirs) {
            String name = d.getFileName().toString().toLowerCase(Locale.ROOT);
            if (SPLIT_DIRS.contains(name)) {
                splitDirs.put(name, d);
            }
        }
        boolean presplit = splitDirs.containsKey("train")
                && (splitDirs.containsKey("val") || splitDirs.containsKey("validation") || splitDirs.containsKey("test"));
        if (presplit) {
            return scanPresplit(root, topDirs, splitDirs, warnings, ignored);
        }
        Map<String, List<Path>> byClass = new TreeMap<>();
        for (Path d : topDirs) {
            byClass.put(d.getFileName().toString(), listImages(root, d, ignored));
        }
        List<String> classes = usableClasses(root, byClass, warnings, "");
        List<LabeledImage> images = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            for (Path f : byClass.get(classes.get(c))) {
                images.add(new LabeledImage(f, relative(root, f), c));
            }
        }
        images.sort(Comparator.comparing(LabeledImage::relativePath));
        return new ImageFolder(root, classes, images, null, warnings, ignored);
    }

    private static ImageFolder scanPresplit(Path root, List<Path> topDirs, Map<String, Path> splitDirs,
                                            List<String> warnings, List<String> ignored) {
        List<String> others = topDirs.stream().map(d -> d.getFileName().toString())
                .filter(n -> !SPLIT_DIRS.contains(n.toLowerCase(Locale.ROOT))).sorted().toList();
        if (!others.isEmpty()) {
            throw new DataException(root + ": mixes a pre-split layout (train/, val/, test/) with other folders ("
                    + others.stream().map(n -> n + "/").collect(Collectors.joining(", ")) + "). Expected either "
                    + "ROOT/<class>/<image> or ROOT/train|val|test/<class>/<image>. Move those folders into a split.");
        }
        if (splitDirs.containsKey("val") && splitDirs.containsKey("validation")) {
            throw new DataException(root + ": has both val/ and validation/. Expected one validation folder. "
                    + "Merge them into val/.");
        }
        Map<SplitName, Map<String, List<Path>>> perSplit = new EnumMap<>(SplitName.class);
        for (Map.Entry<String, Path> e : splitDirs.entrySet()) {
            SplitName split = switch (e.getKey()) {
                case "train" -> SplitName.TRAIN;
                case "test" -> SplitName.TEST;
                default -> SplitName.VAL;
            };
            Map<String, List<Path>> byClass = new TreeMap<>();
            for (Path d : visibleChildren(e.getValue(), true)) {
                byClass.put(d.getFileName().toString(), listImages(root, d, ignored));
            }
            for (Path f : visibleChildren(e.getValue(), false)) {
                ignored.add(relative(root, f));
                warnings.add(relative(root, f) + ": file directly inside " + e.getKey() + "/ belongs to no class "
                        + "and is ignored. Move it into a class folder.");
            }
            perSplit.put(split, byClass);
        }
        Map<String, List<Path>> trainClasses = perSplit.get(SplitName.TRAIN);
        List<String> classes = usableClasses(root.resolve("train"), trainClasses, warnings, "train/");
        Set<String> known = new TreeSet<>(classes);
        Map<SplitName, List<LabeledImage>> parts = new EnumMap<>(SplitName.class);
        List<LabeledImage> all = new ArrayList<>();
        for (SplitName split : SplitName.values()) {
            List<LabeledImage> part = new ArrayList<>();
            Map<String, List<Path>> byClass = perSplit.getOrDefault(split, Map.of());
            for (Map.Entry<String, List<Path>> e : byClass.entrySet()) {
                if (e.getValue().isEmpty()) {
                    continue;
                }
                if (!known.contains(e.getKey())) {
                    throw new DataException(root.resolve(split.label()).resolve(e.getKey()) + ": class \""
                            + e.getKey() + "\" has images in " + split.label() + "/ but none in train/. Expected the "
                            + "classes of train/ (" + String.join(", ", classes) + "). Add training images for it "
                            + "or remove the folder.");
                }
                int c = classes.indexOf(e.getKey());
                for (Path f : e.getValue()) {
                    part.add(new LabeledImage(f, relative(root, f), c));
                }
            }
            if (split != SplitName.TRAIN && perSplit.containsKey(split)) {
                for (String cls : classes) {
                    if (byClass.getOrDefault(cls, List.of()).isEmpty()) {
                        warnings.add(split.label() + "/: class \"" + cls + "\" has no images; its "
                                + split.label() + " metrics will be missing.");
                    }
                }
            }
            part.sort(Comparator.comparing(LabeledImage::relativePath));
            parts.put(split, List.copyOf(part));
            all.addAll(part);
        }
        all.sort(Comparator.comparing(LabeledImage::relativePath));
        return new ImageFolder(root, classes, all, parts, warnings, ignored);
    }

    private static List<String> usableClasses(Path where, Map<String, List<Path>> byClass, List<String> warnings,
                                              String prefix) {
        if (byClass.isEmpty()) {
            throw new DataException(where + ": found no class folders. Expected ROOT/<class>/<image>, e.g. "
                    + "photos/cat/a.jpg and photos/dog/b.jpg. Put each class's images in a folder named after it.");
        }
        List<String> classes = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (Map.Entry<String, List<Path>> e : byClass.entrySet()) {
            (e.getValue().isEmpty() ? empty : classes).add(e.getKey());
        }
        if (classes.isEmpty()) {
            throw new DataException(where + ": found 0 images in " + byClass.size() + " class folder(s) ("
                    + byClass.keySet().stream().map(n -> prefix + n + "/").collect(Collectors.joining(", "))
                    + "). Supported extensions: " + String.join(", ", new TreeSet<>(EXTENSIONS)) + ".");
        }
        for (String e : empty) {
            warnings.add(prefix + e + "/: no images; the class is left out.");
        }
        if (classes.size() < 2) {
            throw new DataException(where + ": found only one class (" + prefix + classes.get(0) + "/). Expected "
                    + "at least 2 class folders; a classifier needs two or more classes. Add a folder per class.");
        }
        classes.sort(Comparator.naturalOrder());
        return classes;
    }

    private static List<Path> visibleChildren(Path dir, boolean directories) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !isHidden(p))
                    .filter(p -> directories == Files.isDirectory(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list the folder (" + e.getMessage() + "). Check its permissions.",
                    e);
        }
    }

    private static List<Path> listImages(Path root, Path classDir, List<String> ignored) {
        List<Path> files = new ArrayList<>();
        try {
            // symbolic links are followed (a class folder may be a link); loops are reported, not followed
            Files.walkFileTree(classDir, java.util.EnumSet.of(java.nio.file.FileVisitOption.FOLLOW_LINKS),
                    Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(classDir) && isHidden(dir) ? FileVisitResult.SKIP_SUBTREE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (isHidden(file) || attrs.isDirectory()) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (hasImageExtension(file)) {
                        files.add(file);
                    } else {
                        ignored.add(relative(root, file));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    // unreadable entries are listed and reported by the decoder with their reason
                    if (exc instanceof java.nio.file.FileSystemLoopException) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (hasImageExtension(file)) {
                        files.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(classDir + ": cannot list the folder (" + e.getMessage() + ")", e);
        }
        files.sort(Comparator.comparing(p -> relative(root, p)));
        return files;
    }

    /** @return whether the file name ends in one of {@link #EXTENSIONS}, ignoring case */
    public static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static boolean isHidden(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    /** @return the folder the user named */
    public Path root() {
        return root;
    }

    /** @return the class names, sorted; a class's index in this list is its label */
    public List<String> classes() {
        return classes;
    }

    /** @return every image, sorted by relative path */
    public List<LabeledImage> images() {
        return images;
    }

    /** @return whether the folder is laid out as {@code ROOT/train|val|test/<class>/} */
    public boolean isPresplit() {
        return presplit != null;
    }

    /** @return the split given by a pre-split layout, if the folder has one */
    public Optional<Split> presplit() {
        if (presplit == null) {
            return Optional.empty();
        }
        return Optional.of(new Split(presplit.get(SplitName.TRAIN), presplit.get(SplitName.VAL),
                presplit.get(SplitName.TEST)));
    }

    /** @return problems worth telling the user (empty class folders, stray files), one sentence each */
    public List<String> warnings() {
        return warnings;
    }

    /** @return relative paths of files that are not images by extension or lie outside class folders */
    public List<String> ignoredFiles() {
        return ignoredFiles;
    }

    /** @return images per class index */
    public int[] countsPerClass(List<LabeledImage> part) {
        int[] counts = new int[classes.size()];
        for (LabeledImage im : part) {
            counts[im.classIndex()]++;
        }
        return counts;
    }
}
