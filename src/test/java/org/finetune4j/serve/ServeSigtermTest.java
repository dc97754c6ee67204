package org.finetune4j.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.finetune4j.cli.Finetune4j;
import org.finetune4j.testing.Slow;
import org.finetune4j.testing.TestBundles;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code finetune4j serve} as a process: SIGTERM while a request is in flight lets that request finish with its answer,
 * then the process exits. Slow: it starts a JVM and waits out a 5-second batching window (about 20 s).
 */
@Slow
class ServeSigtermTest {

    @TempDir
    Path tmp;

    @Test
    void sigtermDrainsTheRequestInFlightThenExits() throws Exception {
        Path bundle = TestBundles.saveBackbone(tmp.resolve("tiny"), TestBundles.tinyVgg(3, false), 5L,
                List.of("a", "b", "c"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                Finetune4j.class.getName(), "serve", "--model", bundle.toString(), "--port", "0",
                "--batch-window-ms", "5000"));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            String line;
            String url = null;
            Pattern serving = Pattern.compile("serving tiny on (http://127\\.0\\.0\\.1:\\d+/)");
            while (url == null && (line = err.readLine()) != null) {
                Matcher m = serving.matcher(line);
                if (m.find()) {
                    url = m.group(1);
                }
            }
            assertThat(url).as("the server's first line names its address").isNotNull();
            ServiceClient c = new ServiceClient(url, null);
            byte[] image = TestImages.encode(TestImages.noise(20, 20, 3), "png");
            CompletableFuture<ServiceClient.Response> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.postImage(image);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // SIGTERM once the request waits in its batching window
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!c.get("metrics").body().contains("\nfinetune4j_queue_images 1\n")) {
                assertThat(System.nanoTime()).as("the request reaches the queue within 60 s").isLessThan(deadline);
                Thread.sleep(20);
            }
            p.destroy();
            ServiceClient.Response r = inFlight.get(60, TimeUnit.SECONDS);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"predictions\"");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits after draining").isTrue();
            assertThat(p.exitValue()).isEqualTo(143);   // 128 + SIGTERM: ended by the signal, after the hook ran
        } finally {
            p.destroyForcibly();
        }
    }
}
