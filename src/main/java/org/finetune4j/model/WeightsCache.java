package org.finetune4j.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.DataException;
import org.finetune4j.core.UsageException;
import org.finetune4j.core.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads pretrained weights once and keeps them in a cache folder, checked against a published checksum.
 * <pre>{@code
 * WeightsCache cache = WeightsCache.defaults();                 // $FINETUNE4J_CACHE or ~/.finetune4j/weights/
 * Path h5 = cache.fetch(WeightsSource.kerasVgg16(true), (done, total) -> bar.stepTo(done));
 * }</pre>
 * The cache folder is {@code ~/.finetune4j/weights/} unless the environment variable {@value #CACHE_ENV} names another
 * folder; the CLI's {@code --weights-cache DIR} overrides both (through {@link #of}). Files keep their published names
 * ({@code vgg16_weights_tf_dim_ordering_tf_kernels.h5}, …), so a file downloaded elsewhere can simply be put
 * there.
 *
 * <p>A cached file with the right checksum is used without any network access. A cached file with the wrong checksum
 * is downloaded again and replaced once the new copy checks out (if that fails, the message says so). A download
 * goes into a temporary file in the cache folder and is renamed into place only after its length and checksum are
 * right; on any failure (unreachable host, HTTP error status, stalled or truncated transfer, wrong checksum) no file
 * is left behind, and the message names the URL, the exact path to place the file at, its checksum, and
 * {@code --weights FILE} as the alternative.
 *
 * <p>Proxies follow the JVM's usual {@code https.proxyHost}/{@code https.proxyPort} system properties.
 *
 * @param folder         where weights files are kept; created on first download
 * @param connectTimeout how long to wait for a connection (default 30 s)
 * @param readTimeout    how long a read may wait for the next bytes, for the response headers and for every chunk
 *                       of the body (default 60 s)
 */
public record WeightsCache(Path folder, Duration connectTimeout, Duration readTimeout) {

    /** The environment variable that names the cache folder. */
    public static final String CACHE_ENV = "FINETUNE4J_CACHE";
    /** The default time to wait for a connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** The default time a read may wait for more bytes. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(WeightsCache.class);

    /**
     * @throws UsageException if a timeout is not positive or exceeds {@code Integer.MAX_VALUE} milliseconds
     */
    public WeightsCache {
        if (folder == null) {
            throw new UsageException("--weights-cache: a folder is required. Expected a folder path; received "
                    + "nothing. Pass --weights-cache DIR or set " + CACHE_ENV + ".");
        }
        checkTimeout("connect timeout", connectTimeout);
        checkTimeout("read timeout", readTimeout);
    }

    private static void checkTimeout(String what, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()
                || timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
            throw new UsageException("weights download " + what + ": out of range. Expected 1 ms to "
                    + Integer.MAX_VALUE + " ms; received " + timeout + ". Pass a positive duration.");
        }
    }

    /** @return the cache in {@link #defaultFolder()} with the default timeouts */
    public static WeightsCache defaults() {
        return of(defaultFolder());
    }

    /** @return the cache in {@code folder} (e.g. from {@code --weights-cache DIR}) with the default timeouts */
    public static WeightsCache of(Path folder) {
        return new WeightsCache(folder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT);
    }

    /** @return {@code $FINETUNE4J_CACHE} if set and not blank, else {@code ~/.finetune4j/weights} */
    public static Path defaultFolder() {
        return defaultFolder(System.getenv(), System.getProperty("user.home"));
    }

    /**
     * @param env      the environment to read {@value #CACHE_ENV} from
     * @param userHome the user's home folder
     * @return {@code env[FINETUNE4J_CACHE]} if set and not blank, else {@code userHome/.finetune4j/weights}
     */
    public static Path defaultFolder(Map<String, String> env, String userHome) {
        String fromEnv = env.get(CACHE_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv.strip());
        }
        return Path.of(userHome, ".finetune4j", "weights");
    }

    /** @return the same cache with other timeouts */
    public WeightsCache withTimeouts(Duration newConnectTimeout, Duration newReadTimeout) {
        return new WeightsCache(folder, newConnectTimeout, newReadTimeout);
    }

    /** @return where the source's file is (or will be) kept: {@code folder/fileName} */
    public Path pathOf(WeightsSource source) {
        return folder.resolve(source.fileName());
    }

    /**
     * Returns the cached file, downloading it first if it is missing or its checksum is wrong.
     *
     * @param source   what to fetch
     * @param listener hears the transfer's progress (not called on a cache hit); {@link DownloadListener#NONE}
     * @return the verified file in the cache folder
     * @throws UncheckedIOException if the download fails (unreachable, HTTP status other than 200, stalled, truncated)
     *                              or the cache folder cannot be written; nothing is left behind
     * @throws DataException        if the downloaded bytes have the wrong checksum; nothing is left behind
     */
    public Path fetch(WeightsSource source, DownloadListener listener) {
        Path target = pathOf(source);
        DownloadListener hears = listener == null ? DownloadListener.NONE : listener;
        if (!Files.isRegularFile(target)) {
            return download(source, target, hears);
        }
        String actual = source.checksum().computeFor(target);
        if (actual.equals(source.checksum().value())) {
            log.debug("{}: using cached {}", source.name(), target);
            return target;
        }
        log.warn("{}: cached {} has the wrong checksum (expected {}; found {} {}); downloading it again",
                source.name(), target, source.checksum(), source.checksum().algorithm().displayName(), actual);
        // the bad copy stays until a good one replaces it, so a failed download never destroys a file a user put there
        String kept = " The file already at " + target + " is not it (" + source.checksum().algorithm().displayName()
                + " " + actual + ") and was left in place; replace it.";
        try {
            return download(source, target, hears);
        } catch (DataException e) {
            throw new DataException(e.getMessage() + kept, e);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(e.getMessage() + kept, e.getCause());
        }
    }

    /**
     * Checks a weights file the user passed ({@code --weights FILE}) against the source's checksum.
     *
     * @return {@code file}
     * @throws UsageException naming {@code --weights} if the file is missing or its checksum is wrong
     */
    public static Path verified(Path file, WeightsSource source) {
        requireFile(file, source);
        String actual = source.checksum().computeFor(file);
        if (!actual.equals(source.checksum().value())) {
            throw new UsageException("--weights " + file + ": not the expected " + source.name() + " (corrupt, "
                    + "truncated or another file). Expected " + source.checksum() + "; received "
                    + source.checksum().algorithm().displayName() + " " + actual + ". Download " + source.url()
                    + " again, or omit --weights to let finetune4j download it. If it is a file of your own in "
                    + "the same layout (e.g. a Keras re-save), pass its MD5 with --weights-md5 HASH.");
        }
        return file;
    }

    /**
     * Checks a weights file the user passed ({@code --weights FILE}) as {@code --weights-md5} says: against the
     * source's published checksum ({@code md5} null), against the MD5 the user gives (32 hex digits: a Keras re-save
     * of the same weights, or the user's own weights in that layout), or not at all ({@code md5} =
     * {@value WeightsSettings#ANY_MD5}; {@code warnings} then hears the file's actual MD5, so a run's log still
     * says which file it used).
     *
     * @param md5      null, 32 lower-case hex digits, or {@value WeightsSettings#ANY_MD5}, as validated by
     *                 {@link WeightsSettings}
     * @param warnings receives the one-line warning of {@value WeightsSettings#ANY_MD5} (for the user's stderr)
     * @return {@code file}
     * @throws UsageException naming {@code --weights} if the file is missing or its checksum is not the expected one
     */
    public static Path verified(Path file, WeightsSource source, String md5, Consumer<String> warnings) {
        if (md5 == null) {
            return verified(file, source);
        }
        requireFile(file, source);
        String actual = FileChecksum.compute(FileChecksum.Algorithm.MD5, file);
        if (md5.equals(WeightsSettings.ANY_MD5)) {
            warnings.accept("warning: --weights " + file + ": checksum not checked (--weights-md5 "
                    + WeightsSettings.ANY_MD5 + "); its MD5 is " + actual + ". Only its layer names and shapes are "
                    + "checked.");
            return file;
        }
        if (!actual.equals(md5)) {
            throw new UsageException("--weights " + file + ": its MD5 is not the one given by --weights-md5 "
                    + "(corrupt, truncated or another file). Expected MD5 " + md5 + "; received MD5 " + actual
                    + ". Check that it is the file you meant and copy its checksum again (`md5sum FILE`), or pass "
                    + "--weights-md5 " + WeightsSettings.ANY_MD5 + " to use it unchecked.");
        }
        return file;
    }

    private static void requireFile(Path file, WeightsSource source) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--weights " + file + ": no such file. Expected " + source.fileName()
                    + " (" + source.checksum() + "); received a path that " + (Files.exists(file)
                    ? "is not a regular file" : "does not exist") + ". Check the path, or omit --weights to download "
                    + "it from " + source.url() + ".");
        }
    }

    private Path download(WeightsSource source, Path target, DownloadListener listener) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(folder + ": cannot create the weights cache folder (" + describe(e)
                    + "). Expected a writable folder. Pass --weights-cache DIR or set " + CACHE_ENV
                    + " to a writable folder, or pass --weights FILE.", e);
        }
        Path partial = null;
        HttpURLConnection connection = null;
        try {
            partial = Files.createTempFile(folder, "." + source.fileName() + ".", ".part");
            connection = open(source, target);
            int status = responseCode(source, target, connection);
            if (status != HttpURLConnection.HTTP_OK) {
                String reason = connection.getResponseMessage();
                throw new UncheckedIOException(source.name() + ": cannot download " + source.url() + " (HTTP "
                        + status + (reason == null ? "" : " " + reason) + "). Expected HTTP 200; received " + status
                        + ". " + placeHint(source, target), new IOException("HTTP " + status));
            }
            long declared = connection.getContentLengthLong();
            Transfer transfer = transfer(source, target, connection, partial, declared, listener);
            long received = transfer.bytes();
            if (declared >= 0 && received != declared) {
                throw truncated(source, target, declared, received, null);
            }
            String actual = transfer.checksum();
            if (!actual.equals(source.checksum().value())) {
                throw new DataException(source.name() + ": the file downloaded from " + source.url() + " has the "
                        + "wrong checksum, so it was discarded. Expected " + source.checksum() + "; received "
                        + source.checksum().algorithm().displayName() + " " + actual + " (" + received + " bytes). "
                        + "Retry, check --weights-url if you set it, or " + placeHintLowerCase(source, target));
            }
            AtomicFiles.move(partial, target);
            log.info("{}: downloaded {} bytes to {}", source.name(), received, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write the downloaded " + source.name() + " ("
                    + describe(e) + "). Free disk space or pass another --weights-cache DIR, or pass --weights FILE.",
                    e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // already renamed into place, or the folder vanished; nothing else to clean up
                }
            }
        }
    }

    private HttpURLConnection open(WeightsSource source, Path target) {
        URLConnection raw;
        try {
            raw = source.url().toURL().openConnection();
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException(source.name() + ": cannot download " + source.url() + " (" + describe(e)
                    + "). " + placeHint(source, target), e instanceof IOException io ? io : new IOException(e));
        }
        if (!(raw instanceof HttpURLConnection connection)) {
            throw new IllegalStateException(source.url() + " opened a " + raw.getClass().getName()
                    + "; WeightsSource admits only http and https URLs");
        }
        connection.setConnectTimeout((int) connectTimeout.toMillis());
        connection.setReadTimeout((int) readTimeout.toMillis());
        connection.setInstanceFollowRedirects(true);
        connection.setUseCaches(false);
        connection.setRequestProperty("User-Agent", "finetune4j/" + Version.finetune4j());
        connection.setRequestProperty("Accept-Encoding", "identity");
        return connection;
    }

    private int responseCode(WeightsSource source, Path target, HttpURLConnection connection) {
        try {
            return connection.getResponseCode();
        } catch (SocketTimeoutException e) {
            throw new UncheckedIOException(source.name() + ": cannot download " + source.url() + " (" + describe(e)
                    + "; connect timeout " + seconds(connectTimeout) + ", read timeout " + seconds(readTimeout)
                    + "). Retry later, or " + placeHintLowerCase(source, target), e);
        } catch (IOException e) {
            throw new UncheckedIOException(source.name() + ": cannot download " + source.url() + " (" + describe(e)
                    + "). " + placeHint(source, target), e);
        }
    }

    /** What a finished transfer received: its length and its checksum, computed on the fly. */
    private record Transfer(long bytes, String checksum) {
    }

    private Transfer transfer(WeightsSource source, Path target, HttpURLConnection connection, Path partial,
                              long declared, DownloadListener listener) throws IOException {
        FileChecksum.Digest digest = source.checksum().algorithm().newDigest();
        long received = 0;
        listener.onProgress(0, declared);
        byte[] buffer = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(partial)) {
            InputStream in;
            try {
                in = connection.getInputStream();
            } catch (IOException e) {
                throw broken(source, target, declared, received, e);
            }
            try {
                while (true) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (IOException e) {
                        throw broken(source, target, declared, received, e);
                    }
                    if (n < 0) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    digest.sink().write(buffer, 0, n);
                    received += n;
                    listener.onProgress(received, declared);
                }
            } finally {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the bytes are in (or the transfer already failed); a failing close changes neither
                }
            }
        }
        return new Transfer(received, digest.value());
    }

    private UncheckedIOException broken(WeightsSource source, Path target, long declared, long received,
                                        IOException e) {
        if (e instanceof SocketTimeoutException) {
            return new UncheckedIOException(source.name() + ": the download of " + source.url() + " stalled: no data "
                    + "for " + seconds(readTimeout) + " after " + received + " of " + size(declared) + " ("
                    + describe(e) + "). Retry later, or " + placeHintLowerCase(source, target), e);
        }
        if (declared >= 0 && received < declared) {
            return truncated(source, target, declared, received, e);
        }
        return new UncheckedIOException(source.name() + ": the download of " + source.url() + " failed after "
                + received + " bytes (" + describe(e) + "). Retry, or " + placeHintLowerCase(source, target), e);
    }

    private UncheckedIOException truncated(WeightsSource source, Path target, long declared, long received,
                                           IOException cause) {
        return new UncheckedIOException(source.name() + ": the download of " + source.url() + " ended early, so it "
                + "was discarded. Expected " + declared + " bytes; received " + received + (cause == null ? ""
                : " (" + describe(cause) + ")") + ". Retry, or " + placeHintLowerCase(source, target),
                cause != null ? cause : new IOException("connection closed after " + received + " of " + declared
                        + " bytes"));
    }

    private static String placeHint(WeightsSource source, Path target) {
        return "Download it on a machine with internet access and place it at " + target + " (" + source.checksum()
                + "), or pass --weights FILE.";
    }

    private static String placeHintLowerCase(WeightsSource source, Path target) {
        return "download it on a machine with internet access and place it at " + target + " ("
                + source.checksum() + "), or pass --weights FILE.";
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String size(long declared) {
        return declared >= 0 ? declared + " bytes" : "an unknown number of bytes";
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s"
                : String.format(Locale.ROOT, "%.3f s", d.toMillis() / 1000.0);
    }
}
