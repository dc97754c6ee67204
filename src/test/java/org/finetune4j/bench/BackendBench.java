package org.finetune4j.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.model.VGG16;
import org.finetune4j.core.Backend;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures VGG16 forward throughput (224 x 224, random weights, batch 8) with DL4J's layer helpers on and off, on
 * the oneDNN and on the plain nd4j-native build.
 *
 * <p>Each configuration runs in its own JVM, because the native build is chosen when ND4J loads: the plain build is
 * selected with an empty {@code -Dorg.bytedeco.javacpp.platform.extension=}, helpers are switched off with
 * {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true}. Configurations are interleaved over several rounds so
 * that load from other processes spreads over all of them; the summary gives the median of all timed batches.
 * <pre>{@code
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * java -cp target/test-classes:target/classes:$(cat cp.txt) org.finetune4j.bench.BackendBench [rounds] [timed-batches]
 * }</pre>
 * Defaults: 3 rounds, 3 timed batches after 1 warm-up batch per JVM. Results go to stdout, progress to stderr.
 *
 * <p>With {@code builds} as the first argument it compares the six nd4j-native builds instead (plain, -avx2, -avx512,
 * -onednn, -onednn-avx2, -onednn-avx512; helpers on), each selected with
 * {@code -Dorg.bytedeco.javacpp.platform.extension}; the four jars that are not dependencies must be added to the
 * class path (docs/performance.md shows the commands). The last column names the build that really loaded, since
 * JavaCPP falls back to another build when the requested one is missing.
 */
public final class BackendBench {

    private static final int BATCH = 8;
    private static final int SIZE = 224;
    private static final String RESULT = "RESULT ";

    private BackendBench() {
    }

    /**
     * Runs the comparison, or one configuration when called with {@code --child}.
     *
     * @param args {@code [rounds] [timed-batches]}, or {@code --child <timed-batches>} (used internally)
     * @throws Exception if a child JVM fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Integer.parseInt(args[1]));
            return;
        }
        boolean builds = args.length > 0 && args[0].equals("builds");
        if (builds) {
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int timed = args.length > 1 ? Integer.parseInt(args[1]) : 3;

        Map<String, List<String>> configurations = new LinkedHashMap<>();
        if (builds) {
            // every nd4j-native 1.0.0-M2.1 build, helpers on; the natives jars must be on the class path
            for (String extension : List.of("", "-avx2", "-avx512", "-onednn", "-onednn-avx2", "-onednn-avx512")) {
                configurations.put("linux-x86_64" + extension, List.of("-Dorg.bytedeco.javacpp.platform.extension="
                        + extension));
            }
        } else {
            configurations.put("onednn build, helpers on", List.of());
            configurations.put("onednn build, helpers off",
                    List.of("-Dorg.eclipse.deeplearning4j.helpers.disable=true"));
            configurations.put("plain build, helpers on", List.of("-Dorg.bytedeco.javacpp.platform.extension="));
            configurations.put("plain build, helpers off", List.of("-Dorg.bytedeco.javacpp.platform.extension=",
                    "-Dorg.eclipse.deeplearning4j.helpers.disable=true"));
        }

        Map<String, List<Double>> results = new LinkedHashMap<>();
        Map<String, String> backends = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, List<String>> configuration : configurations.entrySet()) {
                System.err.printf(Locale.ROOT, "round %d/%d: %s (load average %.2f)%n", round, rounds,
                        configuration.getKey(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                List<String> lines = runChild(configuration.getValue(), timed);
                for (String line : lines) {
                    if (line.startsWith(RESULT + "backend ")) {
                        backends.put(configuration.getKey(), line.substring((RESULT + "backend ").length()));
                    } else if (line.startsWith(RESULT + "img/s ")) {
                        results.computeIfAbsent(configuration.getKey(), k -> new ArrayList<>())
                                .add(Double.parseDouble(line.substring((RESULT + "img/s ").length())));
                    }
                }
            }
        }

        System.out.printf(Locale.ROOT, "VGG16 forward, %dx%d, batch %d, %d rounds x %d timed batches, %d cores%n",
                SIZE, SIZE, BATCH, rounds, timed, Runtime.getRuntime().availableProcessors());
        for (String name : configurations.keySet()) {
            List<Double> values = results.getOrDefault(name, List.of());
            System.out.printf(Locale.ROOT, "%-28s median %6.2f img/s  (min %.2f, max %.2f, n=%d)  [%s]%n", name,
                    median(values), values.stream().mapToDouble(v -> v).min().orElse(Double.NaN),
                    values.stream().mapToDouble(v -> v).max().orElse(Double.NaN), values.size(),
                    backends.getOrDefault(name, "?"));
        }
    }

    private static List<String> runChild(List<String> properties, int timed) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("-Xmx2g");
        command.add("-Dorg.bytedeco.javacpp.maxbytes=8g");
        command.add("-Dorg.bytedeco.javacpp.maxphysicalbytes=12g");
        command.addAll(properties);
        command.addAll(Arrays.asList("-cp", System.getProperty("java.class.path"), BackendBench.class.getName(),
                "--child", Integer.toString(timed)));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        }
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("BackendBench child JVM: exited with code " + exit
                    + ". Expected 0; received " + exit + " for " + properties + ". See its stderr above.");
        }
        return lines;
    }

    private static void child(int timed) {
        Backend.setUp();
        Backend.Status status = Backend.describe();
        System.out.println(RESULT + "backend " + status.summary());

        ComputationGraph vgg16 = VGG16.builder().numClasses(1000).build().init();
        SplittableRandom rng = new SplittableRandom(12345L);
        float[] pixels = new float[BATCH * 3 * SIZE * SIZE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (rng.nextDouble() * 255.0 - 120.0);
        }
        INDArray input = Nd4j.create(pixels, new long[] {BATCH, 3, SIZE, SIZE}).castTo(DataType.FLOAT);

        vgg16.outputSingle(false, input);  // warm-up: workspaces, oneDNN primitive caches, page faults
        for (int i = 0; i < timed; i++) {
            long start = System.nanoTime();
            vgg16.outputSingle(false, input);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, RESULT + "img/s %.4f%n", BATCH / seconds);
            System.out.flush();
            System.err.printf(Locale.ROOT, "  %s: %.2f img/s%n", status.nativeBuild(), BATCH / seconds);
        }
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(v -> v).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
