package org.finetune4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.ShapesConfig;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.data.SplitConfig;
import org.finetune4j.features.ExtractionConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on loopback: Spark's own {@code deploy.master.Master} and two
 * {@code deploy.worker.Worker}s as separate JVMs bound to 127.0.0.1 (one core and one executor each), the
 * {@code features} job submitted through {@code deploy.SparkSubmit} with the shaded jar, as a user submits it. Its
 * vectors must equal those of the same job in {@code local[2]} bit for bit; then again with one Worker killed
 * ({@code kill -9}) while the job runs: Spark re-runs the lost tasks on the other executor and the result is still
 * identical. Every process this test starts is stopped in {@link #stopCluster()}, children included.
 *
 * <p>Runs after {@code package} ({@code mvn -f spark/pom.xml verify}), because it submits the shaded jar.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StandaloneClusterIT {

    static final long SEED = 12345L;
    static final int BATCH = 8;

    @TempDir
    static Path tmp;

    static Path data;
    static Path models;
    static Path sparkHome;
    static String masterUrl;
    static final List<Process> started = new ArrayList<>();
    static final Set<ProcessHandle> children = new HashSet<>();
    static Process master;
    static Process worker1;
    static Process worker2;
    static String reference;
    static int ompThreads;

    @BeforeAll
    static void startCluster() throws Exception {
        ShapesConfig d = ShapesConfig.defaults();   // 12 images per class: 120 images, 15 tasks of one batch
        data = ShapesGenerator.ensure(new ShapesConfig(1, 12, d.minSidePx(), d.maxSidePx(), d.seed()),
                tmp.resolve("data")).target().dir();
        models = tmp.resolve("models");
        SparkLocalTest.copyTree(SparkLocalTest.MODELS.resolve("mini-vgg-shapes"), models.resolve("mini-vgg-shapes"));
        sparkHome = sparkHome();
        int port = freePort();
        masterUrl = "spark://127.0.0.1:" + port;
        master = start("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--webui-port", String.valueOf(freePort())));
        waitForLog(tmp.resolve("master.log"), "I have been elected leader", Duration.ofSeconds(60));
        worker1 = startWorker(1);
        worker2 = startWorker(2);
        waitForLog(tmp.resolve("master.log"), "Registering worker", Duration.ofSeconds(60), 2);

        // the reference: the same job in local[2], in this JVM
        SparkSession local = TestSpark.local(2);
        try {
            reference = tmp.resolve("features-local").toString();
            SparkFeaturizer.run(local, new SparkFeaturizer.Config(Main.featureRun(data.toString(), "mini-vgg-shapes",
                    BATCH, SplitConfig.defaults(), BadImagePolicy.SKIP, 2, false, false, SEED),
                    new ExtractionConfig(null, "auto", null, null, 0, BATCH), null, reference, 1, models), s -> { });
        } finally {
            local.stop();
        }
        // Spark sets OMP_NUM_THREADS=spark.task.cpus (1) in executors by default; ND4J's results can change in the
        // last bits with its thread count, so the executors get this JVM's
        ompThreads = org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (Process p : started) {
            p.toHandle().descendants().forEach(children::add);
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).destroy();   // the submit JVMs and the workers before the master
        }
        for (Process p : started) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (ProcessHandle h : children) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        for (ProcessHandle h : children) {
            h.onExit().get(20, TimeUnit.SECONDS);
        }
        for (Process p : started) {
            assertThat(p.isAlive()).as("process left running").isFalse();
        }
    }

    @Test
    @Order(1)
    void featuresOnTheClusterEqualLocalBitForBit() throws Exception {
        String out = tmp.resolve("features-cluster").toString();
        Process submit = submit("submit1", out);
        assertThat(submit.waitFor(6, TimeUnit.MINUTES)).as("the job finishes").isTrue();
        assertThat(submit.exitValue()).as(Files.readString(tmp.resolve("submit1.log"))).isZero();
        assertThat(Files.readString(tmp.resolve("submit1.log"))).contains("features of " + data);
        assertSameVectors(out);
    }

    @Test
    @Order(2)
    void aWorkerKilledMidJobChangesNothing() throws Exception {
        String out = tmp.resolve("features-killed").toString();
        Path partial = Path.of(out + ".next", "_temporary");
        Process submit = submit("submit2", out);
        // mid-job: the first task's output is committed, others are still to run
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (countParts(partial) < 1) {
            assertThat(System.nanoTime()).as("a task finishes within 4 minutes").isLessThan(deadline);
            assertThat(submit.isAlive()).as("the job is still running").isTrue();
            Thread.sleep(100);
        }
        worker2.toHandle().descendants().forEach(children::add);
        assertThat(new ProcessBuilder("kill", "-9", String.valueOf(worker2.pid())).start().waitFor()).isZero();
        worker2.waitFor(20, TimeUnit.SECONDS);
        assertThat(worker2.isAlive()).isFalse();
        assertThat(submit.waitFor(6, TimeUnit.MINUTES)).as("the job finishes on the remaining worker").isTrue();
        String log = Files.readString(tmp.resolve("submit2.log"));
        assertThat(submit.exitValue()).as(log).isZero();
        assertThat(log).containsAnyOf("Lost executor", "lost executor", "Executor lost", "ExecutorLost",
                "Removed executor");
        assertSameVectors(out);
    }

    static void assertSameVectors(String out) {
        SparkSession local = TestSpark.local(1);
        try {
            Map<String, Row> expected = rows(local, reference);
            Map<String, Row> actual = rows(local, out);
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            expected.forEach((path, row) -> {
                Row a = actual.get(path);
                assertThat(a.<String>getAs("split")).isEqualTo(row.<String>getAs("split"));
                assertThat(a.<String>getAs("hash")).isEqualTo(row.<String>getAs("hash"));
                assertThat(SparkLocalTest.floats(a)).as(path).isEqualTo(SparkLocalTest.floats(row));
            });
        } finally {
            local.stop();
        }
    }

    static Map<String, Row> rows(SparkSession s, String dir) {
        Map<String, Row> m = new java.util.HashMap<>();
        s.read().parquet(dir).collectAsList().forEach(r -> m.put(r.getString(0), r));
        return m;
    }

    static Process submit(String name, String out) throws IOException {
        String opens = System.getProperty("spark.java17.opens");
        String executorOptions = opens + " -Dorg.bytedeco.javacpp.maxbytes=1g -Dorg.bytedeco.javacpp.maxphysicalbytes=2500m";
        return start(name, List.of("-Xmx1g", "-Dorg.bytedeco.javacpp.maxbytes=1g",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=3g", "org.apache.spark.deploy.SparkSubmit",
                "--master", masterUrl, "--deploy-mode", "client", "--class", "org.finetune4j.spark.Main",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=1g",
                "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2",
                "--conf", "spark.task.maxFailures=4",
                "--conf", "spark.executorEnv.OMP_NUM_THREADS=" + ompThreads,
                "--conf", "spark.executor.extraJavaOptions=" + executorOptions,
                System.getProperty("spark.job.jar"),
                "features", "--data", data.toString(), "--model", "mini-vgg-shapes", "--models-dir",
                models.toString(), "--batch-size", String.valueOf(BATCH), "--chunk-batches", "1", "--seed",
                String.valueOf(SEED), "--out", out));
    }

    static Process startWorker(int n) throws IOException {
        Path work = Files.createDirectories(tmp.resolve("worker" + n));
        return start("worker" + n, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()), "--cores", "1",
                "--memory", "1500m", "--work-dir", work.toString(), masterUrl));
    }

    /** Starts a JVM on Spark's classpath ({@code SPARK_HOME/jars/*}), its output into {@code <name>.log}. */
    static Process start(String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", sparkHome.resolve("jars") + "/*"));
        List<String> jvm = new ArrayList<>();
        jvm.addAll(List.of(System.getProperty("spark.java17.opens").split(" ")));
        if (!args.get(0).startsWith("-")) {
            jvm.add("-Xmx256m");   // Master and Workers are small; the executors get spark.executor.memory
        }
        cmd.addAll(jvm);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_SCALA_VERSION", "2.12");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** A Spark installation's layout, {@code jars/} linking the jars Maven resolved for Spark. */
    static Path sparkHome() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("spark-home"));
        Path jars = Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        Files.copy(Path.of("src", "test", "resources", "log4j2.properties"), home.resolve("conf")
                .resolve("log4j2.properties"));
        String cp = Files.readString(Path.of(System.getProperty("spark.classpath.file"))).strip();
        for (String jar : cp.split(java.io.File.pathSeparator)) {
            Path j = Path.of(jar);
            Path link = jars.resolve(j.getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, j);
            }
        }
        return home;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void waitForLog(Path log, String text, Duration timeout) throws Exception {
        waitForLog(log, text, timeout, 1);
    }

    static void waitForLog(Path log, String text, Duration timeout, int times) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                String s = Files.readString(log);
                if (s.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(log.getFileName() + ": \"" + text + "\" " + times + "× not seen within " + timeout
                + ":\n" + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }

    static long countParts(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            // committed task output (FileOutputCommitter): _temporary/0/task_…/part-….parquet
            return s.filter(p -> p.toString().contains("/task_") && p.getFileName().toString().startsWith("part-")
                    && p.getFileName().toString().endsWith(".parquet")).count();
        } catch (java.io.UncheckedIOException e) {
            return 0;   // a task's folder moved while we looked
        }
    }
}
