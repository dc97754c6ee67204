package org.finetune4j.core;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files and folders atomically: into a temporary sibling, then renamed into place, so a crash never leaves a
 * half-written artifact.
 * <pre>{@code
 * AtomicFiles.write(out, stream -> ImageIO.write(img, "png", stream));
 * AtomicFiles.writeString(dir.resolve("metrics.json"), json);
 * }</pre>
 */
public final class AtomicFiles {

    /** Body of a write; receives the stream of the temporary file. */
    @FunctionalInterface
    public interface Writer {
        /** @param out the stream to write the whole content to */
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} atomically; parent folders are created.
     *
     * @throws UncheckedIOException if the file cannot be written (the target is then unchanged)
     */
    public static void write(Path target, Writer body) {
        Path parent = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempFile(parent, "." + target.getFileName() + ".", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                body.write(out);
            }
            readableByAll(tmp);   // temp files are created owner-only; the artifact is an ordinary file
            move(tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write (" + e.getMessage() + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the target is already in place or the write failed; a stray temp file is harmless
                }
            }
        }
    }

    /** Body of a folder write; receives the temporary folder to fill. */
    @FunctionalInterface
    public interface FolderWriter {
        /** @param dir the (empty) temporary folder; write every file of the result into it */
        void write(Path dir) throws IOException;
    }

    /**
     * Writes a folder atomically: {@code body} fills a temporary sibling folder, which then replaces {@code target}.
     * An existing target is moved aside first and deleted only once the new folder is in place, so a failure at
     * any point leaves either the old folder or the new one, never a half-written one.
     *
     * @throws IOException if the folder cannot be written (the previous one is then intact)
     */
    public static void writeFolder(Path target, FolderWriter body) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        String name = abs.getFileName().toString();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + name + ".tmp-");
        try {
            body.write(tmp);
            readableByAll(tmp);
            if (Files.exists(abs)) {
                Path old = Files.createTempDirectory(parent, "." + name + ".old-");
                Files.delete(old);
                Files.move(abs, old);
                move(tmp, abs);
                deleteTree(old);
            } else {
                move(tmp, abs);
            }
            tmp = null;
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** Deletes a file or folder tree if it exists; best effort (a leftover is reported nowhere). */
    public static void deleteTree(Path p) {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException ignored) {
            // a leftover hidden temporary folder does not affect the artifact
        }
    }

    /** Gives a file or folder ordinary permissions (rw-r--r--, folders rwxr-xr-x) where the file system has them. */
    public static void readableByAll(Path p) {
        try {
            String perms = Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--";
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system: its defaults apply
        }
    }

    /** Writes a UTF-8 text file atomically. */
    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes bytes atomically. */
    public static void writeBytes(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /** Renames {@code source} to {@code target}, atomically where the file system allows, replacing the target. */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
