package org.finetune4j.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * The text of a YAML file that an option names either by path or by the name of a file the project ships in one
 * of its top-level folders ({@code augment/}, {@code eval/}), which the build also puts on the classpath. One rule
 * for every such option: an existing file wins, then {@code name}, {@code name.yaml} or {@code folder/name.yaml}
 * of a shipped file, read from the jar.
 * <pre>{@code
 * ShippedYaml y = ShippedYaml.resolve("--augment", "flip-crop", "augment", "recipe", List.of("none", "flip-crop"));
 * }</pre>
 *
 * @param text  the file's text
 * @param name  the file's name without {@code .yaml}
 * @param where how messages name the file: the path as the user wrote it, or {@code folder/name.yaml}
 */
public record ShippedYaml(String text, String name, String where) {

    /**
     * @param option     the option, for messages ({@code --augment})
     * @param nameOrPath what the user wrote
     * @param folder     the top-level folder of the shipped files ({@code augment})
     * @param kind       what the file holds, for messages ({@code recipe})
     * @param shipped    the names of the shipped files
     * @throws UsageException if the value is a folder, or neither a file nor a shipped name, or unreadable
     */
    public static ShippedYaml resolve(String option, String nameOrPath, String folder, String kind,
                                      List<String> shipped) {
        Path path;
        try {
            path = Path.of(nameOrPath);
        } catch (InvalidPathException e) {
            path = null;
        }
        if (path != null && Files.isRegularFile(path)) {
            return read(path, nameOrPath.replace('\\', '/'), kind);
        }
        if (path != null && Files.isDirectory(path)) {
            throw new UsageException(option + " " + nameOrPath + ": is a folder. Expected a " + kind + " name ("
                    + String.join(", ", shipped) + ") or the path of a YAML file; received a folder. Name one "
                    + kind + " file.");
        }
        String name = nameOrPath.replace('\\', '/');
        if (name.startsWith(folder + "/")) {
            name = name.substring(folder.length() + 1);
        }
        if (name.endsWith(".yaml")) {
            name = name.substring(0, name.length() - ".yaml".length());
        }
        if (shipped.contains(name)) {
            return new ShippedYaml(readResource("/" + folder + "/" + name + ".yaml", folder, kind), name,
                    folder + "/" + name + ".yaml");
        }
        throw new UsageException(option + " " + nameOrPath + ": no such " + kind + ". Expected a shipped " + kind
                + " name (" + String.join(", ", shipped) + ") or the path of a YAML file; received \"" + nameOrPath
                + "\", which is neither. Check the spelling or the path (" + folder + "/README.md describes " + kind
                + "s).");
    }

    /**
     * Reads a file the user named; messages call it {@code where}.
     *
     * @throws UsageException if it cannot be read
     */
    public static ShippedYaml read(Path file, String where, String kind) {
        try {
            String name = file.getFileName().toString();
            name = name.endsWith(".yaml") ? name.substring(0, name.length() - ".yaml".length()) : name;
            return new ShippedYaml(Files.readString(file, StandardCharsets.UTF_8), name, where);
        } catch (IOException e) {
            throw new UsageException(where + ": cannot read the " + kind + " (" + e.getMessage() + "). Expected a "
                    + "readable UTF-8 YAML file; received an unreadable file. Check its permissions.", e);
        }
    }

    private static String readResource(String resource, String folder, String kind) {
        try (InputStream in = ShippedYaml.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the shipped " + kind + " " + resource + " is missing from the "
                        + "classpath; the build must add " + folder + "/ as a resource folder");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(resource + ": cannot read the shipped " + kind, e);
        }
    }
}
