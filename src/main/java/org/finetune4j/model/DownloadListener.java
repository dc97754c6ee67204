package org.finetune4j.model;

/**
 * Hears how far a download of {@link WeightsCache#fetch} has got, e.g. to draw a progress bar on stderr (the model
 * package prints nothing itself).
 * <pre>{@code
 * Path file = cache.fetch(source, (done, total) -> bar.stepTo(done));
 * }</pre>
 * It is called only when a transfer actually happens (never on a cache hit): first with {@code bytesSoFar == 0} once
 * the server has answered, then after every chunk received, on the downloading thread.
 */
@FunctionalInterface
public interface DownloadListener {

    /** A listener that ignores progress. */
    DownloadListener NONE = (bytesSoFar, totalBytes) -> {
    };

    /**
     * @param bytesSoFar bytes received so far, from 0
     * @param totalBytes the size the server declared (Content-Length), or -1 if it declared none
     */
    void onProgress(long bytesSoFar, long totalBytes);
}
