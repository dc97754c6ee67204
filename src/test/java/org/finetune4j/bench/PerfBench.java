package org.finetune4j.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Backend;
import org.finetune4j.data.BadImageLog;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.extract.FeatureCache;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.features.LinearClassifier;
import org.finetune4j.features.LinearModel;
import org.finetune4j.features.LogisticRegression;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.NativeInference;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.model.VggArchitecture;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.train.FineTuner;
import org.finetune4j.train.FrozenPrefix;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * finetune4j against PyTorch + torchvision on the same machine, in the same run: the work items of the performance
 * issue, each run alternately by a child JVM (ours) and by {@code src/test/python/torch_reference.py} (PyTorch),
 * over several rounds; the summary gives medians, the ratio ours / PyTorch (above 1 = we are faster; for logistic
 * regression, seconds, it is PyTorch's time / ours), the fraction of this CPU's peak FP32 FLOP rate, and each side's
 * peak resident memory. The two commands (docs/performance.md, "Against PyTorch"):
 * <pre>{@code
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.finetune4j.bench.PerfBench
 * }</pre>
 * Options: {@code --rounds N} (default 3; a side's value in a round is the median of its child's timed
 * iterations, the table gives the median over rounds and the min–max), {@code --iterations N} timed repetitions per
 * child (default 3) after {@code --warm-up N} untimed ones (default 2, both sides: DL4J's workspaces size themselves
 * over the first two runs, and the first timed pass after them was still 15% slower than the next ones),
 * {@code --quick} (1 round), {@code --items forward-b1,featurize,...} (default all), {@code --no-kernels} (skip the
 * untimed run per item and side with oneDNN's verbose log that names the kernels each side used, see
 * {@link KernelCensus}),
 * {@code --threads N} linear-algebra threads on both sides (default: all cores), {@code --workers N} decoding
 * threads / DataLoader workers (default 1), {@code --images N} (default 32), {@code --python PATH} (default
 * {@code /usr/bin/python3}), {@code --no-torch}, {@code --peak-gflops X} (default: the measured sgemm rate,
 * see {@link #sgemm(int)}). Writes {@code target/perf/results.md}; progress on stderr.
 *
 * <p>Our side runs the code a user runs: the forward items VGG16 cut at {@code fc2} by {@link FeatureExtractor};
 * the training items a step as {@code train} takes it (frozen layers in inference mode through the prefix network
 * it cuts, then the trainable ones of {@link FrozenPrefix}); featurize {@link FeatureExtractor} with a cold {@link FeatureCache}, {@link MultiCropEvaluator} with the shipped ten-crop and center protocols, and
 * {@link LogisticRegression} on {@link SyntheticFeatures} (the same data the PyTorch side generates).
 */
public final class PerfBench {

    private static final String RESULT = "RESULT ";
    private static final long SEED = 12345L;
    private static final int SIZE = 224;
    private static final int TEN_CROP_IMAGES = 4;
    private static final int LOGREG_ROWS = 10_000;
    private static final int LOGREG_DIM = 4096;
    private static final int LOGREG_CLASSES = 10;
    private static final int LOGREG_MAX_ITERATIONS = 1000;

    /** A work item: its name, batch size, what it reports and the FP32 FLOPs of one unit (0 = not applicable). */
    private record Item(String name, String torchItem, int batch, String unit, double flopsPerUnit) {
    }

    /** Not a compared item: the sgemm rate that "% of peak" refers to. */
    private static final Item SGEMM = new Item("sgemm", "", 0, "gflops", 0);
    private static final int GEMM_SIZE = 2048;

    private static final List<Item> ITEMS = List.of(
            new Item("forward-b1", "forward", 1, "img/s", VggFlops.toFc2()),
            new Item("forward-b16", "forward", 16, "img/s", VggFlops.toFc2()),
            new Item("featurize", "featurize", 16, "img/s", VggFlops.toFc2()),
            new Item("train-head", "train-head", 16, "img/s", VggFlops.trainHead()),
            new Item("train-block5", "train-block5", 16, "img/s", VggFlops.trainBlock5()),
            new Item("tencrop", "tencrop", 20, "crops/s", VggFlops.full()),
            new Item("singlecrop", "singlecrop", 16, "img/s", VggFlops.full()),
            new Item("logreg", "logreg", 0, "seconds", 0));

    private PerfBench() {
    }

    /**
     * Runs the comparison, or one item of our side with {@code --child ITEM} (used internally).
     *
     * @param args see the class comment
     * @throws Exception if a child fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        if (options.containsKey("child")) {
            child(options);
            return;
        }
        boolean quick = options.containsKey("quick");
        int rounds = Integer.parseInt(options.getOrDefault("rounds", quick ? "1" : "3"));
        int iterations = Integer.parseInt(options.getOrDefault("iterations", "3"));
        int warmUp = Integer.parseInt(options.getOrDefault("warm-up", "2"));
        int threads = Integer.parseInt(options.getOrDefault("threads",
                Integer.toString(Runtime.getRuntime().availableProcessors())));
        int workers = Integer.parseInt(options.getOrDefault("workers", "1"));
        int imageCount = Integer.parseInt(options.getOrDefault("images", "32"));
        String python = options.getOrDefault("python", "/usr/bin/python3");
        boolean torch = !options.containsKey("no-torch");
        boolean kernels = !options.containsKey("no-kernels");
        double nominal = nominalPeakGflops();
        double sgemm = Double.NaN;
        if (!options.containsKey("peak-gflops")) {
            System.err.printf(Locale.ROOT, "measuring sgemm %d x %d x %d, %d threads (the %% of peak reference)%n", GEMM_SIZE,
                    GEMM_SIZE, GEMM_SIZE, threads);
            for (String line : run(javaCommand(SGEMM, 2, 5, threads, 1, Path.of(".")), threads, false)) {
                String[] parts = line.substring(RESULT.length()).split(" ", 2);
                if (parts[0].equals(SGEMM.unit())) {
                    sgemm = Double.parseDouble(parts[1]);
                }
            }
        }
        double peak = options.containsKey("peak-gflops") ? Double.parseDouble(options.get("peak-gflops")) : sgemm;
        List<String> wanted = options.containsKey("items") ? Arrays.asList(options.get("items").split(","))
                : ITEMS.stream().map(Item::name).toList();
        List<Item> items = ITEMS.stream().filter(i -> wanted.contains(i.name())).toList();
        if (items.size() != wanted.size()) {
            throw new IllegalArgumentException("--items " + wanted + ": unknown item. Expected some of "
                    + ITEMS.stream().map(Item::name).toList() + ".");
        }

        Path work = Path.of("target", "perf");
        Path images = work.resolve("images");
        BenchImages.ensure(images, imageCount, SEED);
        Path script = Path.of("src", "test", "python", "torch_reference.py");

        // side -> item -> one value per round: the median of that round's timed iterations
        Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();
        Map<String, Map<String, List<Double>>> memory = new LinkedHashMap<>();
        Map<String, String> backends = new LinkedHashMap<>();
        List<Double> loads = new ArrayList<>();
        List<String> sides = torch ? List.of("ours", "torch") : List.of("ours");
        long started = System.nanoTime();
        for (int round = 1; round <= rounds; round++) {
            for (Item item : items) {
                // alternate who goes first, so that drift in the machine's load does not favour one side
                List<String> order = new ArrayList<>(sides);
                if (round % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (String side : order) {
                    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
                    loads.add(load);
                    System.err.printf(Locale.ROOT, "round %d/%d  %-12s %-5s (load average %.2f)%n", round, rounds,
                            item.name(), side, load);
                    List<Double> timings = new ArrayList<>();
                    for (String line : run(command(side, item, warmUp, iterations, threads, workers, images,
                            python, script, work), threads, false)) {
                        String[] parts = line.substring(RESULT.length()).split(" ", 2);
                        if (parts[0].equals("backend")) {
                            backends.put(side, parts[1]);
                        } else if (parts[0].equals("peak-rss-mb")) {
                            memory.computeIfAbsent(side, k -> new LinkedHashMap<>())
                                    .computeIfAbsent(item.name(), k -> new ArrayList<>())
                                    .add(Double.parseDouble(parts[1]));
                        } else if (parts[0].equals(item.unit())) {
                            timings.add(Double.parseDouble(parts[1]));
                        }
                    }
                    values.computeIfAbsent(side, k -> new LinkedHashMap<>())
                            .computeIfAbsent(item.name(), k -> new ArrayList<>()).add(median(timings));
                }
            }
        }
        // which oneDNN kernels each side ran: one more untimed child per item and side, with oneDNN's verbose log
        Map<String, Map<String, String>> census = new LinkedHashMap<>();   // side -> item -> summary
        Map<String, String> isa = new LinkedHashMap<>();
        if (kernels) {
            for (Item item : items) {
                for (String side : sides) {
                    System.err.printf(Locale.ROOT, "kernels    %-12s %-5s (oneDNN verbose, untimed)%n", item.name(),
                            side);
                    KernelCensus k = KernelCensus.of(run(command(side, item, 1, 1, threads, workers, images, python,
                            script, work), threads, true));
                    census.computeIfAbsent(side, s -> new LinkedHashMap<>()).put(item.name(), k.summary());
                    if (k.isa() != null) {
                        isa.put(side, k.isa());
                    }
                }
            }
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        String table = table(items, values, memory, peak);
        StringBuilder md = new StringBuilder()
                .append("CPU: ").append(CpuInfo.read().describe()).append('\n')
                .append(String.format(Locale.ROOT, "%d rounds (each side's value in a round: the median of %d timed "
                        + "iterations after %d warm-up runs), %d threads, %d decode "
                        + "workers, %d images, %.1f min; load average during the run: median %.2f (min %.2f, "
                        + "max %.2f)%n%% of peak = of %.0f GFLOP/s (%s); nominal peak %.0f GFLOP/s (cores x /proc/cpuinfo "
                        + "clock x FP32 FLOPs per cycle)%n", rounds, iterations, warmUp, threads, workers, imageCount,
                        minutes, median(loads), loads.stream().mapToDouble(v -> v).min().orElse(Double.NaN),
                        loads.stream().mapToDouble(v -> v).max().orElse(Double.NaN), peak,
                        options.containsKey("peak-gflops") ? "--peak-gflops" : "measured sgemm, best of 5", nominal))
                .append("ours:  ").append(backends.getOrDefault("ours", "?"))
                .append(isa.containsKey("ours") ? "; oneDNN " + isa.get("ours") : "").append('\n')
                .append("torch: ").append(backends.getOrDefault("torch", "not run"))
                .append(isa.containsKey("torch") ? "; oneDNN " + isa.get("torch") : "").append("\n\n")
                .append(table);
        if (!census.isEmpty()) {
            md.append("\noneDNN primitives of one pass per item (implementation x count; reorders' share of the time "
                    + "oneDNN reports; untimed run with DNNL_VERBOSE=1):\n\n| item | side | kernels |\n|---|---|---|\n");
            for (Item item : items) {
                for (String side : sides) {
                    md.append("| ").append(item.name()).append(" | ").append(side).append(" | ")
                            .append(census.getOrDefault(side, Map.of()).getOrDefault(item.name(), "-")).append(" |\n");
                }
            }
        }
        System.out.println(md);
        AtomicFiles.writeString(work.resolve("results.md"), md.toString());
        System.err.println("written: " + work.resolve("results.md"));
    }

    private static List<String> command(String side, Item item, int warmUp, int iterations, int threads, int workers,
                                        Path images, String python, Path script, Path work) {
        return side.equals("ours")
                ? javaCommand(item, warmUp, iterations, threads, workers, images)
                : List.of(python, script.toString(), "--item", item.torchItem(), "--batch",
                        Integer.toString(item.batch() == 0 ? 16 : item.batch()), "--threads",
                        Integer.toString(threads), "--workers", Integer.toString(workers),
                        "--iterations", Integer.toString(iterations), "--warm-up",
                        Integer.toString(warmUp), "--images", images.toString(),
                        "--scratch", work.toString(), "--ten-crop-images",
                        Integer.toString(TEN_CROP_IMAGES));
    }

    private static String table(List<Item> items, Map<String, Map<String, List<Double>>> values,
                                Map<String, Map<String, List<Double>>> memory, double peak) {
        StringBuilder t = new StringBuilder("| item | unit | ours: median (min–max) | PyTorch: median (min–max) | ratio "
                + "| ours % of peak "
                + "| PyTorch % of peak | ours peak RSS MB | PyTorch peak RSS MB |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (Item item : items) {
            List<Double> oursValues = values.getOrDefault("ours", Map.of()).getOrDefault(item.name(), List.of());
            List<Double> torchValues = values.getOrDefault("torch", Map.of()).getOrDefault(item.name(), List.of());
            double ours = median(oursValues);
            double torch = median(torchValues);
            boolean seconds = item.unit().equals("seconds");
            double ratio = seconds ? torch / ours : ours / torch;
            t.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", item.name(),
                    item.unit(), spread(oursValues), spread(torchValues),
                    fmt(ratio, "-"), percent(ours, item, peak), percent(torch, item, peak),
                    fmt(median(memory.getOrDefault("ours", Map.of()).getOrDefault(item.name(), List.of())), "-"),
                    fmt(median(memory.getOrDefault("torch", Map.of()).getOrDefault(item.name(), List.of())), "-")));
        }
        return t.toString();
    }

    /** @return "median (min–max)" of one side's per-round values */
    private static String spread(List<Double> v) {
        if (v.isEmpty()) {
            return "-";
        }
        DoubleSummaryStatistics st = v.stream().mapToDouble(x -> x).summaryStatistics();
        return fmt(median(v), "-") + " (" + fmt(st.getMin(), "-") + "–" + fmt(st.getMax(), "-") + ")";
    }

    private static String percent(double rate, Item item, double peak) {
        if (item.flopsPerUnit() == 0 || Double.isNaN(rate)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.0f%%", 100 * rate * item.flopsPerUnit() / 1e9 / peak);
    }

    private static String fmt(double v, String missing) {
        return Double.isNaN(v) ? missing : String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
    }

    private static List<String> javaCommand(Item item, int warmUp, int iterations, int threads, int workers,
                                            Path images) {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(List.of("-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=10g",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=14g"));
        for (String property : List.of(Backend.HELPERS_DISABLE_PROPERTY, "org.bytedeco.javacpp.platform.extension")) {
            if (System.getProperty(property) != null) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PerfBench.class.getName(),
                "--child", item.name(), "--batch", Integer.toString(item.batch()), "--iterations",
                Integer.toString(iterations), "--warm-up", Integer.toString(warmUp), "--workers", Integer.toString(workers), "--image-dir",
                images.toString(), "--threads", Integer.toString(threads)));
        return command;
    }

    /**
     * Runs a child; its environment is this JVM's (so {@code DNNL_MAX_CPU_ISA}, {@code OPENBLAS_CORETYPE} and
     * {@code DNNL_VERBOSE} set for the benchmark reach both sides) plus {@code OMP_NUM_THREADS}.
     *
     * @param verbose switch on oneDNN's verbose log ({@code DNNL_VERBOSE=1}, read by both sides' oneDNN) and keep
     *                its lines besides the {@code RESULT} ones
     */
    private static List<String> run(List<String> command, int threads, boolean verbose)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        // the same number of OpenMP threads on both sides; torch also gets it with set_num_threads
        builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        if (verbose) {
            builder.environment().put("DNNL_VERBOSE", "1");
        }
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(RESULT) || verbose && KernelCensus.isVerbose(line)) {
                    lines.add(line);
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("PerfBench: " + String.join(" ", command.subList(0, 2)) + "… exited with "
                    + exit + ". Expected 0. See its stderr above.");
        }
        return lines;
    }

    // ---- our side, one item per child JVM -------------------------------------------------------------------

    /** Untimed runs before the timed ones (child JVM only): DL4J's workspaces size themselves over the first two. */
    private static int warmUps = 2;

    private static void child(Map<String, String> options) throws Exception {
        Backend.setUp();
        System.out.println(RESULT + "backend " + Backend.describe().summary().replace(' ', '_'));
        String item = options.get("child");
        int batch = Integer.parseInt(options.get("batch"));
        int iterations = Integer.parseInt(options.get("iterations"));
        warmUps = Integer.parseInt(options.get("warm-up"));
        int workers = Integer.parseInt(options.get("workers"));
        Path imageDir = Path.of(options.get("image-dir"));
        switch (item) {
            case "forward-b1", "forward-b16" -> forward(batch, iterations);
            case "featurize" -> featurize(BenchImages.list(imageDir), batch, iterations, workers);
            case "train-head" -> train("fc2", batch, iterations);
            case "train-block5" -> train("block4_pool", batch, iterations);
            case "tencrop" -> crops(BenchImages.list(imageDir).subList(0, TEN_CROP_IMAGES), true, batch, iterations);
            case "singlecrop" -> crops(BenchImages.list(imageDir), false, batch, iterations);
            case "logreg" -> logreg(iterations);
            case "sgemm" -> sgemm(iterations);
            default -> throw new IllegalArgumentException("--child " + item + ": unknown item");
        }
        System.out.printf(Locale.ROOT, RESULT + "peak-rss-mb %.1f%n", peakRssMb());
    }

    /**
     * The reference for "% of peak": the best FP32 matrix-product rate ND4J's BLAS reaches here, {@code n x n x n}
     * sgemm on the benchmark's threads. The nominal peak from /proc/cpuinfo understates what this CPU does (under
     * KVM it reports the base clock; the cores boost above it, and VGG16's convolutions measured above that
     * "peak"), so the attainable rate is measured instead.
     */
    private static void sgemm(int iterations) {
        INDArray a = Nd4j.rand(DataType.FLOAT, GEMM_SIZE, GEMM_SIZE);
        INDArray b = Nd4j.rand(DataType.FLOAT, GEMM_SIZE, GEMM_SIZE);
        INDArray c = Nd4j.create(DataType.FLOAT, GEMM_SIZE, GEMM_SIZE);
        double flops = 2.0 * GEMM_SIZE * GEMM_SIZE * GEMM_SIZE;
        for (int i = 0; i < warmUps; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        double best = 0;
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            best = Math.max(best, flops / ((System.nanoTime() - start) / 1e9) / 1e9);
        }
        System.out.printf(Locale.ROOT, RESULT + "%s %.3f%n", SGEMM.unit(), best);
    }

    /**
     * VGG16 cut at {@code fc2} as {@code train --mode features} cuts it ({@link FeatureExtractor}: a view of the whole
     * network's parameters, not a copy).
     */
    private static FeatureExtractor vgg16ToFc2() {
        return FeatureExtractor.of(VggArchitecture.vgg16(1000).build(SEED),
                Preprocessing.vgg(new InputShape(SIZE, SIZE, 3)), "fc2", "none",
                FeatureCache.of(Path.of("target", "perf", "unused-cache")));
    }

    private static void timed(String label, int iterations, double units, String unit, Runnable work) {
        timed(label, iterations, units, unit, work, work);
    }

    /** @param warmUp run {@link #warmUps} times first, untimed: workspaces, oneDNN primitive caches, page faults */
    private static void timed(String label, int iterations, double units, String unit, Runnable warmUp,
                              Runnable work) {
        for (int i = 0; i < warmUps; i++) {
            warmUp.run();
        }
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            work.run();
            double rate = units / ((System.nanoTime() - start) / 1e9);
            System.out.printf(Locale.ROOT, RESULT + "%s %.6f%n", unit, rate);
            System.out.flush();
            System.err.printf(Locale.ROOT, "  ours %s: %.3f %s%n", label, rate, unit);
        }
    }

    /**
     * Forward passes per timed unit: 16 images' worth at every batch size (one pass of batch 1 takes a quarter of a
     * second, too short to time on a shared machine: single passes varied by ±15% between rounds).
     */
    static int forwardPasses(int batch) {
        return Math.max(1, 16 / batch);
    }

    private static INDArray randomInput(int batch, double low, double high) {
        SplittableRandom rng = new SplittableRandom(SEED);
        float[] pixels = new float[batch * 3 * SIZE * SIZE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble(low, high);
        }
        return Nd4j.create(pixels, new long[] {batch, SIZE, SIZE, 3}, DataType.FLOAT);   // NHWC, as the network
    }

    private static void forward(int batch, int iterations) {
        FeatureExtractor net = vgg16ToFc2();
        INDArray input = randomInput(batch, -120, 135);
        int passes = forwardPasses(batch);
        timed("forward b" + batch, iterations, batch * passes, "img/s", () -> {
            for (int p = 0; p < passes; p++) {
                net.output(input).close();
            }
        });
    }

    /**
     * One training step of a batch as {@code train} takes it when the frozen prefix's outputs are not cached
     * ({@code --per-epoch-augment}, and the first pass over the images otherwise): the frozen layers in inference
     * mode through the prefix network {@code train} cuts ({@link FeatureExtractor} at the boundary), then forward, backward and update of the trainable layers only ({@link FrozenPrefix#trainable()}).
     */
    private static void train(String freezeUntil, int batch, int iterations) {
        ComputationGraph backbone = VggArchitecture.vgg16(1000).build(SEED);
        ComputationGraph net = FineTuner.build(backbone, new InputShape(SIZE, SIZE, 3), freezeUntil,
                new HeadSpec(null, List.of(), "relu", 0.0, false), 10,
                new OptimizerConfig("nesterov", 1e-3, 0.9, "constant", 0, 0), SEED);
        FrozenPrefix split = FrozenPrefix.of(net).orElseThrow();
        // the prefix as train.TrainingFeeds cuts it: a view of the whole graph's frozen layers when they hold most of
        // it (head only), else a copy cut from the backbone; then the backbone is dropped
        Preprocessing pre = Preprocessing.vgg(new InputShape(SIZE, SIZE, 3));
        FeatureCache cache = FeatureCache.of(Path.of("target", "perf", "unused-cache"));
        java.util.Optional<FeatureExtractor> shared = FeatureExtractor.sharing(net, pre, split.boundary(), cache);
        FeatureExtractor prefix = shared.isPresent() ? shared.get()
                : FeatureExtractor.of(backbone, pre, split.boundary(), "none", cache);
        backbone = null;
        System.gc();
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batch, 10);
        SplittableRandom rng = new SplittableRandom(SEED);
        for (int i = 0; i < batch; i++) {
            labels.putScalar(i, rng.nextInt(10), 1.0);
        }
        INDArray images = randomInput(batch, -2, 2);
        ComputationGraph trainable = split.trainable();
        timed((freezeUntil.equals("fc2") ? "train-head" : "train-block5") + " b" + batch, iterations, batch,
                "img/s", () -> trainable.fit(new DataSet(prefix.output(images), labels)));
    }

    private static List<LabeledImage> labeled(List<Path> files) {
        return files.stream().map(f -> new LabeledImage(f, f.getFileName().toString(), 0)).toList();
    }

    /**
     * What {@code train --mode features} runs: {@link FeatureExtractor} on VGG16 cut at {@code fc2}, with a
     * {@link FeatureCache} in a temporary folder that is emptied before every pass (a cold cache: every image is
     * hashed, decoded, resized, centre-cropped, normalised, run through the network and written to the cache), with
     * {@code workers} decoding threads and the next batch decoded while the network runs.
     */
    private static void featurize(List<Path> files, int batch, int iterations, int workers) throws IOException {
        Path cacheDir = Files.createTempDirectory("perfbench-cache");
        FeatureCache cache = FeatureCache.of(cacheDir);
        FeatureExtractor fx = FeatureExtractor.of(VggArchitecture.vgg16(1000).build(SEED),
                Preprocessing.vgg(new InputShape(SIZE, SIZE, 3)), "fc2", "none", cache);
        ImageDecoder decoder = ImageDecoder.defaults();
        List<LabeledImage> images = labeled(files);
        java.util.function.Consumer<List<LabeledImage>> pass = list -> {
            cache.clear();
            BadImageLog bad = new BadImageLog();
            FeatureExtractor.Extraction e = fx.extract(list, FeatureExtractor.View.centre(), decoder, bad, workers,
                    batch, false);
            if (e.stats().computed() != list.size()) {
                throw new IllegalStateException("featurize: computed " + e.stats().computed() + " of " + list.size()
                        + " images (" + e.stats() + ", bad " + bad.list() + "); expected a cold cache");
            }
        };
        try {
            timed("featurize " + files.size() + " images", iterations, files.size(), "img/s",
                    () -> pass.accept(images.subList(0, Math.min(batch, images.size()))), () -> pass.accept(images));
        } finally {
            cache.clear();
            Files.deleteIfExists(cacheDir);
        }
    }

    /**
     * What {@code evaluate --protocol ten-crop} (or {@code center}) runs: {@link MultiCropEvaluator} on VGG16 with
     * its 1000-class softmax, {@code cropsPerBatch} crops per forward pass (an image's crops kept together). For
     * ten-crop the evaluator also forwards each image's centre crop (one more crop per image, to report the gain over
     * it); the rate counts only the ten protocol crops, over the wall-clock time of the whole evaluation.
     */
    private static void crops(List<Path> files, boolean ten, int cropsPerBatch, int iterations) {
        // what evaluate runs: the whole network through NativeInference
        NativeInference inference = NativeInference.of(VggArchitecture.vgg16(1000).build(SEED));
        MultiCropEvaluator evaluator = new MultiCropEvaluator(Preprocessing.vgg(new InputShape(SIZE, SIZE, 3)),
                CropProtocolLoader.load(ten ? "ten-crop" : "center"), MultiCropEvaluator.Averaging.PROBABILITIES,
                cropsPerBatch);
        ImageDecoder decoder = ImageDecoder.defaults();
        List<String> labels = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "class" + i).toList();
        List<LabeledImage> images = labeled(files);
        int perImage = ten ? 10 : 1;
        int imagesPerBatch = Math.max(1, cropsPerBatch / perImage);
        java.util.function.Consumer<List<LabeledImage>> pass = list -> {
            Evaluation e = evaluator.evaluate(list, labels, decoder, inference::output, () -> { });
            System.err.printf(Locale.ROOT, "  ours %s: evaluator's own timing %.3f img/s (protocol), %.3f img/s "
                    + "(centre crop)%n", ten ? "tencrop" : "singlecrop", e.protocolImagesPerSecond(),
                    e.centerImagesPerSecond());
        };
        timed((ten ? "tencrop " : "singlecrop ") + files.size() + " images", iterations,
                files.size() * (double) perImage, ten ? "crops/s" : "img/s",
                () -> pass.accept(images.subList(0, Math.min(imagesPerBatch, images.size()))),
                () -> pass.accept(images));
    }

    /**
     * What the features mode's classifier runs: {@link LogisticRegression} (L2, L-BFGS) on 10,000 x 4096
     * {@link SyntheticFeatures} (10 classes), held as the features mode holds its features (one float32
     * {@link org.finetune4j.features.FeatureMatrix}, filled row by row: no double copy exists), {@code c = 1} so
     * that the penalty is {@code ½ · 1e-4 · ‖W‖²} on the mean
     * cross-entropy (the objective of the PyTorch side), from zero weights, until its own stopping rule: max-norm of
     * the gradient at most 1e-5, or a relative change of the objective at most 1e-10, or 1000 iterations. The data
     * are generated before the clock starts; the warm-up runs are whole fits.
     */
    private static void logreg(int iterations) {
        SyntheticFeatures.Data data = SyntheticFeatures.generate(LOGREG_ROWS, LOGREG_DIM, LOGREG_CLASSES, SEED);
        LogisticRegression lr = new LogisticRegression(LinearClassifier.Penalty.L2, LOGREG_MAX_ITERATIONS);
        for (int i = 0; i < warmUps; i++) {
            lr.fit(data.x(), data.y(), LOGREG_CLASSES, 1.0, null);
        }
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            LinearModel m = lr.fit(data.x(), data.y(), LOGREG_CLASSES, 1.0, null);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, RESULT + "seconds %.6f%n", seconds);
            System.out.flush();
            System.err.printf(Locale.ROOT, "  ours logreg: %.3f s, objective %.6f, training accuracy %.4f%n",
                    seconds, objective(m, data, 1e-4), accuracy(m, data));
        }
    }

    /** Mean cross-entropy plus ½λ‖W‖²: the objective both sides minimise. */
    private static double objective(LinearModel m, SyntheticFeatures.Data data, double lambda) {
        double sq = 0;
        for (double[] w : m.weights()) {
            for (double v : w) {
                sq += v * v;
            }
        }
        return m.crossEntropy(data.x(), data.y()) + 0.5 * lambda * sq;
    }

    private static double accuracy(LinearModel m, SyntheticFeatures.Data data) {
        return m.accuracy(data.x(), data.y());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Peak resident set size of this process (VmHWM), in MB; includes ND4J's off-heap memory. */
    private static double peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /**
     * This machine's nominal peak FP32 rate: cores x clock (from /proc/cpuinfo) x FLOPs per cycle per core. Assumes two
     * 256-bit FMA pipes per core (32 FP32 FLOPs/cycle) with AVX2+FMA or AVX-512 on AMD (Zen 4 runs AVX-512 on its
     * 256-bit units), two 512-bit FMA pipes on Intel AVX-512 (64), 16 otherwise. Printed beside the measured reference.
     */
    static double nominalPeakGflops() throws IOException {
        double mhz = Double.NaN;
        String flags = "";
        String vendor = "";
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("cpu MHz") && Double.isNaN(mhz)) {
                mhz = Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("flags") && flags.isEmpty()) {
                flags = " " + line.substring(line.indexOf(':') + 1).trim() + " ";
            } else if (line.startsWith("vendor_id") && vendor.isEmpty()) {
                vendor = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        int perCycle = flags.contains(" avx512f ") && vendor.equals("GenuineIntel") ? 64
                : flags.contains(" avx2 ") && flags.contains(" fma ") ? 32 : 16;
        return Runtime.getRuntime().availableProcessors() * mhz / 1000 * perCycle;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException(args[i] + ": expected an option such as --rounds 3");
            }
            String name = args[i].substring(2);
            boolean flag = name.equals("quick") || name.equals("no-torch") || name.equals("no-kernels");
            if (!flag && i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + ": missing its value");
            }
            options.put(name, flag ? "true" : args[++i]);
        }
        return options;
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(v -> v).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** FP32 FLOPs (2 per multiply-add) of VGG16 at 224 x 224, per image. */
    static final class VggFlops {
        private static final int[] CONVS = {2, 2, 3, 3, 3};
        private static final int[] CHANNELS = {64, 128, 256, 512, 512};

        private VggFlops() {
        }

        static double convs(int fromBlock) {
            double macs = 0;
            int in = 3;
            for (int b = 0; b < CONVS.length; b++) {
                int side = SIZE >> b;
                for (int i = 0; i < CONVS[b]; i++) {
                    if (b >= fromBlock) {
                        macs += (double) side * side * in * CHANNELS[b] * 9;
                    }
                    in = CHANNELS[b];
                }
            }
            return 2 * macs;
        }

        static double fc() {
            return 2.0 * (7 * 7 * 512 * 4096L + 4096L * 4096);
        }

        /** Forward to fc2. */
        static double toFc2() {
            return convs(0) + fc();
        }

        /** Forward with the 1000-class layer. */
        static double full() {
            return toFc2() + 2.0 * 4096 * 1000;
        }

        /** Forward to a 10-class head plus the head's backward pass (weights and input gradients: 2x forward). */
        static double trainHead() {
            return toFc2() + 3 * 2.0 * 4096 * 10;
        }

        /** Forward plus the backward pass of block 5, fc1, fc2 and the head (about twice their forward). */
        static double trainBlock5() {
            return toFc2() + 2.0 * 4096 * 10 + 2 * (convs(4) + fc() + 2.0 * 4096 * 10);
        }
    }
}
