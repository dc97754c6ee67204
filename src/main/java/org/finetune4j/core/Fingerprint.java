package org.finetune4j.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 fingerprints of files and text, as lower-case hex; and the two pieces any file digest is made of (reading
 * a file through a digest, a digest by algorithm name), which {@code model.FileChecksum} uses for MD5 and Adler32.
 * <pre>{@code
 * String id = Fingerprint.sha256(Path.of("models/mini-vgg-shapes/model.zip"));
 * }</pre>
 */
public final class Fingerprint {
    private Fingerprint() {
    }

    /**
     * @return the SHA-256 of the file's bytes
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    public static String sha256(Path file) {
        MessageDigest md = messageDigest("SHA-256");
        readInto(file, new DigestOutputStream(OutputStream.nullOutputStream(), md));
        return HexFormat.of().formatHex(md.digest());
    }

    /** @return the SHA-256 of the bytes */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(messageDigest("SHA-256").digest(bytes));
    }

    /**
     * Reads a whole file into a sink, in blocks of 64 KiB; the sink is not closed.
     *
     * @param sink e.g. a {@link DigestOutputStream} or a {@code CheckedOutputStream} over a null stream
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    public static void readInto(Path file, OutputStream sink) {
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                sink.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * @param algorithm a digest every Java platform has: {@code MD5}, {@code SHA-1} or {@code SHA-256}
     * @return a fresh digest
     * @throws IllegalStateException if the platform lacks it (it never does for those three)
     */
    public static MessageDigest messageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by every Java platform", e);
        }
    }
}
