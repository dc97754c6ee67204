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
