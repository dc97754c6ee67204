package org.finetune4j.serve;

import java.nio.file.Path;
import java.util.Locale;
import org.finetune4j.core.UsageException;

/**
 * What {@code finetune4j serve} runs with.
 *
 * @param host         the address to bind; default {@code 127.0.0.1} (loopback only: other machines cannot connect)
 * @param port         the TCP port, 0 for any free one; default 8080
 * @param apiKeyFile   a file holding the API key that {@code /v1/*} and {@code /metrics} require, or null for none
 * @param limits       request and queue limits
 * @param batching     how concurrent requests are gathered into one forward pass
 * @param topK         labels per image unless a request asks otherwise ({@code ?top-k=}); default 5
 * @param drainSeconds on shutdown, how long requests in flight may take to finish; default 30
 */
public record ServeConfig(String host, int port, Path apiKeyFile, Limits limits, Batching batching, int topK,
                          int drainSeconds) {

    /**
     * Limits that keep one client from hurting the others.
     *
     * @param maxRequestBytes     largest request body (all images of a request together); default 32 MiB
     * @param maxImagesPerRequest most images in one multipart request; default 64
     * @param queueImages         images waiting for a forward pass at most; beyond it requests get 503 with
     *                            {@code Retry-After}; default 256
     */
    public record Limits(long maxRequestBytes, int maxImagesPerRequest, int queueImages) {
        /** @throws UsageException for a value out of range */
        public Limits {
            atLeast("--max-request-mb", maxRequestBytes, 1);
            atLeast("--max-images-per-request", maxImagesPerRequest, 1);
            atLeast("--queue", queueImages, 1);
        }

        /** @return 32 MiB, 64 images, 256 queued images */
        public static Limits defaults() {
            return new Limits(32L << 20, 64, 256);
        }
    }

    /**
     * Micro-batching.
     *
     * @param windowMillis how long the first waiting image waits for others to join its forward pass; default 5
     * @param maxImages    most images in one forward pass; default 32
     * @param copies       network copies, each run by its own batching thread; default 1 (see docs/serving.md)
     */
    public record Batching(int windowMillis, int maxImages, int copies) {
        /** @throws UsageException for a value out of range */
        public Batching {
            atLeast("--batch-window-ms", windowMillis, 0);
            atLeast("--max-batch", maxImages, 1);
            atLeast("--copies", copies, 1);
        }

        /** @return a 5 ms window, 32 images per pass, one copy */
        public static Batching defaults() {
            return new Batching(5, 32, 1);
        }
    }

    /** @throws UsageException for a value out of range */
    public ServeConfig {
        if (port < 0 || port > 65535) {
            throw new UsageException("--port " + port + ": not a TCP port. Expected 0 (any free port) to 65535.");
        }
        atLeast("--top-k", topK, 1);
        atLeast("--drain-seconds", drainSeconds, 0);
    }

    /** @return 127.0.0.1:8080, no API key, default limits and batching, top 5, 30 s to drain */
    public static ServeConfig defaults() {
        return new ServeConfig("127.0.0.1", 8080, null, Limits.defaults(), Batching.defaults(), 5, 30);
    }

    /** @return this configuration on another host and port */
    public ServeConfig withAddress(String newHost, int newPort) {
        return new ServeConfig(newHost, newPort, apiKeyFile, limits, batching, topK, drainSeconds);
    }

    /** @return this configuration with an API key file (null for none) */
    public ServeConfig withApiKeyFile(Path file) {
        return new ServeConfig(host, port, file, limits, batching, topK, drainSeconds);
    }

    /** @return this configuration with other limits */
    public ServeConfig withLimits(Limits newLimits) {
        return new ServeConfig(host, port, apiKeyFile, newLimits, batching, topK, drainSeconds);
    }

    /** @return this configuration with other batching */
    public ServeConfig withBatching(Batching newBatching) {
        return new ServeConfig(host, port, apiKeyFile, limits, newBatching, topK, drainSeconds);
    }

    private static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new UsageException(String.format(Locale.ROOT, "%s %d: too small. Expected at least %d.", option,
                    value, min));
        }
    }
}
