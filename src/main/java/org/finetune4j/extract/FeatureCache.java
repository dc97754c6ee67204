package org.finetune4j.extract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Fingerprint;

/**
 * Feature vectors on disk, so that a second run on the same data does no network work. A <em>space</em> is one
 * folder per key (model identity, feature layer, pooling, preprocessing, view — see {@link FeatureExtractor}):
 * {@code <root>/<sha256(key) first 32 hex>/} with the key itself in {@code key.json}; in it, one entry per image
 * content, {@code <sha256 of the file, first 2 hex>/<sha256>.f32}. Renaming or moving an image keeps its entry;
 * editing it misses. Changing the model, layer, pooling, preprocessing or view changes the space, so exactly the
 * affected entries are recomputed.
 *
 * <p>Entry format: magic {@code F4JF}, format version 1, dimension (3 little-endian ints), the floats, a CRC-32 of
 * the floats. Entries are written to a temporary file and renamed into place, so a crash never leaves a partial
 * entry under the final name; an entry that is nevertheless damaged (wrong size, header or checksum) is deleted on
 * read and recomputed.
 * <pre>{@code
 * FeatureCache cache = FeatureCache.of(FeatureCache.defaultFolder());
 * FeatureCache.Space space = cache.space(keyJson);
 * float[] f = space.get(sha, 4096);    // null when missing or damaged
 * space.put(sha, features);
 * }</pre>
 */
public final class FeatureCache {

    /** The environment variable naming the cache root (shared with the weights cache). */
    public static final String CACHE_ENV = "FINETUNE4J_CACHE";
    private static final int MAGIC = 0x46344A46;   // "F4JF"
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = 12;

    private final Path root;

    private FeatureCache(Path root) {
        this.root = root;
    }

    /** @return the cache rooted at a folder (created on first write) */
    public static FeatureCache of(Path root) {
        return new FeatureCache(root);
    }

    /** @return {@code $FINETUNE4J_CACHE/features}, else {@code ~/.finetune4j/features} */
    public static Path defaultFolder() {
        return defaultFolder(System.getenv(), System.getProperty("user.home"));
    }

    /**
     * @return {@code env[FINETUNE4J_CACHE]/features} if set and not blank, else
     *         {@code userHome/.finetune4j/features}
     */
    public static Path defaultFolder(Map<String, String> env, String userHome) {
        String fromEnv = env.get(CACHE_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv.strip(), "features");
        }
        return Path.of(userHome, ".finetune4j", "features");
    }

    /** @return the root folder */
    public Path root() {
        return root;
    }

    /** @return the space for a key (its folder is created on first write) */
    public Space space(String keyJson) {
        String id = Fingerprint.sha256(keyJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 32);
        return new Space(root.resolve(id), keyJson);
    }

    /**
     * Size of the cache.
     *
     * @param spaces  key folders
     * @param entries feature files
     * @param bytes   bytes on disk
     */
    public record Stats(long spaces, long entries, long bytes) {
    }

    /** @return how much is cached */
    public Stats stats() {
        if (!Files.isDirectory(root)) {
            return new Stats(0, 0, 0);
        }
        long spaces;
        try (Stream<Path> s = Files.list(root)) {
            spaces = s.filter(Files::isDirectory).count();
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot list the feature cache (" + e.getMessage() + ")", e);
        }
        AtomicLong entries = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).forEach(p -> {
                if (p.getFileName().toString().endsWith(".f32")) {
                    entries.incrementAndGet();
                }
                try {
                    bytes.addAndGet(Files.size(p));
                } catch (IOException ignored) {
                    // removed meanwhile: not counted
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot list the feature cache (" + e.getMessage() + ")", e);
        }
        return new Stats(spaces, entries.get(), bytes.get());
    }

    /** Empties the cache (only what it wrote: the key folders under the root). @return what was freed */
    public Stats clear() {
        Stats before = stats();
        if (!Files.isDirectory(root)) {
            return before;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.toList()) {
                if (Files.isDirectory(p) && Files.isRegularFile(p.resolve("key.json"))) {
                    AtomicFiles.deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot clear the feature cache (" + e.getMessage() + ")", e);
        }
        Stats after = stats();
        return new Stats(before.spaces() - after.spaces(), before.entries() - after.entries(),
                before.bytes() - after.bytes());
    }

    /** The entries of one key. Safe for concurrent use. */
    public static final class Space {
        private final Path dir;
        private final String keyJson;
        private final AtomicLong damaged = new AtomicLong();
        private volatile boolean keyWritten;

        private Space(Path dir, String keyJson) {
            this.dir = dir;
            this.keyJson = keyJson;
        }

        /** @return the folder of this space */
        public Path dir() {
            return dir;
        }

        /** @return entries found damaged (and deleted) so far */
        public long damaged() {
            return damaged.get();
        }

        private Path entry(String sha256) {
            return dir.resolve(sha256.substring(0, 2)).resolve(sha256 + ".f32");
        }

        /**
         * @param sha256    SHA-256 of the image file
         * @param dimension the expected feature dimension
         * @return the cached features, or null when missing or damaged (a damaged entry is deleted)
         */
        public float[] get(String sha256, int dimension) {
            Path p = entry(sha256);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(p);
            } catch (java.nio.file.NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(p + ": cannot read a feature cache entry (" + e.getMessage() + ")", e);
            }
            float[] f = decode(bytes, dimension);
            if (f == null) {
                damaged.incrementAndGet();
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // it will be overwritten by the recomputed entry
                }
            }
            return f;
        }

        /**
         * @param sha256    SHA-256 of the image file
         * @param dimension the expected feature dimension
         * @return whether an entry of the right size is there (its checksum is checked when it is read)
         */
        public boolean has(String sha256, int dimension) {
            try {
                return Files.size(entry(sha256)) == HEADER_BYTES + 4L * dimension + 4;
            } catch (IOException e) {
                return false;
            }
        }

        /** Writes an entry atomically (temporary file, then rename). */
        public void put(String sha256, float[] features) {
            if (!keyWritten) {
                synchronized (this) {
                    if (!Files.isRegularFile(dir.resolve("key.json"))) {
                        AtomicFiles.writeString(dir.resolve("key.json"), keyJson);
                    }
                    keyWritten = true;
                }
            }
            AtomicFiles.writeBytes(entry(sha256), encode(features));
        }
    }

    static byte[] encode(float[] f) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 4 * f.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putInt(f.length);
        for (float v : f) {
            b.putFloat(v);
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), HEADER_BYTES, 4 * f.length);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    static float[] decode(byte[] bytes, int dimension) {
        if (bytes.length != HEADER_BYTES + 4 * dimension + 4) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != MAGIC || b.getInt() != VERSION || b.getInt() != dimension) {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, HEADER_BYTES, 4 * dimension);
        if (b.getInt(HEADER_BYTES + 4 * dimension) != (int) crc.getValue()) {
            return null;
        }
        float[] f = new float[dimension];
        for (int j = 0; j < dimension; j++) {
            f[j] = b.getFloat();
        }
        return f;
    }
}
