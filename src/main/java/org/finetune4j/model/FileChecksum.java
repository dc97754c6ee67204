package org.finetune4j.model;

import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.zip.Adler32;
import java.util.zip.CheckedOutputStream;
import org.finetune4j.core.Fingerprint;
import org.finetune4j.core.UsageException;

/**
 * The checksum a file must have: MD5 (what Keras publishes for its application weights), SHA-256, or Adler32 (what
 * DL4J's model zoo publishes for its zips).
 * <pre>{@code
 * FileChecksum md5 = FileChecksum.md5("64373286793e3c8b2b4e3219cbf3544b");
 * boolean ok = md5.matches(Path.of("vgg16_weights_tf_dim_ordering_tf_kernels.h5"));
 * FileChecksum zoo = FileChecksum.adler32(3501732770L);                  // vgg16_dl4j_inference.zip
 * }</pre>
 * MD5 and Adler32 detect corrupt and truncated transfers; they are not a defence against a deliberately altered file.
 *
 * @param algorithm how the checksum is computed
 * @param value     the expected value: lower-case hex for MD5 (32 digits) and SHA-256 (64 digits), an unsigned
 *                  decimal number below 2<sup>32</sup> for Adler32; upper-case hex is accepted and lower-cased
 */
public record FileChecksum(Algorithm algorithm, String value) {

    /** A checksum algorithm. */
    public enum Algorithm {
        /** MD5, as hex; Keras's {@code get_file(..., file_hash=...)} uses it for 32-digit hashes. */
        MD5("MD5", Pattern.compile("[0-9a-f]{32}"), "32 hex digits"),
        /** SHA-256, as hex. */
        SHA256("SHA-256", Pattern.compile("[0-9a-f]{64}"), "64 hex digits"),
        /** Adler32 of the whole file, as an unsigned decimal number, as DL4J's {@code ZooModel} checks it. */
        ADLER32("Adler32", Pattern.compile("[0-9]{1,10}"), "a decimal number from 0 to 4294967295");

        private final String displayName;
        private final Pattern format;
        private final String formatInWords;

        Algorithm(String displayName, Pattern format, String formatInWords) {
            this.displayName = displayName;
            this.format = format;
            this.formatInWords = formatInWords;
        }

        /** @return the usual name, e.g. {@code SHA-256} */
        public String displayName() {
            return displayName;
        }

        /** @return a fresh incremental computation of this checksum */
        Digest newDigest() {
            OutputStream none = OutputStream.nullOutputStream();
            if (this == ADLER32) {
                Adler32 adler = new Adler32();
                return new Digest(new CheckedOutputStream(none, adler), () -> Long.toString(adler.getValue()));
            }
            MessageDigest md = Fingerprint.messageDigest(displayName);
            return new Digest(new DigestOutputStream(none, md), () -> HexFormat.of().formatHex(md.digest()));
        }
    }

    /**
     * An incremental checksum computation: write the bytes into {@link #sink}, then read the {@link #value} once.
     *
     * @param sink   where the bytes go; it stores nothing and never fails
     * @param result computes the value from what the sink has seen
     */
    record Digest(OutputStream sink, Supplier<String> result) {

        /** @return the checksum in the format of {@link FileChecksum#value()} */
        String value() {
            return result.get();
        }
    }

    /**
     * @throws UsageException if the value does not have the algorithm's format
     */
    public FileChecksum {
        if (algorithm == null || value == null) {
            throw new UsageException("checksum: algorithm and value are both required. Expected e.g. MD5 and 32 hex "
                    + "digits; received " + algorithm + " and " + value + ". Give both.");
        }
        value = value.strip().toLowerCase(Locale.ROOT);
        boolean valid = algorithm.format.matcher(value).matches()
                && (algorithm != Algorithm.ADLER32 || Long.parseLong(value) <= 0xFFFF_FFFFL);
        if (!valid) {
            throw new UsageException("checksum: not a valid " + algorithm.displayName + " value. Expected "
                    + algorithm.formatInWords + "; received \"" + value + "\". Copy the checksum exactly as "
                    + "published.");
        }
    }

    /** @return an MD5 checksum given as 32 hex digits */
    public static FileChecksum md5(String hex) {
        return new FileChecksum(Algorithm.MD5, hex);
    }

    /** @return a SHA-256 checksum given as 64 hex digits */
    public static FileChecksum sha256(String hex) {
        return new FileChecksum(Algorithm.SHA256, hex);
    }

    /** @return an Adler32 checksum, as DL4J's zoo publishes them (e.g. {@code 3501732770}) */
    public static FileChecksum adler32(long value) {
        return new FileChecksum(Algorithm.ADLER32, Long.toString(value));
    }

    /**
     * Computes this checksum's algorithm over a file.
     *
     * @return the file's checksum in the format of {@link #value()}
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    public String computeFor(Path file) {
        return compute(algorithm, file);
    }

    /**
     * Computes a checksum over a file when there is no expected value to compare with (e.g. to report it).
     *
     * @return the file's checksum in the format of {@link #value()}
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    public static String compute(Algorithm algorithm, Path file) {
        Digest digest = algorithm.newDigest();
        Fingerprint.readInto(file, digest.sink());
        return digest.value();
    }

    /**
     * @return whether the file's checksum equals this one
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    public boolean matches(Path file) {
        return value.equals(computeFor(file));
    }

    /** @return e.g. {@code MD5 64373286793e3c8b2b4e3219cbf3544b} */
    @Override
    public String toString() {
        return algorithm.displayName + " " + value;
    }
}
