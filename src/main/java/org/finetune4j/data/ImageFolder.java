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
 *
 * <p>{@link #fromListing} applies the same rules to a listing made elsewhere (a folder on HDFS or S3 listed through
 * Hadoop): its images have relative paths but no local file, and {@link #isLocal()} is false.
 */
public final class ImageFolder {

    /** File extensions read as images (compared case-insensitively). */
    public static final Set<String> EXTENSIONS =
            Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff", "webp");

    private static final List<String> SPLIT_DIRS = List.of("train", "val", "validation", "test");

    private final Path root;
    private final String location;
    private final List<String> classes;
    private final List<LabeledImage> images;
    private final Map<SplitName, List<LabeledImage>> presplit;
    private final List<String> warnings;
    private final List<String> ignoredFiles;

    private ImageFolder(Path root, String location, List<String> classes, List<LabeledImage> images,
                        Map<SplitName, List<LabeledImage>> presplit, List<String> warnings, List<String> ignoredFiles) {
        this.root = root;
        this.location = location;
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
        return build(new LocalTree(root));
    }

    /**
     * One entry of a folder listing made elsewhere.
     *
     * @param relativePath the entry's path relative to the listed folder, with {@code /} separators, e.g.
     *                     {@code cat/a.jpg}
     * @param directory    whether the entry is a folder
     */
    public record Entry(String relativePath, boolean directory) {
    }

    /**
     * Applies the rules of {@link #scan} to a recursive listing of a folder that this JVM may not be able to open
     * (e.g. one listed through Hadoop's file systems). The images' {@link LabeledImage#file()} is null: whatever
     * reads them must resolve {@link LabeledImage#relativePath()} against {@code location} itself.
     *
     * @param location the folder as the user named it (a URI), for messages
     * @param entries  every file and folder under it, at any depth; folders implied by a file's path need not be
     *                 listed, but empty ones must be (an empty class folder is warned about)
     * @throws DataException if it holds no images, only one class, or mixes a pre-split layout with class folders
     */
    public static ImageFolder fromListing(String location, List<Entry> entries) {
        return build(new ListedTree(location, entries));
    }

    /** The two things scanning asks of a folder tree: its visible children, and the images under a class folder. */
    private interface Tree {
        /** @return the local folder, or null for a listing made elsewhere */
        Path root();

        /** @return the folder as the user named it, for messages */
        String location();

        /** @return where a relative path is, for messages */
        String where(String relativePath);

        /** @return names of the visible sub-folders or files of a folder ({@code ""} is the root), sorted */
        List<String> children(String dir, boolean directories);

        /**
         * @return relative paths of the image files under a class folder at any depth, sorted; other visible files
         *         are added to {@code ignored}
         */
        List<String> images(String classDir, List<String> ignored);

        /** @return the local file of a relative path, or null for a listing made elsewhere */
        Path file(String relativePath);
    }

    private static String child(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    private static ImageFolder build(Tree tree) {
        String location = tree.location();
        List<String> topDirs = tree.children("", true);
        List<String> warnings = new ArrayList<>();
        List<String> ignored = new ArrayList<>(tree.children("", false));
        if (!ignored.isEmpty()) {
            warnings.add(location + ": " + ignored.size() + " file(s) at the top level belong to no class and are "
                    + "ignored (e.g. " + ignored.get(0) + "). Move them into a class folder.");
        }
        Map<String, String> splitDirs = new TreeMap<>();
        for (String d : topDirs) {
            String name = d.toLowerCase(Locale.ROOT);
            if (SPLIT_DIRS.contains(name)) {
                splitDirs.put(name, d);
            }
        }
        boolean presplit = splitDirs.containsKey("train")
                && (splitDirs.containsKey("val") || splitDirs.containsKey("validation") || splitDirs.containsKey("test"));
        if (presplit) {
            return scanPresplit(tree, topDirs, splitDirs, warnings, ignored);
        }
        Map<String, List<String>> byClass = new TreeMap<>();
        for (String d : topDirs) {
            byClass.put(d, tree.images(d, ignored));
        }
        List<String> classes = usableClasses(location, byClass, warnings, "");
        List<LabeledImage> images = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            for (String f : byClass.get(classes.get(c))) {
                images.add(new LabeledImage(tree.file(f), f, c));
            }
        }
        images.sort(Comparator.comparing(LabeledImage::relativePath));
        return new ImageFolder(tree.root(), location, classes, images, null, warnings, ignored);
    }

    private static ImageFolder scanPresplit(Tree tree, List<String> topDirs, Map<String, String> splitDirs,
                                            List<String> warnings, List<String> ignored) {
        String location = tree.location();
        List<String> others = topDirs.stream()
                .filter(n -> !SPLIT_DIRS.contains(n.toLowerCase(Locale.ROOT))).sorted().toList();
        if (!others.isEmpty()) {
            throw new DataException(location + ": mixes a pre-split layout (train/, val/, test/) with other folders ("
                    + others.stream().map(n -> n + "/").collect(Collectors.joining(", ")) + "). Expected either "
                    + "ROOT/<class>/<image> or ROOT/train|val|test/<class>/<image>. Move those folders into a split.");
        }
        if (splitDirs.containsKey("val") && splitDirs.containsKey("validation")) {
            throw new DataException(location + ": has both val/ and validation/. Expected one validation folder. "
                    + "Merge them into val/.");
        }
        Map<SplitName, Map<String, List<String>>> perSplit = new EnumMap<>(SplitName.class);
        for (Map.Entry<String, String> e : splitDirs.entrySet()) {
            SplitName split = switch (e.getKey()) {
                case "train" -> SplitName.TRAIN;
                case "test" -> SplitName.TEST;
                default -> SplitName.VAL;
            };
            Map<String, List<String>> byClass = new TreeMap<>();
            for (String d : tree.children(e.getValue(), true)) {
                byClass.put(d, tree.images(child(e.getValue(), d), ignored));
            }
            for (String f : tree.children(e.getValue(), false)) {
                String rel = child(e.getValue(), f);
                ignored.add(rel);
                warnings.add(rel + ": file directly inside " + e.getKey() + "/ belongs to no class "
                        + "and is ignored. Move it into a class folder.");
            }
            perSplit.put(split, byClass);
        }
        Map<String, List<String>> trainClasses = perSplit.get(SplitName.TRAIN);
        List<String> classes = usableClasses(tree.where("train"), trainClasses, warnings, "train/");
        Set<String> known = new TreeSet<>(classes);
        Map<SplitName, List<LabeledImage>> parts = new EnumMap<>(SplitName.class);
        List<LabeledImage> all = new ArrayList<>();
        for (SplitName split : SplitName.values()) {
            List<LabeledImage> part = new ArrayList<>();
            Map<String, List<String>> byClass = perSplit.getOrDefault(split, Map.of());
            for (Map.Entry<String, List<String>> e : byClass.entrySet()) {
                if (e.getValue().isEmpty()) {
                    continue;
                }
                if (!known.contains(e.getKey())) {
                    throw new DataException(tree.where(split.label() + "/" + e.getKey()) + ": class \""
                            + e.getKey() + "\" has images in " + split.label() + "/ but none in train/. Expected the "
                            + "classes of train/ (" + String.join(", ", classes) + "). Add training images for it "
                            + "or remove the folder.");
                }
                int c = classes.indexOf(e.getKey());
                for (String f : e.getValue()) {
                    part.add(new LabeledImage(tree.file(f), f, c));
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
        return new ImageFolder(tree.root(), location, classes, all, parts, warnings, ignored);
    }

    private static List<String> usableClasses(String where, Map<String, List<String>> byClass,
                                              List<String> warnings, String prefix) {
        if (byClass.isEmpty()) {
            throw new DataException(where + ": found no class folders. Expected ROOT/<class>/<image>, e.g. "
                    + "photos/cat/a.jpg and photos/dog/b.jpg. Put each class's images in a folder named after it.");
        }
        List<String> classes = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byClass.entrySet()) {
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

    /** A folder on this machine's disks, walked. */
    private static final class LocalTree implements Tree {
        private final Path root;
        private final Map<String, Path> files = new java.util.HashMap<>();

        LocalTree(Path root) {
            this.root = root;
        }

        @Override
        public Path root() {
            return root;
        }

        @Override
        public String location() {
            return root.toString();
        }

        @Override
        public String where(String relativePath) {
            return root.resolve(relativePath).toString();
        }

        @Override
        public List<String> children(String dir, boolean directories) {
            Path d = dir.isEmpty() ? root : root.resolve(dir);
            try (Stream<Path> s = Files.list(d)) {
                return s.filter(p -> !isHidden(p))
                        .filter(p -> directories == Files.isDirectory(p))
                        .map(p -> p.getFileName().toString())
                        .sorted()
                        .toList();
            } catch (IOException e) {
                throw new DataException(d + ": cannot list the folder (" + e.getMessage() + "). Check its "
                        + "permissions.", e);
            }
        }

        @Override
        public List<String> images(String classDirName, List<String> ignored) {
            Path classDir = root.resolve(classDirName);
            List<String> found = new ArrayList<>();
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
                            add(file);
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
                            add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    private void add(Path file) {
                        String rel = relative(root, file);
                        found.add(rel);
                        files.put(rel, file);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(classDir + ": cannot list the folder (" + e.getMessage() + ")", e);
            }
            found.sort(Comparator.naturalOrder());
            return found;
        }

        @Override
        public Path file(String relativePath) {
            return files.get(relativePath);
        }
    }

    /** A listing made elsewhere: hidden entries (any part of the path starting with {@code .}) are left out. */
    private static final class ListedTree implements Tree {
        private final String location;
        private final java.util.NavigableSet<String> dirs = new TreeSet<>();
        private final java.util.NavigableSet<String> files = new TreeSet<>();

        ListedTree(String location, List<Entry> entries) {
            this.location = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
            for (Entry e : entries) {
                String rel = e.relativePath();
                while (rel.startsWith("/")) {
                    rel = rel.substring(1);
                }
                if (rel.isEmpty() || java.util.Arrays.stream(rel.split("/")).anyMatch(n -> n.startsWith("."))) {
                    continue;
                }
                (e.directory() ? dirs : files).add(rel);
                for (int slash = rel.lastIndexOf('/'); slash > 0; slash = rel.lastIndexOf('/', slash - 1)) {
                    dirs.add(rel.substring(0, slash));
                }
            }
        }

        @Override
        public Path root() {
            return null;
        }

        @Override
        public String location() {
            return location;
        }

        @Override
        public String where(String relativePath) {
            return location + "/" + relativePath;
        }

        @Override
        public List<String> children(String dir, boolean directories) {
            String prefix = dir.isEmpty() ? "" : dir + "/";
            return under(directories ? dirs : files, dir).stream()
                    .filter(p -> p.indexOf('/', prefix.length()) < 0)
                    .map(p -> p.substring(prefix.length()))
                    .sorted()
                    .toList();
        }

        @Override
        public List<String> images(String classDir, List<String> ignored) {
            List<String> found = new ArrayList<>();
            for (String f : under(files, classDir)) {
                if (hasImageExtension(f.substring(f.lastIndexOf('/') + 1))) {
                    found.add(f);
                } else {
                    ignored.add(f);
                }
            }
            found.sort(Comparator.naturalOrder());
            return found;
        }

        /** @return the entries under a folder at any depth: the sorted set's range from {@code dir/} to {@code dir0} */
        private static java.util.SortedSet<String> under(java.util.NavigableSet<String> set, String dir) {
            return dir.isEmpty() ? set : set.subSet(dir + "/", true, dir + (char) ('/' + 1), false);
        }

        @Override
        public Path file(String relativePath) {
            return null;
        }
    }

    /** @return whether the file name ends in one of {@link #EXTENSIONS}, ignoring case */
    public static boolean hasImageExtension(Path file) {
        return hasImageExtension(file.getFileName().toString());
    }

    /** @return whether a file name ends in one of {@link #EXTENSIONS}, ignoring case */
    public static boolean hasImageExtension(String name) {
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

    /**
     * @return the folder the user named
     * @throws IllegalStateException for a folder built {@link #fromListing} a listing made elsewhere: it has no local
     *                               path (use {@link #location()})
     */
    public Path root() {
        if (root == null) {
            throw new IllegalStateException(location + ": listed through another file system; it has no local "
                    + "path");
        }
        return root;
    }

    /** @return the folder as the user named it: its path, or the URI it was listed under; for messages */
    public String location() {
        return location;
    }

    /**
     * @return whether the folder is on this machine's disks ({@link #scan}); false for one built
     *         {@link #fromListing}, whose images have no local file
     */
    public boolean isLocal() {
        return root != null;
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
