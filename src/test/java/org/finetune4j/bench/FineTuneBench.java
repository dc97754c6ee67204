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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.model.VggArchitecture;
import org.finetune4j.testing.KerasVggFiles;

/**
 * The whole {@code finetune4j train} command against PyTorch's standard fine-tuning loop
 * ({@code src/test/python/torch_finetune.py}: torchvision's transfer-learning tutorial, frozen layers under
 * {@code no_grad}/{@code eval}, augmentation drawn every epoch, DataLoader with one worker), end to end: start to
 * bundle, wall time and peak resident memory, on the same photo-like JPEGs, VGG16 with random weights loaded from a
 * file on both sides (a full-size Keras weights file for ours, a state_dict for PyTorch, both written here), 224x224, batch 16, {@code flip-crop} augmentation, Adam 1e-3, a validation pass
 * every epoch and one centre-crop test pass at the end. Sides alternate (who goes first flips every round); every
 * run of ours starts with an empty frozen-layer cache, as a user's first run does.
 *
 * <p>Items: {@code head} (frozen to {@code block5_pool}: fc1, fc2 and the new layer train) and {@code block5}
 * (frozen to {@code block4_pool}). Run from the project folder after {@code mvn -q -DskipTests package}:
 * <pre>
 * java -cp "target/test-classes:target/classes:target/lib/*" org.finetune4j.bench.FineTuneBench \
 *     [--rounds 2] [--items head,block5] [--images 200] [--epochs 10] [--copies 2] [--threads 2] \
 *     [--python /usr/bin/python3] [--no-torch | --no-ours]
 * </pre>
 * Prints a Markdown table (median and min–max of the rounds per side, peak RSS, ratio) and writes it to
 * {@code target/perf/finetune/results.md}. Our peak RSS is the child JVM's {@code VmHWM}, read from /proc every
 * 100 ms until it exits; PyTorch's is its own {@code ru_maxrss} plus its largest exited DataLoader worker's.
 */
public final class FineTuneBench {

    private static final long SEED = 12345L;
    private static final int CLASSES = 5;

    private FineTuneBench() {
    }

    /** A side's run of an item. */
    private record Run(double seconds, double peakRssMb, double testAccuracy) {
    }

    /**
     * @param args see the class comment
     * @throws Exception if a run fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String key = args[i].replaceFirst("^--", "");
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            o.put(key, flag ? "true" : args[++i]);
        }
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "2"));
        int images = Integer.parseInt(o.getOrDefault("images", "200"));
        int epochs = Integer.parseInt(o.getOrDefault("epochs", "10"));
        int copies = Integer.parseInt(o.getOrDefault("copies", "2"));
        int threads = Integer.parseInt(o.getOrDefault("threads",
                Integer.toString(Runtime.getRuntime().availableProcessors())));
        String python = o.getOrDefault("python", "/usr/bin/python3");
        List<String> items = Arrays.asList(o.getOrDefault("items", "head,block5").split(","));
        List<String> sides = o.containsKey("no-torch") ? List.of("ours")
                : o.containsKey("no-ours") ? List.of("torch") : List.of("ours", "torch");

        Path work = Path.of("target", "perf", "finetune");
        Path data = work.resolve("data");
        for (int c = 0; c < CLASSES; c++) {
            BenchImages.ensure(data.resolve("class" + c), images / CLASSES, SEED + c);
        }
        Path weights = work.resolve("vgg16_weights_tf_dim_ordering_tf_kernels.h5");
        if (!Files.isRegularFile(weights)) {
            System.err.println("writing a full-size VGG16 weights file with random values: " + weights);
            Path tmp = work.resolve("weights.tmp.h5");
            KerasVggFiles.write(tmp, KerasVggFiles.plan(VggArchitecture.vgg16(1000)), SEED);
            Files.move(tmp, weights, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path torchWeights = work.resolve("torch-vgg16-random.pth");
        if (sides.contains("torch") && !Files.isRegularFile(torchWeights)) {
            Process p = new ProcessBuilder(python, Path.of("src", "test", "python", "torch_finetune.py").toString(),
                    "--make-weights", torchWeights.toString()).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("torch_finetune.py --make-weights failed; see its stderr above");
            }
        }
        Map<String, Map<String, List<Run>>> runs = new LinkedHashMap<>();   // item -> side -> runs
        List<Double> loads = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (String item : items) {
                String freeze = switch (item) {
                    case "head" -> "block5_pool";
                    case "block5" -> "block4_pool";
                    default -> throw new IllegalArgumentException("--items " + item + ": expected head or block5");
                };
                List<String> order = new ArrayList<>(sides);
                if (round % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (String side : order) {
                    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
                    loads.add(load);
                    System.err.printf(Locale.ROOT, "round %d/%d  %-6s %-5s (load average %.2f)%n", round, rounds,
                            item, side, load);
                    Run r = side.equals("ours")
                            ? ours(work, data, weights, freeze, epochs, copies, threads)
                            : torch(python, work, data, torchWeights, freeze, epochs, threads);
                    System.err.printf(Locale.ROOT, "  %.1f s, peak RSS %.0f MB, test accuracy %.3f%n", r.seconds(),
                            r.peakRssMb(), r.testAccuracy());
                    runs.computeIfAbsent(item, k -> new LinkedHashMap<>()).computeIfAbsent(side,
                            k -> new ArrayList<>()).add(r);
                }
            }
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%d photo-like JPEGs in %d classes, %d epochs, batch 16, flip-crop "
                + "(ours: --augment-copies %d), %d threads, %d round(s); load average median %.2f (min %.2f, max "
                + "%.2f)%n%n", images, CLASSES, epochs, copies, threads, rounds, median(loads),
                loads.stream().mapToDouble(v -> v).min().orElse(Double.NaN),
                loads.stream().mapToDouble(v -> v).max().orElse(Double.NaN)));
        md.append("| item | finetune4j s (min–max) | PyTorch s (min–max) | speed-up | peak RSS MB ours / PyTorch |\n");
        md.append("|---|---|---|---|---|\n");
        for (String item : items) {
            List<Run> ours = runs.get(item).getOrDefault("ours", List.of());
            List<Run> torch = runs.get(item).getOrDefault("torch", List.of());
            double a = median(ours.stream().map(Run::seconds).toList());
            double b = median(torch.stream().map(Run::seconds).toList());
            md.append(String.format(Locale.ROOT, "| %s (frozen to %s) | %.0f (%s) | %.0f (%s) | %.2fx | %.0f / %.0f |%n",
                    item, item.equals("head") ? "block5_pool" : "block4_pool", a, range(ours), b, range(torch), b / a,
                    max(ours), max(torch)));
        }
        System.out.print(md);
        AtomicFiles.writeString(work.resolve("results.md"), md.toString());
    }

    private static Run ours(Path work, Path data, Path weights, String freeze, int epochs, int copies, int threads)
            throws IOException, InterruptedException {
        Path run = work.resolve("ours");
        AtomicFiles.deleteTree(run);
        Files.createDirectories(run);
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin"
                + File.separator + "java", "-cp", System.getProperty("java.class.path"),
                "org.finetune4j.cli.Finetune4j", "train", "--data", data.toString(), "--model", "vgg16", "--weights",
                weights.toString(), "--weights-md5", "any", "--freeze-until", freeze, "--epochs",
                Integer.toString(epochs), "--batch-size", "16", "--augment", "flip-crop", "--augment-copies",
                Integer.toString(copies), "--patience", "0", "--protocol", "center", "--threads", "1",
                "--name", "bench", "--models-dir", run.resolve("models").toString(), "--reports-dir",
                run.resolve("reports").toString(), "--cache", run.resolve("cache").toString(), "--json"));
        ProcessBuilder b = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        b.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        long started = System.nanoTime();
        Process p = b.start();
        double[] peak = {0};
        Thread watcher = new Thread(() -> {
            Path status = Path.of("/proc", Long.toString(p.pid()), "status");
            while (p.isAlive()) {
                try {
                    for (String line : Files.readAllLines(status)) {
                        if (line.startsWith("VmHWM:")) {
                            peak[0] = Math.max(peak[0], Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024);
                        }
                    }
                    Thread.sleep(100);
                } catch (IOException | InterruptedException | NumberFormatException e) {
                    return;
                }
            }
        });
        watcher.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        double seconds = (System.nanoTime() - started) / 1e9;
        watcher.join();
        if (exit != 0) {
            throw new IllegalStateException("finetune4j train exited with " + exit + "; see its stderr above");
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"test-accuracy\"\\s*:\\s*([0-9.eE-]+)")
                .matcher(out);
        return new Run(seconds, peak[0], m.find() ? Double.parseDouble(m.group(1)) : Double.NaN);
    }

    private static Run torch(String python, Path work, Path data, Path weights, String freeze, int epochs,
                             int threads) throws IOException, InterruptedException {
        List<String> command = List.of(python, Path.of("src", "test", "python", "torch_finetune.py").toString(),
                "--data", data.toString(), "--weights", weights.toString(), "--freeze-until", freeze, "--epochs", Integer.toString(epochs),
                "--batch", "16", "--threads", Integer.toString(threads), "--workers", "1", "--out",
                work.resolve("torch-model.pt").toString());
        ProcessBuilder b = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        b.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        long started = System.nanoTime();
        Process p = b.start();
        Map<String, Double> results = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("RESULT ")) {
                    String[] parts = line.split(" ");
                    results.put(parts[1], Double.parseDouble(parts[2]));
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("torch_finetune.py exited with " + exit + "; see its stderr above");
        }
        return new Run((System.nanoTime() - started) / 1e9, results.getOrDefault("peak-rss-mb", Double.NaN),
                results.getOrDefault("test-accuracy", Double.NaN));
    }

    private static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = v.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    private static String range(List<Run> runs) {
        return String.format(Locale.ROOT, "%.0f–%.0f", runs.stream().mapToDouble(Run::seconds).min().orElse(Double.NaN),
                runs.stream().mapToDouble(Run::seconds).max().orElse(Double.NaN));
    }

    private static double max(List<Run> runs) {
        return runs.stream().mapToDouble(Run::peakRssMb).max().orElse(Double.NaN);
    }
}
