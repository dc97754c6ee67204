package org.finetune4j.serve;

import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.finetune4j.api.Classification;
import org.finetune4j.api.ClassifierOptions;
import org.finetune4j.api.ImageClassifier;
import org.finetune4j.api.ImageInput;
import org.finetune4j.api.ImageRejectedException;
import org.finetune4j.api.ModelInfo;
import org.finetune4j.api.PreparedImage;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;

/**
 * A trained bundle served over HTTP (Javalin on Jetty):
 * <ul>
 * <li>{@code POST /v1/predict} — the body is one image's bytes ({@code Content-Type: image/*} or
 * {@code application/octet-stream}), or a {@code multipart/form-data} form with one or more image files; the answer
 * is JSON with the top-k labels of each image ({@code ?top-k=K} to change k);</li>
 * <li>{@code GET /v1/model} — labels, input size, preprocessing, metrics and provenance from
 * {@code bundle.json};</li>
 * <li>{@code GET /healthz} — 200 while serving, 503 while draining;</li>
 * <li>{@code GET /metrics} — Prometheus text format ({@link ServiceMetrics});</li>
 * <li>{@code GET /} — a page to try the model in a browser.</li>
 * </ul>
 * A bad request gets a 4xx with a JSON {@code error} in the words {@code predict} uses, and does not disturb the
 * others. Images are decoded on the request's thread; the forward passes of concurrent requests are shared
 * ({@link MicroBatcher}). {@link #stop()} drains: requests in flight finish (up to the configured time), new
 * connections are refused.
 * <pre>{@code
 * PredictionService s = PredictionService.start(ImageClassifier.load("my-photos"), ServeConfig.defaults());
 * s.url();   // http://127.0.0.1:8080/
 * s.stop();
 * }</pre>
 */
public final class PredictionService implements AutoCloseable {

    private static final String PAGE = "/org/finetune4j/serve/index.html";
    private static final long RESULT_TIMEOUT_SECONDS = 120;

    /** A request refused with a status and a message. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private final ImageClassifier classifier;
    private final ServeConfig config;
    private final ApiKey apiKey;
    private final ServiceMetrics metrics = new ServiceMetrics(System::currentTimeMillis);
    private final MicroBatcher batcher;
    private final String modelJson;
    private final byte[] page;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Javalin app;
    private volatile boolean draining;
    private volatile boolean stopped;

    private PredictionService(ImageClassifier classifier, ServeConfig config) {
        this.classifier = classifier;
        this.config = config;
        this.apiKey = config.apiKeyFile() == null ? null : ApiKey.read(config.apiKeyFile());
        this.batcher = new MicroBatcher(classifier, config.batching(), config.limits().queueImages(), metrics);
        metrics.queueLength(batcher::queued);
        this.modelJson = Json.write(modelDescription(classifier.model(), config));
        this.page = readPage();
        long maxBytes = config.limits().maxRequestBytes();
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.startupWatcherEnabled = false;
            c.http.maxRequestSize = maxBytes;
            c.jetty.multipartConfig.maxTotalRequestSize(maxBytes, SizeUnit.BYTES);
            c.jetty.multipartConfig.maxFileSize(maxBytes, SizeUnit.BYTES);
            c.jetty.multipartConfig.maxInMemoryFileSize((int) Math.min(Integer.MAX_VALUE, maxBytes), SizeUnit.BYTES);
            // graceful stop: Javalin's server counts requests (StatisticsHandler); stop() waits for them this long
            c.jetty.modifyServer(s -> s.setStopTimeout(TimeUnit.SECONDS.toMillis(config.drainSeconds())));
        });
        app.get("/", ctx -> answer(ctx, "/", false, () -> ctx.contentType("text/html; charset=utf-8").result(page)));
        app.get("/healthz", ctx -> answer(ctx, "/healthz", false, () -> {
            if (draining) {
                throw new Refusal(503, "draining: the service is shutting down");
            }
            ctx.contentType("application/json").result("{\"status\":\"ok\"}");
        }));
        app.get("/v1/model", ctx -> answer(ctx, "/v1/model", true,
                () -> ctx.contentType("application/json").result(modelJson)));
        app.get("/metrics", ctx -> answer(ctx, "/metrics", true,
                () -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.text())));
        app.post("/v1/predict", this::predict);
        app.error(404, ctx -> {   // no handler of ours answers 404: this is an unknown path
            error(ctx, 404, ctx.method() + " " + ctx.path() + ": no such endpoint. Expected POST /v1/predict, "
                    + "GET /v1/model, GET /healthz, GET /metrics or GET /.");
            metrics.request("other", 404);
        });
        app.error(405, ctx -> {
            error(ctx, 405, ctx.method() + " " + ctx.path() + ": method not allowed.");
            metrics.request("other", 405);
        });
    }

    /**
     * Starts serving a classifier.
     *
     * @param classifier the classifier; its copies should equal {@code config.batching().copies()}
     * @param config     address, key, limits, batching
     * @return the running service
     * @throws UsageException if the address cannot be bound or the key file is unusable
     */
    public static PredictionService start(ImageClassifier classifier, ServeConfig config) {
        PredictionService s = new PredictionService(classifier, config);
        try {
            s.app.start(config.host(), config.port());
        } catch (Exception e) {   // Jetty's bind failure arrives as an undeclared checked exception
            s.batcher.close();
            throw new UsageException("--host " + config.host() + " --port " + config.port() + ": cannot listen ("
                    + rootMessage(e) + "). Choose another port (or 0 for any free one), or stop what uses it.", e);
        }
        return s;
    }

    /**
     * Loads a bundle with the options the configuration implies (its copies, its largest batch) and serves it.
     *
     * @param model a bundle name under {@code models/} or a bundle folder
     * @throws org.finetune4j.api.BundleLoadException if the bundle cannot be loaded
     */
    public static PredictionService start(String model, ServeConfig config) {
        ImageClassifier classifier = ImageClassifier.load(model, ClassifierOptions.defaults()
                .withTopK(config.topK()).withCopies(config.batching().copies())
                .withBatchSize(config.batching().maxImages()));
        return start(classifier, config);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** @return the port the service listens on */
    public int port() {
        return app.port();
    }

    /** @return the service's base URL, ending in "/" */
    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port() + "/";
    }

    /** @return the classifier being served */
    public ImageClassifier classifier() {
        return classifier;
    }

    /** @return images waiting for a forward pass */
    int queuedImages() {
        return batcher.queued();
    }

    /** @return requests being answered right now */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Stops gracefully: {@code /healthz} turns 503, no new connections are accepted, requests in flight finish
     * (for up to {@link ServeConfig#drainSeconds()}), then the batching threads end. Idempotent.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        draining = true;
        app.stop();
        batcher.close();
        classifier.close();
        stopped = true;
        notifyAll();
    }

    /** Blocks until {@link #stop()} has finished. */
    public synchronized void awaitStop() throws InterruptedException {
        while (!stopped) {
            wait();
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    private interface Body {
        void run();
    }

    private void answer(Context ctx, String endpoint, boolean needsKey, Body body) {
        inFlight.incrementAndGet();
        try {
            if (needsKey) {
                authorize(ctx);
            }
            body.run();
        } catch (Refusal r) {
            error(ctx, r.status, r.getMessage());
        } catch (Exception e) {   // Javalin's Kotlin code may throw checked exceptions undeclared
            error(ctx, 500, endpoint + ": internal error (" + e + "). The service goes on; please report this.");
        } finally {
            metrics.request(endpoint, ctx.statusCode());
            inFlight.decrementAndGet();
        }
    }

    private void predict(Context ctx) {
        long t0 = System.nanoTime();
        answer(ctx, "/v1/predict", true, () -> {
            int topK = topK(ctx);
            List<PreparedImage> prepared = new ArrayList<>();
            boolean handedOver = false;
            try {
                for (ImageInput in : inputs(ctx)) {
                    prepared.add(classifier.prepare(in));
                }
                Optional<CompletableFuture<List<Classification>>> queued = batcher.submit(prepared, topK);
                if (queued.isEmpty()) {
                    ctx.header("Retry-After", "1");
                    throw new Refusal(503, draining ? "the service is shutting down. Retry with another instance."
                            : "the queue is full (" + config.limits().queueImages() + " images wait for the network)."
                            + " Retry after a second.");
                }
                // the images belong to the batcher now: released once their pass is over, even if we stop waiting
                handedOver = true;
                queued.get().whenComplete((r, e) -> prepared.forEach(PreparedImage::close));
                List<Classification> result = await(queued.get());
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("model", classifier.model().name());
                out.put("predictions", result.stream().map(c -> Map.of("image", c.source(), "top", c.top()))
                        .toList());
                ctx.contentType("application/json").result(Json.write(out));
            } catch (ImageRejectedException e) {
                throw new Refusal(422, e.getMessage() + " Send a complete JPEG, PNG, GIF, BMP, TIFF or WebP image.");
            } finally {
                if (!handedOver) {
                    prepared.forEach(PreparedImage::close);
                }
            }
        });
        if (ctx.statusCode() < 500 || ctx.statusCode() == 503) {
            metrics.latency((System.nanoTime() - t0) / 1e9);
        }
    }

    private static List<Classification> await(CompletableFuture<List<Classification>> f) {
        try {
            return f.get(RESULT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal(503, "interrupted while waiting for the network. Retry.");
        } catch (TimeoutException e) {
            throw new Refusal(503, "no answer from the network within " + RESULT_TIMEOUT_SECONDS + " s. Retry later.");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the forward pass failed: " + e.getCause(), e.getCause());
        }
    }

    private int topK(Context ctx) {
        String k = ctx.queryParam("top-k");
        if (k == null) {
            return config.topK();
        }
        try {
            int v = Integer.parseInt(k.trim());
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Refusal(400, "query parameter top-k=" + k + ": not a positive whole number. Expected e.g. top-k=3.");
    }

    private void authorize(Context ctx) {
        if (apiKey == null) {
            return;
        }
        String presented = ctx.header("X-API-Key");
        String auth = ctx.header("Authorization");
        if (presented == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = auth.substring(7).strip();
        }
        if (presented == null) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new Refusal(401, "missing API key. This service needs one: send the header "
                    + "`Authorization: Bearer KEY` or `X-API-Key: KEY`.");
        }
        if (!apiKey.matches(presented)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new Refusal(401, "wrong API key. Send the key in the service's --api-key-file.");
        }
    }

    /** The images of a request: its body, or the files of its multipart form. */
    private List<ImageInput> inputs(Context ctx) {
        long max = config.limits().maxRequestBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            throw tooLarge(declared);
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT).strip();
        if (type.startsWith("multipart/form-data")) {
            return multipart(ctx);
        }
        if (type.startsWith("image/") || type.startsWith("application/octet-stream")) {
            byte[] body = readLimited(ctx, max);
            String name = Optional.ofNullable(ctx.queryParam("name")).orElse("request body");
            if (body.length == 0) {
                throw new Refusal(400, name + ": cannot classify: empty file (0 bytes). Send the image's bytes as "
                        + "the request body.");
            }
            return List.of(ImageInput.of(body, name));
        }
        throw new Refusal(415, "Content-Type " + (type.isEmpty() ? "(none)" : type) + ": not accepted. Expected "
                + "image/* or application/octet-stream (the body is one image's bytes), or multipart/form-data "
                + "(one or more image files).");
    }

    private List<ImageInput> multipart(Context ctx) {
        List<UploadedFile> files;
        try {
            files = ctx.uploadedFiles();
        } catch (Exception e) {   // Jetty's multipart parser throws IOException (undeclared through Kotlin)
            String why = rootMessage(e);
            if (why.toLowerCase(Locale.ROOT).contains("exceeds")) {
                throw tooLarge(-1);
            }
            throw new Refusal(400, "malformed multipart/form-data body (" + why + "). Send a form whose file "
                    + "fields hold images, e.g. `curl -F image=@cat.jpg URL`.");
        }
        if (files.isEmpty()) {
            throw new Refusal(400, "multipart/form-data body with no file in it. Expected one or more image files, "
                    + "e.g. `curl -F image=@cat.jpg URL`.");
        }
        if (files.size() > config.limits().maxImagesPerRequest()) {
            throw new Refusal(413, files.size() + " images in one request. Expected at most "
                    + config.limits().maxImagesPerRequest() + "; split them over several requests.");
        }
        List<ImageInput> out = new ArrayList<>(files.size());
        for (UploadedFile f : files) {
            String name = f.filename() == null || f.filename().isBlank() ? "image " + (out.size() + 1) : f.filename();
            try (InputStream in = f.content()) {
                byte[] bytes = in.readAllBytes();
                if (bytes.length == 0) {
                    throw new Refusal(400, name + ": cannot classify: empty file (0 bytes).");
                }
                out.add(ImageInput.of(bytes, name));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private Refusal tooLarge(long bytes) {
        return new Refusal(413, "request body " + (bytes >= 0 ? "of " + bytes + " bytes " : "") + "too large. "
                + "Expected at most " + config.limits().maxRequestBytes() + " bytes; send fewer or smaller images.");
    }

    private byte[] readLimited(Context ctx, long max) {
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (b.length > max) {
                throw tooLarge(-1);
            }
            return b;
        } catch (IOException e) {
            throw new Refusal(400, "the request body could not be read (" + e.getMessage() + ").");
        }
    }

    private static void error(Context ctx, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", message);
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

    private static Map<String, Object> modelDescription(ModelInfo info, ServeConfig config) {
        ModelBundle b = BundleStore.readMeta(info.dir());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", b.name());
        m.put("labels", b.labels());
        m.put("input", Map.of("height", info.height(), "width", info.width(), "channels", info.channels()));
        m.put("preprocessing", b.preprocessing());
        m.put("metrics", b.metrics() == null ? Map.of() : new java.util.TreeMap<>(b.metrics()));
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("backbone", b.backbone());
        provenance.put("mode", b.mode());
        provenance.put("freeze-until", b.freezeUntil());
        provenance.put("feature-layer", b.featureLayer());
        provenance.put("data-root", b.dataRoot());
        provenance.put("model-sha256", b.modelSha256());
        provenance.put("run-info", b.runInfo());
        m.put("provenance", provenance);
        m.put("service", Map.of("top-k", config.topK(), "max-request-bytes", config.limits().maxRequestBytes(),
                "max-images-per-request", config.limits().maxImagesPerRequest(), "needs-api-key",
                config.apiKeyFile() != null));
        return m;
    }

    private static byte[] readPage() {
        try (InputStream in = PredictionService.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException(PAGE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
