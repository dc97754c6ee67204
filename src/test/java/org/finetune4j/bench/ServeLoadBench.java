package org.finetune4j.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.deeplearning4j.parallelism.ParallelInference;
import org.deeplearning4j.parallelism.inference.InferenceMode;
import org.finetune4j.api.ClassifierOptions;
import org.finetune4j.api.ImageClassifier;
import org.finetune4j.core.Backend;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.Predictor;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.model.VggArchitecture;
import org.finetune4j.serve.PredictionService;
import org.finetune4j.serve.ServeConfig;
import org.finetune4j.testing.TestBundles;

/**
 * Load test of {@code finetune4j serve} over loopback, and the measurement behind the library API's thread-safety
 * choice. For each bundle — the quick-start bundle ({@code models/shapes-target-finetune} if trained, else the
 * shipped {@code models/mini-vgg-shapes}, the same network) and a VGG16-sized bundle with random weights (224×224,
 * 138 M parameters, written to {@code target/bench/}) — on the benchmark's 32 photo-like JPEGs ({@link BenchImages}):
 * <ol>
 * <li>{@code predict}'s batch throughput: {@link Predictor#predict} over the images in batches of 16, one thread
 * (decode, preprocessing, forward), after warm-up;</li>
 * <li>concurrency in the library, no HTTP: 8 threads classifying one image per call for a fixed time, through
 * {@link ImageClassifier} with 1 and with 2 network copies, and through DL4J's {@link ParallelInference} (BATCHED,
 * 2 workers) fed by the same preprocessing;</li>
 * <li>the service: {@link PredictionService} on 127.0.0.1, 8 clients each posting one image per request
 * (raw bytes) back to back for {@code --seconds} (default 60): requests, failures, images/s (and its ratio to 1),
 * p50/p99 latency, and this JVM's resident memory (VmRSS) after warm-up and at the end.</li>
 * </ol>
 * Bounded: every phase stops by itself. Run with
 * <pre>{@code
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx6g -cp "target/test-classes:target/classes:$(cat target/cp.txt)" org.finetune4j.bench.ServeLoadBench
 * }</pre>
 * Options: {@code --seconds N} (service phase, default 60), {@code --library-seconds N} (each concurrency variant,
 * default 20), {@code --clients N} (default 8), {@code --models quick,vgg16} (default both). Writes
 * {@code target/bench/serve-load.md}; progress on stderr. The clients run in the service's JVM, so the RSS covers both.
 */
public final class ServeLoadBench {

    private ServeLoadBench() {
    }

    private record Args(int seconds, int librarySeconds, int clients, List<String> models) {
        static Args parse(String[] a) {
            int seconds = 60;
            int librarySeconds = 20;
            int clients = 8;
            List<String> models = List.of("quick", "vgg16");
            for (int i = 0; i < a.length; i++) {
                switch (a[i]) {
                    case "--seconds" -> seconds = Integer.parseInt(a[++i]);
                    case "--library-seconds" -> librarySeconds = Integer.parseInt(a[++i]);
                    case "--clients" -> clients = Integer.parseInt(a[++i]);
                    case "--models" -> models = List.of(a[++i].split(","));
                    default -> throw new IllegalArgumentException("unknown option " + a[i]);
                }
            }
            return new Args(seconds, librarySeconds, clients, models);
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        Backend.setUp();
        List<Path> images = BenchImages.ensure(Path.of("target/perf/images"), 32, 12345L);
        List<byte[]> bytes = new ArrayList<>();
        for (Path p : images) {
            bytes.add(Files.readAllBytes(p));
        }
        StringBuilder md = new StringBuilder("# serve load test\n\n");
        md.append(String.format(Locale.ROOT, "%s, %d cores, load average before: %s; %d clients, %d s per service "
                + "run, %d s per library variant.%n%n", cpu(), Runtime.getRuntime().availableProcessors(), load(),
                args.clients(), args.seconds(), args.librarySeconds()));
        for (String model : args.models()) {
            Path bundle = switch (model) {
                case "quick" -> Files.isDirectory(Path.of("models/shapes-target-finetune"))
                        ? Path.of("models/shapes-target-finetune") : Path.of("models/mini-vgg-shapes");
                case "vgg16" -> vgg16Random();
                default -> throw new IllegalArgumentException("unknown model " + model + "; quick or vgg16");
            };
            md.append("## ").append(bundle).append("\n\n");
            double predict = predictThroughput(bundle, images);
            md.append(String.format(Locale.ROOT, "- predict's batch throughput (batches of 16, one thread): "
                    + "**%.1f img/s**%n", predict));
            for (int copies : new int[] {1, 2}) {
                double r = poolThroughput(bundle, bytes, copies, args.clients(), args.librarySeconds());
                md.append(String.format(Locale.ROOT, "- library, %d threads, ImageClassifier with %d cop%s: %.1f "
                        + "img/s%n", args.clients(), copies, copies == 1 ? "y" : "ies", r));
            }
            double pi = parallelInferenceThroughput(bundle, bytes, args.clients(), args.librarySeconds());
            md.append(String.format(Locale.ROOT, "- library, %d threads, DL4J ParallelInference (BATCHED, 2 workers, "
                    + "batch limit 32): %.1f img/s%n", args.clients(), pi));
            ServiceRun s = serve(bundle, bytes, args.clients(), args.seconds());
            md.append(String.format(Locale.ROOT, "- service, %d clients × %d s (load average at the end: %s): %d "
                    + "requests, **%d failed**, **%.1f img/s = %.0f%% of predict's**, latency p50 %.0f ms, p99 %.0f "
                    + "ms, %.1f images per forward pass; RSS after a GC %d MB after warm-up, %d MB at the end "
                    + "(every 10 s during the run: %s MB; Java heap after GC %d MB, JavaCPP native %d MB)%n%n",
                    args.clients(), args.seconds(), load(), s.requests(), s.failed(), s.imagesPerSecond(),
                    100 * s.imagesPerSecond() / predict, s.p50Millis(), s.p99Millis(), s.imagesPerPass(),
                    s.rssStartMb(), s.rssEndMb(), s.rssEvery10sMb(), s.heapAfterGcMb(), s.javacppMb()));
            System.err.print(md);
        }
        Path out = Path.of("target/bench/serve-load.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.print(md);
    }

    private static Path vgg16Random() {
        Path dir = Path.of("target/bench/vgg16-random");
        if (!BundleStore.isBundle(dir)) {
            System.err.println("writing a VGG16-sized bundle with random weights to " + dir + " ...");
            List<String> labels = IntStream.range(0, 10).mapToObj(i -> "class-" + i).toList();
            VggArchitecture arch = VggArchitecture.vgg16(labels.size());
            TestBundles.saveBackbone(dir, arch, 1L, labels, Preprocessing.vgg(arch.input()));
        }
        return dir;
    }

    private static double predictThroughput(Path bundle, List<Path> images) {
        BundleStore.Loaded loaded = BundleStore.load(bundle);
        Predictor p = new Predictor(loaded, new ImageDecoder(loaded.bundle().preprocessing().input().channels(),
                ImageDecoder.DEFAULT_MAX_PIXELS));
        List<String> names = images.stream().map(Path::toString).toList();
        for (int i = 0; i < 2; i++) {
            p.predict(images, names, 5, 16);   // warm-up: workspaces size themselves over the first passes
        }
        long t0 = System.nanoTime();
        int n = 0;
        do {
            p.predict(images, names, 5, 16);
            n += images.size();
        } while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15));
        double r = n / ((System.nanoTime() - t0) / 1e9);
        System.err.printf(Locale.ROOT, "%s: predict %.1f img/s%n", bundle, r);
        return r;
    }

    /** One call of a thread: {@code run(thread, i)} for its i-th call. */
    private interface Call {
        void run(int thread, int i) throws Exception;
    }

    /** Runs {@code call} from {@code threads} threads until {@code seconds} pass; returns calls per second. */
    private static double hammer(int threads, int seconds, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong done = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; System.nanoTime() < deadline; i++) {
                        call.run(thread, i);
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(seconds + 600L, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return done.get() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double poolThroughput(Path bundle, List<byte[]> bytes, int copies, int threads, int seconds)
            throws Exception {
        try (ImageClassifier c = ImageClassifier.load(bundle, ClassifierOptions.defaults().withCopies(copies))) {
            hammer(threads, Math.max(3, seconds / 4), (t, i) -> c.classify(bytes.get((t * 7 + i) % bytes.size()), "x"));
            double r = hammer(threads, seconds, (t, i) -> c.classify(bytes.get((t * 7 + i) % bytes.size()), "x"));
            System.err.printf(Locale.ROOT, "%s: %d copies %.1f img/s%n", bundle, copies, r);
            return r;
        }
    }

    private static double parallelInferenceThroughput(Path bundle, List<byte[]> bytes, int threads, int seconds)
            throws Exception {
        BundleStore.Loaded loaded = BundleStore.load(bundle);
        Preprocessing pre = loaded.bundle().preprocessing();
        Predictor fit = new Predictor(loaded, new ImageDecoder(pre.input().channels(),
                ImageDecoder.DEFAULT_MAX_PIXELS));
        ParallelInference pi = new ParallelInference.Builder(loaded.graph()).inferenceMode(InferenceMode.BATCHED)
                .workers(2).batchLimit(32).queueLimit(64).build();
        try {
            Call call = (t, i) -> {
                try (Mat m = fit.fit(bytes.get((t * 7 + i) % bytes.size()), "x")) {
                    pi.output(pre.toInput(m));
                }
            };
            hammer(threads, Math.max(3, seconds / 4), call);
            double r = hammer(threads, seconds, call);
            System.err.printf(Locale.ROOT, "%s: ParallelInference %.1f img/s%n", bundle, r);
            return r;
        } finally {
            pi.shutdown();
        }
    }

    private record ServiceRun(long requests, long failed, double imagesPerSecond, double p50Millis, double p99Millis,
                              double imagesPerPass, long rssStartMb, long rssEndMb, List<Long> rssEvery10sMb,
                              long heapAfterGcMb, long javacppMb) {
    }

    private static ServiceRun serve(Path bundle, List<byte[]> bytes, int clients, int seconds) throws Exception {
        try (PredictionService s = PredictionService.start(bundle.toString(),
                ServeConfig.defaults().withAddress("127.0.0.1", 0))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            URI uri = URI.create(s.url() + "v1/predict");
            AtomicLong failed = new AtomicLong();
            List<List<Long>> latencies = new ArrayList<>();
            for (int t = 0; t < clients; t++) {
                latencies.add(new ArrayList<>());
            }
            Call post = (t, i) -> {
                long t0 = System.nanoTime();
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                            .header("Content-Type", "image/jpeg")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes.get((t * 7 + i) % bytes.size())))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200 || !r.body().contains("\"predictions\"")) {
                        failed.incrementAndGet();
                        System.err.println("failed: " + r.statusCode() + " " + r.body());
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                    System.err.println("failed: " + e);
                }
                latencies.get(t).add(System.nanoTime() - t0);
            };
            hammer(clients, Math.max(5, seconds / 6), post);   // warm-up
            latencies.forEach(List::clear);
            long failedWarmUp = failed.getAndSet(0);
            String before = metric(http, s, "finetune4j_forward_passes_total");
            String imagesBefore = metric(http, s, "finetune4j_images_classified_total");
            long rssStart = settledRssMb();
            List<Long> rssSamples = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> rssSamples.add(rssMb()), 10, 10, TimeUnit.SECONDS);
            double rate;
            try {
                rate = hammer(clients, seconds, post);
            } finally {
                sampler.shutdownNow();
            }
            long rssEnd = settledRssMb();
            double passes = Double.parseDouble(metric(http, s, "finetune4j_forward_passes_total"))
                    - Double.parseDouble(before);
            double imagesDone = Double.parseDouble(metric(http, s, "finetune4j_images_classified_total"))
                    - Double.parseDouble(imagesBefore);
            long[] all = latencies.stream().flatMap(List::stream).mapToLong(Long::longValue).sorted().toArray();
            System.err.printf(Locale.ROOT, "%s: service %.1f img/s, %d failed (%d in warm-up)%n", bundle, rate,
                    failed.get(), failedWarmUp);
            return new ServiceRun(all.length, failed.get() + failedWarmUp, rate, percentile(all, 0.50) / 1e6,
                    percentile(all, 0.99) / 1e6, imagesDone / Math.max(1, passes), rssStart, rssEnd, rssSamples,
                    heapMb(), org.bytedeco.javacpp.Pointer.totalBytes() >> 20);
        }
    }

    private static String metric(HttpClient http, PredictionService s, String name) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(s.url() + "metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(name + " ")).map(l -> l.substring(name.length() + 1))
                .findFirst().orElseThrow();
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static long rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** RSS after a full GC has freed what only the collector holds (ND4J arrays are freed when their Java side is). */
    private static long settledRssMb() throws InterruptedException {
        System.gc();
        Thread.sleep(500);
        System.gc();
        Thread.sleep(500);
        return rssMb();
    }

    private static long heapMb() {
        Runtime r = Runtime.getRuntime();
        return (r.totalMemory() - r.freeMemory()) >> 20;
    }

    private static String load() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 2)).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
