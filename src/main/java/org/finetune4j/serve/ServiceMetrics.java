package org.finetune4j.serve;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The service's counters, written in the Prometheus text exposition format (version 0.0.4) for {@code GET /metrics}:
 * requests and errors by endpoint and status, the latency histogram of {@code POST /v1/predict}, images classified
 * and forward passes, images per second over the last ten seconds, and the queue length.
 *
 * <p>Written here rather than with a metrics library: six series of counters and one histogram are a few dozen lines
 * of {@link LongAdder}s and the text format is simple and stable, while the client libraries bring registries,
 * exporters and (for the current Prometheus client) protobuf — more code than what they would replace.
 */
final class ServiceMetrics {

    /** Histogram bucket bounds of the predict latency, in seconds. */
    static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    private static final int RATE_WINDOW_SECONDS = 10;

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder[] latencyBuckets = new LongAdder[LATENCY_BUCKETS.length];
    private final LongAdder latencyCount = new LongAdder();
    private final DoubleAdder latencySum = new DoubleAdder();
    private final LongAdder images = new LongAdder();
    private final LongAdder passes = new LongAdder();
    private final DoubleAdder forwardSeconds = new DoubleAdder();
    private final long[] rateSlots = new long[RATE_WINDOW_SECONDS];
    private final long[] rateSecond = new long[RATE_WINDOW_SECONDS];
    private final LongSupplier clockMillis;
    private IntSupplier queueLength = () -> 0;

    ServiceMetrics(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        for (int i = 0; i < latencyBuckets.length; i++) {
            latencyBuckets[i] = new LongAdder();
        }
    }

    void queueLength(IntSupplier length) {
        this.queueLength = length;
    }

    /** Counts an answered request. */
    void request(String endpoint, int status) {
        requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
    }

    /** Adds a {@code POST /v1/predict} latency. */
    void latency(double seconds) {
        for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
            if (seconds <= LATENCY_BUCKETS[i]) {
                latencyBuckets[i].increment();
            }
        }
        latencyCount.increment();
        latencySum.add(seconds);
    }

    /** Counts one forward pass over {@code n} images. */
    void batch(int n, long nanos) {
        images.add(n);
        passes.increment();
        forwardSeconds.add(nanos / 1e9);
        long second = clockMillis.getAsLong() / 1000;
        synchronized (rateSlots) {
            int slot = (int) (second % RATE_WINDOW_SECONDS);
            if (rateSecond[slot] != second) {
                rateSecond[slot] = second;
                rateSlots[slot] = 0;
            }
            rateSlots[slot] += n;
        }
    }

    /** @return images classified per second over the last ten whole seconds */
    double imagesPerSecond() {
        long now = clockMillis.getAsLong() / 1000;
        long sum = 0;
        synchronized (rateSlots) {
            for (int i = 0; i < RATE_WINDOW_SECONDS; i++) {
                if (rateSecond[i] < now && rateSecond[i] >= now - RATE_WINDOW_SECONDS) {
                    sum += rateSlots[i];
                }
            }
        }
        return sum / (double) RATE_WINDOW_SECONDS;
    }

    /** @return the metrics in the Prometheus text format */
    String text() {
        StringBuilder b = new StringBuilder(2048);
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((k, v) -> sorted.put(k, v.sum()));
        header(b, "finetune4j_http_requests_total", "counter", "HTTP requests answered, by endpoint and status code.");
        sorted.forEach((k, v) -> b.append("finetune4j_http_requests_total").append(labels(k)).append(' ').append(v)
                .append('\n'));
        header(b, "finetune4j_http_request_errors_total", "counter",
                "HTTP requests answered with a 4xx or 5xx status, by endpoint and status code.");
        sorted.forEach((k, v) -> {
            if (Integer.parseInt(k.substring(k.indexOf('\u0000') + 1)) >= 400) {
                b.append("finetune4j_http_request_errors_total").append(labels(k)).append(' ').append(v).append('\n');
            }
        });
        header(b, "finetune4j_predict_latency_seconds", "histogram",
                "Time from a POST /v1/predict request's arrival to its answer, in seconds.");
        for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
            b.append("finetune4j_predict_latency_seconds_bucket{le=\"").append(number(LATENCY_BUCKETS[i]))
                    .append("\"} ").append(latencyBuckets[i].sum()).append('\n');
        }
        b.append("finetune4j_predict_latency_seconds_bucket{le=\"+Inf\"} ").append(latencyCount.sum()).append('\n');
        b.append("finetune4j_predict_latency_seconds_sum ").append(number(latencySum.sum())).append('\n');
        b.append("finetune4j_predict_latency_seconds_count ").append(latencyCount.sum()).append('\n');
        header(b, "finetune4j_images_classified_total", "counter", "Images classified.");
        b.append("finetune4j_images_classified_total ").append(images.sum()).append('\n');
        header(b, "finetune4j_forward_passes_total", "counter",
                "Forward passes through the network (images per pass = images classified / passes).");
        b.append("finetune4j_forward_passes_total ").append(passes.sum()).append('\n');
        header(b, "finetune4j_forward_seconds_total", "counter", "Time spent in forward passes, in seconds.");
        b.append("finetune4j_forward_seconds_total ").append(number(forwardSeconds.sum())).append('\n');
        header(b, "finetune4j_images_per_second", "gauge", "Images classified per second over the last 10 s.");
        b.append("finetune4j_images_per_second ").append(number(imagesPerSecond())).append('\n');
        header(b, "finetune4j_queue_images", "gauge", "Images waiting for a forward pass.");
        b.append("finetune4j_queue_images ").append(queueLength.getAsInt()).append('\n');
        return b.toString();
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String labels(String key) {
        int cut = key.indexOf('\u0000');
        return "{endpoint=\"" + key.substring(0, cut) + "\",code=\"" + key.substring(cut + 1) + "\"}";
    }

    private static String number(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
