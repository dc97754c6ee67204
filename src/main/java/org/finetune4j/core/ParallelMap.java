package org.finetune4j.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Applies a function to every item on a fixed number of daemon threads and returns the results in input order, so
 * the result never depends on the thread count or on scheduling.
 * <pre>{@code
 * List<ImageInfo> infos = ParallelMap.apply(files, 2, "finetune4j-probe", f -> decoder.probe(f, name(f)));
 * }</pre>
 */
public final class ParallelMap {
    private ParallelMap() {
    }

    /**
     * @param threads    worker threads, at least 1
     * @param threadName name of the worker threads (visible in thread dumps)
     * @return {@code fn} of every item, in the items' order
     * @throws RuntimeException the first exception {@code fn} threw (unchecked ones are rethrown as they are)
     */
    public static <T, R> List<R> apply(List<T> items, int threads, String threadName, Function<T, R> fn) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> fn.apply(item)));
            }
            List<R> out = new ArrayList<>(items.size());
            for (Future<R> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(threadName + ": interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(threadName + ": " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
