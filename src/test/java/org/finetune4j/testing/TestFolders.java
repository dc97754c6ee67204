package org.finetune4j.testing;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Folders of labelled images made in code. */
public final class TestFolders {
    private TestFolders() {
    }

    /**
     * Makes {@code root/<class>/<class>_NN.png} with the given number of small PNGs per class, all distinct.
     *
     * @return root
     */
    public static Path imageFolder(Path root, Map<String, Integer> perClass) {
        for (Map.Entry<String, Integer> e : new TreeMap<>(perClass).entrySet()) {
            for (int i = 0; i < e.getValue(); i++) {
                Path file = root.resolve(e.getKey()).resolve(String.format("%s_%02d.png", e.getKey(), i));
                // pixels depend on the full path, so files are distinct across folders and calls (pattern() only
                // looks at the seed modulo 256, which let two paths collide about once in 256)
                TestImages.write(file, TestImages.noise(12 + i % 5, 10 + i % 3, file.toString().hashCode()), "png");
            }
        }
        return root;
    }

    /** Copies a folder tree (e.g. a shipped bundle into a test's models folder). */
    public static void copyTree(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(from)) {
            for (Path p : s.sorted().toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(p, target);
                }
            }
        }
    }

    /**
     * Lists a folder as another file system would: every file and folder under it (links not followed), as paths
     * relative to it with {@code /} separators.
     */
    public static java.util.List<org.finetune4j.data.ImageFolder.Entry> listing(Path root) {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(root)) {
            return s.filter(p -> !p.equals(root))
                    .map(p -> new org.finetune4j.data.ImageFolder.Entry(root.relativize(p).toString()
                            .replace(java.io.File.separatorChar, '/'), java.nio.file.Files.isDirectory(p)))
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
