package org.finetune4j.data;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import org.finetune4j.core.Fingerprint;

/**
 * The per-file work of preparing data that reads a file's bytes: the header check of {@link ImageDecoder#probe}, the
 * SHA-256 of the bytes and the size. {@link #local} reads the files on this machine; {@link #precomputed} answers
 * from {@link Facts} computed where the bytes are (Spark executors reading a folder through Hadoop), so such a folder
 * is screened, hashed and fingerprinted exactly as a local one.
 * <pre>{@code
 * FileChecks.Facts f = FileChecks.local(ImageDecoder.defaults()).facts(image);   // where the file is
 * TrainingData.prepare(folder, settings, FileChecks.precomputed(factsByPath), seeds, log);   // elsewhere
 * }</pre>
 */
public interface FileChecks {

    /**
     * What reading one file told.
     *
     * @param size      size in bytes, or -1 if the file could not be read
     * @param sha256    SHA-256 of the bytes (lower-case hex), or null if the file could not be read
     * @param badReason why the file is unusable, as {@link BadImageException#reason()} says it; null when its
     *                  header passes
     */
    record Facts(long size, String sha256, String badReason) implements Serializable {
    }

    /** @return why the file is unusable, or null when its header passes {@link ImageDecoder#probe} */
    String badReason(LabeledImage image);

    /**
     * @return the SHA-256 of the file's bytes
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    String sha256(LabeledImage image);

    /**
     * @return the file's size in bytes
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    long size(LabeledImage image);

    /** @return all three for one file; an unreadable file has size -1 and no hash */
    default Facts facts(LabeledImage image) {
        String reason = badReason(image);
        try {
            return new Facts(size(image), sha256(image), reason);
        } catch (UncheckedIOException e) {
            return new Facts(-1, null, reason);
        }
    }

    /** @return checks that read {@link LabeledImage#file()} on this machine */
    static FileChecks local(ImageDecoder decoder) {
        return new FileChecks() {
            @Override
            public String badReason(LabeledImage image) {
                try {
                    decoder.probe(image.file(), image.relativePath());
                    return null;
                } catch (BadImageException e) {
                    return e.reason();
                }
            }

            @Override
            public String sha256(LabeledImage image) {
                return Fingerprint.sha256(image.file());
            }

            @Override
            public long size(LabeledImage image) {
                try {
                    return Files.size(image.file());
                } catch (IOException e) {
                    throw new UncheckedIOException(image.file() + ": cannot read (" + e.getMessage() + ")", e);
                }
            }
        };
    }

    /**
     * @param facts what reading each file told, by relative path; every image asked about must have an entry
     * @return checks that answer from {@code facts} and read nothing
     */
    static FileChecks precomputed(Map<String, Facts> facts) {
        Map<String, Facts> byPath = Map.copyOf(facts);
        return new FileChecks() {
            private Facts of(LabeledImage image) {
                Facts f = byPath.get(image.relativePath());
                if (f == null) {
                    throw new IllegalStateException(image.relativePath() + ": no precomputed checks for this file");
                }
                return f;
            }

            @Override
            public String badReason(LabeledImage image) {
                return of(image).badReason();
            }

            @Override
            public String sha256(LabeledImage image) {
                Facts f = of(image);
                if (f.sha256() == null) {
                    throw new UncheckedIOException(new IOException(image.relativePath() + ": could not be read"));
                }
                return f.sha256();
            }

            @Override
            public long size(LabeledImage image) {
                Facts f = of(image);
                if (f.size() < 0) {
                    throw new UncheckedIOException(new IOException(image.relativePath() + ": could not be read"));
                }
                return f.size();
            }

            @Override
            public Facts facts(LabeledImage image) {
                return of(image);
            }
        };
    }
}
