package org.finetune4j.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.finetune4j.api.Classification;
import org.finetune4j.api.ClassifierOptions;
import org.finetune4j.api.ImageClassifier;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.finetune4j.testing.TestBundles;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionServiceTest {

    private static final List<String> LABELS = List.of("ant", "bee", "cat", "dog");
    private static final String KEY = "0123456789abcdef-test-key";

    @TempDir
    static Path tmp;

    private static Path bundle;
    private static ImageClassifier reference;
    private static List<byte[]> good;

    @BeforeAll
    static void setUp() {
        bundle = TestBundles.saveBackbone(tmp.resolve("tiny"), TestBundles.tinyVgg(LABELS.size(), false), 11L, LABELS);
        reference = ImageClassifier.load(bundle, ClassifierOptions.defaults().withTopK(LABELS.size()));
        good = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            good.add(TestImages.encode(TestImages.noise(30 + i, 24, 100 + i), "png"));
        }
    }

    @AfterAll
    static void tearDown() {
        reference.close();
    }

    private static PredictionService start(ServeConfig config) {
        return PredictionService.start(bundle.toString(), config.withAddress("127.0.0.1", 0));
    }

    private static Path keyFile() throws IOException {
        return Files.writeString(tmp.resolve("key.txt"), KEY + "\n");
    }

    /** Asserts that a 200 answer holds, per image, what the library API gives for the same bytes. */
    private static void assertAnswers(ServiceClient.Response r, List<byte[]> images, int topK) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode predictions = json(r.body()).get("predictions");
        assertThat(predictions.size()).isEqualTo(images.size());
        for (int i = 0; i < images.size(); i++) {
            Classification expected = reference.classify(images.get(i), "x");
            JsonNode top = predictions.get(i).get("top");
            assertThat(top.size()).isEqualTo(Math.min(topK, LABELS.size()));
            for (int k = 0; k < top.size(); k++) {
                assertThat(top.get(k).get("label").asText()).isEqualTo(expected.top().get(k).label());
                assertThat(top.get(k).get("probability").asDouble())
                        .isCloseTo(expected.top().get(k).probability(), within(1e-5));
            }
        }
    }

    @Test
    void everyBadRequestGetsA4xxWithTheReasonAndTheNextGoodOneIsAnswered() throws Exception {
        ServeConfig config = ServeConfig.defaults().withApiKeyFile(keyFile());
        try (PredictionService s = start(config)) {
            ServiceClient c = new ServiceClient(s.url(), KEY);
            byte[] png = good.get(0);
            byte[] cut = Arrays.copyOf(TestImages.encode(TestImages.pattern(64, 48, 2), "jpg"), 700);
            byte[] bomb = Files.readAllBytes(TestImages.hugeDimensionPng(tmp.resolve("bomb.png"), 30000, 30000));
            String boundary = "b0undary";
            byte[] badForm = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\""
                    + "\r\n\r\nno closing boundary here").getBytes(StandardCharsets.UTF_8);

            record Bad(String what, Call call, int status, String reason) {
            }
            List<Bad> bad = List.of(
                    new Bad("empty body", () -> c.postImage(new byte[0]), 400, "empty file (0 bytes)"),
                    new Bad("200 MB body", () -> new ServiceClient.Response(ServiceClient.statusOfHugeUpload(s.port(),
                            KEY, 200L << 20), Map.of(), "too large"), 413, "too large"),
                    new Bad("not an image", () -> c.postImage("hello, not an image".getBytes(StandardCharsets.UTF_8)),
                            422, "not an image (the first bytes match no supported format"),
                    new Bad("truncated JPEG", () -> c.post("v1/predict", "image/jpeg", cut), 422, "truncated JPEG"),
                    new Bad("bomb header", () -> c.postImage(bomb), 422, "absurd dimensions 30000×30000"),
                    new Bad("malformed multipart", () -> c.post("v1/predict", "multipart/form-data; boundary="
                            + boundary, badForm), 400, "malformed multipart/form-data body"),
                    new Bad("multipart without files", () -> c.post("v1/predict", "multipart/form-data; boundary=x",
                            "--x--\r\n".getBytes(StandardCharsets.UTF_8)), 400, "no file"),
                    new Bad("wrong content type", () -> c.post("v1/predict", "application/json", png), 415,
                            "Content-Type application/json: not accepted"),
                    new Bad("no content type", () -> c.post("v1/predict", null, png), 415, "not accepted"),
                    new Bad("missing key", () -> new ServiceClient(s.url(), null).postImage(png), 401,
                            "missing API key"),
                    new Bad("wrong key", () -> new ServiceClient(s.url(), KEY + "x").postImage(png), 401,
                            "wrong API key"),
                    new Bad("bad top-k", () -> c.post("v1/predict?top-k=zero", "image/png", png), 400, "top-k=zero"),
                    new Bad("unknown path", () -> c.get("v2/predict"), 404, "no such endpoint"));
            int round = 0;
            for (Bad b : bad) {
                byte[] image = good.get(round++ % good.size());
                assertAnswers(c.postImage(image), List.of(image), 5);
                ServiceClient.Response r = b.call().run();
                assertThat(r.status()).as(b.what() + ": " + r.body()).isEqualTo(b.status());
                assertThat(r.body()).as(b.what()).contains(b.reason());
            }
            assertAnswers(c.postImage(good.get(1)), List.of(good.get(1)), 5);
            assertThat(new ServiceClient(s.url(), null).get("v1/model").status()).isEqualTo(401);
            assertThat(new ServiceClient(s.url(), null).get("healthz").status()).isEqualTo(200);
        }
    }

    @FunctionalInterface
    private interface Call {
        ServiceClient.Response run() throws Exception;
    }

    @Test
    void multipartFormsClassifyEveryImageInOrderAndTopKIsTheRequests() throws Exception {
        try (PredictionService s = start(ServeConfig.defaults())) {
            ServiceClient c = new ServiceClient(s.url(), null);
            Map<String, byte[]> form = new LinkedHashMap<>();
            for (int i = 0; i < good.size(); i++) {
                form.put("img-" + i + ".png", good.get(i));
            }
            ServiceClient.Response r = c.postForm(form);
            assertAnswers(r, good, 5);
            assertThat(json(r.body()).get("predictions").get(2).get("image").asText()).isEqualTo("img-2.png");
            assertAnswers(c.post("v1/predict?top-k=2", "application/octet-stream", good.get(3)),
                    List.of(good.get(3)), 2);
            // one bad file spoils its request, with its name; the service goes on
            form.put("broken.png", Arrays.copyOf(good.get(0), 40));
            ServiceClient.Response bad = c.postForm(form);
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.body()).contains("broken.png: cannot classify: truncated PNG");
            assertAnswers(c.postImage(good.get(0)), List.of(good.get(0)), 5);
        }
    }

    @Test
    void describesTheModelAndCountsInPrometheusFormat() throws Exception {
        try (PredictionService s = start(ServeConfig.defaults())) {
            ServiceClient c = new ServiceClient(s.url(), null);
            JsonNode model = json(c.get("v1/model").body());
            assertThat(model.get("labels").toString()).isEqualTo("[\"ant\",\"bee\",\"cat\",\"dog\"]");
            assertThat(model.get("input").get("height").asInt()).isEqualTo(16);
            assertThat(model.get("preprocessing").get("normalisation").get("kind").asText()).isEqualTo("vgg-mean-bgr");
            assertThat(model.get("provenance").get("backbone").asText()).isEqualTo("tiny");
            c.postImage(good.get(0));
            c.postImage(new byte[0]);
            ServiceClient.Response m = c.get("metrics");
            assertThat(m.header("Content-Type")).startsWith("text/plain; version=0.0.4");
            assertThat(m.body())
                    .contains("finetune4j_http_requests_total{endpoint=\"/v1/predict\",code=\"200\"} 1\n")
                    .contains("finetune4j_http_request_errors_total{endpoint=\"/v1/predict\",code=\"400\"} 1\n")
                    .contains("finetune4j_predict_latency_seconds_bucket{le=\"+Inf\"} 2\n")
                    .contains("finetune4j_predict_latency_seconds_count 2\n")
                    .contains("finetune4j_images_classified_total 1\n")
                    .contains("# TYPE finetune4j_predict_latency_seconds histogram\n")
                    .contains("finetune4j_images_per_second ")
                    .contains("finetune4j_queue_images 0\n");
            assertThat(c.get("").body()).contains("<title>finetune4j serve</title>");
        }
    }

    @Test
    void concurrentRequestsShareForwardPasses() throws Exception {
        ServeConfig config = ServeConfig.defaults().withBatching(new ServeConfig.Batching(1000, 8, 1));
        try (PredictionService s = start(config)) {
            ServiceClient c = new ServiceClient(s.url(), null);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<ServiceClient.Response>> answers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    byte[] image = good.get(i % good.size());
                    answers.add(pool.submit(() -> c.postImage(image)));
                }
                for (int i = 0; i < 8; i++) {
                    assertAnswers(answers.get(i).get(60, TimeUnit.SECONDS), List.of(good.get(i % good.size())), 5);
                }
            } finally {
                pool.shutdownNow();
            }
            String metrics = c.get("metrics").body();
            assertThat(metrics).contains("finetune4j_images_classified_total 8\n");
            long passes = metrics.lines().filter(l -> l.startsWith("finetune4j_forward_passes_total "))
                    .mapToLong(l -> Long.parseLong(l.split(" ")[1])).sum();
            // a one-second window gathers the eight requests into few passes (one, unless a thread is very late)
            assertThat(passes).isBetween(1L, 4L);
        }
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        ServeConfig config = ServeConfig.defaults().withBatching(new ServeConfig.Batching(800, 8, 1))
                .withLimits(new ServeConfig.Limits(1 << 20, 8, 1));
        try (PredictionService s = start(config)) {
            ServiceClient c = new ServiceClient(s.url(), null);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<ServiceClient.Response> first = pool.submit(() -> c.postImage(good.get(0)));
                waitFor(() -> s.queuedImages() == 1);
                ServiceClient.Response refused = c.postImage(good.get(1));
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.header("Retry-After")).isEqualTo("1");
                assertThat(refused.body()).contains("the queue is full");
                assertAnswers(first.get(60, TimeUnit.SECONDS), List.of(good.get(0)), 5);
                assertAnswers(c.postImage(good.get(1)), List.of(good.get(1)), 5);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void stopLetsRequestsInFlightFinishThenRefusesConnections() throws Exception {
        ServeConfig config = ServeConfig.defaults().withBatching(new ServeConfig.Batching(1500, 8, 1));
        PredictionService s = start(config);
        ServiceClient c = new ServiceClient(s.url(), null);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<ServiceClient.Response> inFlight = pool.submit(() -> c.postImage(good.get(2)));
            waitFor(() -> s.queuedImages() == 1);
            Future<?> stopping = pool.submit(s::stop);
            assertAnswers(inFlight.get(60, TimeUnit.SECONDS), List.of(good.get(2)), 5);
            stopping.get(60, TimeUnit.SECONDS);
            assertThatThrownBy(() -> c.postImage(good.get(0))).isInstanceOf(ConnectException.class);
        } finally {
            pool.shutdownNow();
            s.stop();
        }
    }

    @Test
    void wrongSettingsAreUsageErrors() throws IOException {
        Path shortKey = Files.writeString(tmp.resolve("short.txt"), "abc\n");
        assertThatThrownBy(() -> start(ServeConfig.defaults().withApiKeyFile(shortKey)))
                .isInstanceOf(UsageException.class).hasMessageContaining("the key is 3 characters long");
        assertThatThrownBy(() -> start(ServeConfig.defaults().withApiKeyFile(tmp.resolve("none.txt"))))
                .isInstanceOf(UsageException.class).hasMessageContaining("cannot read");
        assertThatThrownBy(() -> new ServeConfig("127.0.0.1", 70000, null, ServeConfig.Limits.defaults(),
                ServeConfig.Batching.defaults(), 5, 30)).isInstanceOf(UsageException.class)
                .hasMessageContaining("--port 70000");
        try (PredictionService s = start(ServeConfig.defaults())) {
            assertThatThrownBy(() -> PredictionService.start(bundle.toString(), ServeConfig.defaults()
                    .withAddress("127.0.0.1", s.port()))).isInstanceOf(UsageException.class)
                    .hasMessageContaining("cannot listen");
        }
    }

    @Test
    void apiKeysCompareWholly() throws IOException {
        ApiKey key = ApiKey.read(keyFile());
        assertThat(key.matches(KEY)).isTrue();
        assertThat(key.matches(KEY.substring(0, KEY.length() - 1))).isFalse();
        assertThat(key.matches(KEY + " ")).isFalse();
        assertThat(key.matches("")).isFalse();
        assertThat(key.matches(null)).isFalse();
    }

    private static JsonNode json(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(5);
        }
    }
}
