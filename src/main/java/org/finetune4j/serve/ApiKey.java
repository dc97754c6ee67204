package org.finetune4j.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.finetune4j.core.UsageException;

/**
 * The API key a request must present ({@code Authorization: Bearer KEY} or {@code X-API-Key: KEY}), read from a file
 * so that it never appears in a command line or a process listing. Compared in constant time: both sides are hashed
 * with SHA-256 and the digests compared with {@link MessageDigest#isEqual}, so neither the position of the first
 * wrong character nor the key's length shows in the response time.
 */
final class ApiKey {

    private final byte[] digest;

    private ApiKey(String key) {
        this.digest = sha256(key);
    }

    /**
     * Reads the key: the file's content without surrounding whitespace (a trailing newline is common).
     *
     * @throws UsageException if the file cannot be read, is empty, or the key is shorter than 16 characters
     */
    static ApiKey read(Path file) {
        String key;
        try {
            key = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UsageException("--api-key-file " + file + ": cannot read (" + e.getMessage() + "). Expected a "
                    + "readable file holding the key.");
        }
        if (key.length() < 16) {
            throw new UsageException("--api-key-file " + file + ": the key is " + key.length() + " characters long. "
                    + "Expected at least 16 (e.g. `openssl rand -hex 32 > " + file + "`).");
        }
        return new ApiKey(key);
    }

    /** @return whether the presented key is the key, in time independent of where they differ; false for null */
    boolean matches(String presented) {
        byte[] other = sha256(presented == null ? "" : presented);
        return MessageDigest.isEqual(digest, other) && presented != null;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
