package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.finetune4j.core.Json;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.model.BundleStore;
import org.finetune4j.testing.Slow;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed with {@code kill -9} (SIGKILL: no shutdown hook, no last checkpoint) in a child JVM, then the same
 * command again (with {@code --resume} where the command has it), ends with exactly what an uninterrupted run of the
 * same command gives on the same machine. Each side runs in a working folder of its own that holds the shipped
 * {@code models/mini-vgg-shapes} and a byte-identical copy of the same image folder, so the commands use the
 * defaults as a user's would ({@code models/}, {@code eval/reports/}); the feature cache goes to a home folder of
 * the test's. The image folder carries the sample-set marker, so the default backbone is the shipped one.
 */
@Slow
class KillAndResumeTest {

    private static final Path SHIPPED = Path.of("models/mini-vgg-shapes");
    private static final long TIMEOUT_SECONDS = 600;

    @TempDir
    Path tmp;

    /** Two working folders with the same data and the shipped backbone: [interrupted, uninterrupted]. */
    private Path[] workspaces() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        TestFolders.imageFolder(a.resolve("photos"), Map.of("ant", 40, "bee", 40, "cow", 40));
        // marked as a sample set, as `sample-data` marks its folders: the default backbone is then the shipped
        // mini-vgg-shapes (for a folder of one's own images it is vgg16, whose weights cannot be fetched here)
        Files.writeString(a.resolve("photos").resolve(ShapesGenerator.COMPLETE_MARKER), "sample set\n");
        TestFolders.copyTree(a.resolve("photos"), b.resolve("photos"));
        for (Path w : List.of(a, b)) {
            TestFolders.copyTree(SHIPPED, w.resolve("models/mini-vgg-shapes"));
        }
        return new Path[] {a, b};
    }

    @Test
    void trainWithEveryDefaultKilledAndResumedEqualsAnUninterruptedRun() throws Exception {
        // every default but the checkpoint interval: a checkpoint after every epoch, so the kill comes mid-run
        Path[] w = workspaces();
        Path checkpoint = w[0].resolve("models/photos-finetune.checkpoint/state.json");
        Path bundle = w[0].resolve("models/photos-finetune");

        killWhen(w[0], f -> Files.isRegularFile(checkpoint), "train", "--data", "photos", "--checkpoint-interval",
                "0");
        assertThat(BundleStore.isBundle(bundle)).as("killed before the bundle was written").isFalse();
        JsonNode state = Json.mapper().readTree(checkpoint.toFile());

        Result resumed = run(w[0], "train", "--data", "photos", "--resume");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resuming photos-finetune at epoch");
        assertThat(run(w[1], "train", "--data", "photos").code()).isZero();

        assertThat(state.toString()).contains("\"freeze-until\":\"block3_pool\"");
        assertSameParams(bundle, w[1].resolve("models/photos-finetune"));
        assertThat(Files.exists(checkpoint)).as("checkpoint removed once the bundle is written").isFalse();
    }

    @Test
    void searchKilledAndRerunEqualsAnUninterruptedSearch() throws Exception {
        Path[] w = workspaces();
        String[] search = {"search", "--data", "photos", "--max-trials", "4", "--coarse-trials", "3",
            "--trial-epochs", "2"};
        Path trials = w[0].resolve("eval/reports/search-photos/trials.jsonl");

        killWhen(w[0], f -> lines(trials) >= 1, search);
        int before = lines(trials);
        assertThat(before).as("killed mid-search").isBetween(1, 3);

        Result again = run(w[0], search);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(run(w[1], search).code()).isZero();
        assertThat(withoutTimes(trials)).hasSize(4)
                .containsExactlyElementsOf(withoutTimes(w[1].resolve("eval/reports/search-photos/trials.jsonl")));
    }

    @Test
    void featuresModeKilledAndResumedEqualsAnUninterruptedRun() throws Exception {
        Path[] w = workspaces();
        Path cache = w[0].resolve("home/.finetune4j/features");
        Path bundle = w[0].resolve("models/photos-features");

        killWhen(w[0], f -> countFiles(cache) >= 8, "train", "--mode", "features", "--data", "photos");
        assertThat(BundleStore.isBundle(bundle)).as("killed before the bundle was written").isFalse();

        Result resumed = run(w[0], "train", "--mode", "features", "--data", "photos", "--resume");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(run(w[1], "train", "--mode", "features", "--data", "photos").code()).isZero();
        assertSameParams(bundle, w[1].resolve("models/photos-features"));
    }

    private record Result(int code, String err) {
    }

    private static ProcessBuilder command(Path workdir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx2g");
        cmd.add("-Duser.home=" + workdir.resolve("home").toAbsolutePath());
        cmd.add("-cp");
        // surefire runs tests from a manifest-only jar; its real class path is in this property
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add(Finetune4j.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workdir.toFile());
        pb.environment().remove("FINETUNE4J_CACHE");
        return pb;
    }

    private static Result run(Path workdir, String... args) throws Exception {
        Path err = Files.createTempFile(workdir, "stderr", ".txt");
        Process p = command(workdir, args).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", args) + ": no exit within " + TIMEOUT_SECONDS + " s");
        }
        return new Result(p.exitValue(), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Starts the command and kills it with SIGKILL as soon as {@code when} holds; fails if it ended before that. */
    private static void killWhen(Path workdir, Predicate<Path> when, String... args) throws Exception {
        Path err = Files.createTempFile(workdir, "stderr", ".txt");
        Process p = command(workdir, args).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        try {
            while (!when.test(workdir)) {
                if (!p.isAlive()) {
                    throw new AssertionError("the run ended (exit " + p.exitValue() + ") before it could be killed: "
                            + Files.readString(err));
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("waited " + TIMEOUT_SECONDS + " s to kill " + String.join(" ", args));
                }
                Thread.sleep(10);
            }
            assertThat(p.isAlive()).as("still running when killed").isTrue();
        } finally {
            p.destroyForcibly();   // SIGKILL on Linux
            p.waitFor();
        }
        assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    }

    /** Bit for bit (AssertJ's element diff of 800,000 floats would take minutes, so count the differences). */
    private static void assertSameParams(Path actual, Path expected) {
        float[] a = BundleStore.load(actual).graph().params().toFloatVector();
        float[] e = BundleStore.load(expected).graph().params().toFloatVector();
        int differing = 0;
        for (int i = 0; i < Math.min(a.length, e.length); i++) {
            differing += Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(e[i]) ? 1 : 0;
        }
        assertThat(a.length).isEqualTo(e.length);
        assertThat(differing).as("parameters of %s that differ from %s's", actual, expected).isZero();
    }

    private static int lines(Path file) {
        try {
            return Files.isRegularFile(file)
                    ? (int) Files.readAllLines(file).stream().filter(s -> !s.isBlank()).count() : 0;
        } catch (IOException e) {
            return 0;   // being replaced atomically at this moment
        }
    }

    private static List<String> withoutTimes(Path trials) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(trials)) {
            if (!line.isBlank()) {
                JsonNode t = Json.mapper().readTree(line);
                ((ObjectNode) t.path("score")).remove("seconds");
                out.add(t.toString());
            }
        }
        return out;
    }

    private static long countFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;   // a temporary file vanished while walking
        }
    }
}
