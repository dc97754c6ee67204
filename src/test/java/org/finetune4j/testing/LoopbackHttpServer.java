package org.finetune4j.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server on 127.0.0.1 (port chosen by the OS) for tests of download code: it serves canned responses per
 * path — a body, an error status, a body cut short, or a slow answer — and counts the requests it receives.
 * <pre>{@code
 * try (LoopbackHttpServer server = LoopbackHttpServer.start()) {
 *     server.serve("/w.h5", Response.ok(bytes));
 *     server.serve("/cut.h5", Response.truncated(bytes, bytes.length * 2L));
 *     URI uri = server.uri("/w.h5");      // http://127.0.0.1:<port>/w.h5
 *     ...
 *     assertThat(server.requestCount()).isEqualTo(1);
 * }
 * }</pre>
 * Unknown paths answer 404. Slow responses wait at most until {@link #close()}, so tests never hang on them.
 */
public final class LoopbackHttpServer implements AutoCloseable {

    /**
     * A canned answer.
     *
     * @param status            HTTP status code
     * @param body              bytes to send (all of them unless {@code stallAfterBytes} stops earlier)
     * @param declaredLength    the Content-Length header; larger than {@code body.length} makes a truncated
     *                          transfer (the server sends the body and then closes the connection); -1 sends none
     *                          (chunked)
     * @param delayBeforeHeaders wait this long before sending the status line
     * @param stallAfterBytes   after sending this many body bytes, stop and wait until the server closes; -1 never
     */
    public record Response(int status, byte[] body, long declaredLength, Duration delayBeforeHeaders,
                           int stallAfterBytes) {
        public Response {
            if (status < 100 || status > 599 || body == null || delayBeforeHeaders == null
                    || (declaredLength >= 0 && declaredLength < body.length)) {
                throw new IllegalArgumentException("bad canned response: status " + status + ", declared length "
                        + declaredLength);
            }
        }

        /** @return 200 with the body and its exact length */
        public static Response ok(byte[] body) {
            return new Response(200, body, body.length, Duration.ZERO, -1);
        }

        /** @return the status with a short text body */
        public static Response status(int status) {
            return new Response(status, ("status " + status).getBytes(), -1, Duration.ZERO, -1);
        }

        /** @return 200 that declares {@code declaredLength} bytes, sends {@code body}, then closes the connection */
        public static Response truncated(byte[] body, long declaredLength) {
            return new Response(200, body, declaredLength, Duration.ZERO, -1);
        }

        /** @return 200 with the body, sent only after {@code delay} */
        public static Response slow(Duration delay, byte[] body) {
            return new Response(200, body, body.length, delay, -1);
        }

        /** @return 200 that declares the full length, sends {@code bytesBeforeStall} bytes, then stalls */
        public static Response stalling(byte[] body, int bytesBeforeStall) {
            return new Response(200, body, body.length, Duration.ZERO, bytesBeforeStall);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Response> responses = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    private LoopbackHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** @return a started server on 127.0.0.1 and a free port */
    public static LoopbackHttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "loopback-http");
                t.setDaemon(true);
                return t;
            });
            LoopbackHttpServer loopback = new LoopbackHttpServer(server, executor);
            server.createContext("/", loopback::handle);
            server.setExecutor(executor);
            server.start();
            return loopback;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a loopback HTTP server", e);
        }
    }

    /** Makes {@code path} answer with {@code response} from now on. */
    public void serve(String path, Response response) {
        responses.put(path, response);
    }

    /** @return {@code http://127.0.0.1:<port><path>} */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** @return requests received so far, on any path */
    public int requestCount() {
        return total.get();
    }

    /** @return requests received so far on {@code path} */
    public int requestCount(String path) {
        AtomicInteger n = counts.get(path);
        return n == null ? 0 : n.get();
    }

    /**
     * @return an http URI on 127.0.0.1 whose port nothing listens on (it was free a moment ago), so connecting
     *         is refused
     */
    public static URI closedPortUri(String path) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        total.incrementAndGet();
        counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        Response r = responses.getOrDefault(path, Response.status(404));
        if (!r.delayBeforeHeaders().isZero() && waitUntilClosed(r.delayBeforeHeaders())) {
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        // HttpServer's length argument: 0 = chunked, -1 = no body, n = Content-Length n
        long lengthArgument = r.declaredLength() < 0 ? 0 : (r.declaredLength() == 0 ? -1 : r.declaredLength());
        exchange.sendResponseHeaders(r.status(), lengthArgument);
        if (lengthArgument == -1) {
            exchange.close();
            return;
        }
        OutputStream out = exchange.getResponseBody();
        int toSend = r.stallAfterBytes() >= 0 ? Math.min(r.stallAfterBytes(), r.body().length) : r.body().length;
        out.write(r.body(), 0, toSend);
        out.flush();
        if (r.stallAfterBytes() >= 0) {
            waitUntilClosed(Duration.ofMinutes(1));
        }
        // With fewer bytes written than declared, close() throws "insufficient bytes written to stream"; the
        // exception reaches HttpServer, which then drops the connection: the client sees a truncated transfer.
        out.close();
        exchange.close();
    }

    /** @return true if the server was closed while waiting */
    private boolean waitUntilClosed(Duration max) {
        try {
            return closed.await(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Stops the server at once, releasing slow responses. */
    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
