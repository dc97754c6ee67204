package org.finetune4j.train;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * The mini-batches a training loop runs over: images ({@link ImageBatches}) or the frozen prefix's outputs for them
 * ({@link PrefixBatches}). Every batch is a function of (seed, epoch, batch index), so an epoch can be resumed at any
 * batch.
 */
public interface Batches extends AutoCloseable {

    /** @return the batches of an epoch from {@code fromBatch} on, each prepared while the previous one is in use */
    Iterator<ImageBatches.Batch> epoch(int epoch, int fromBatch);

    /** @return batches per epoch */
    int batchesPerEpoch();

    /** @return the number of images */
    int size();

    @Override
    void close();

    /**
     * @param total     batches in the epoch
     * @param fromBatch the first batch to return
     * @param build     builds batch {@code index}
     * @return the batches from {@code fromBatch} on, each built on another thread while the previous one is in use
     */
    static Iterator<ImageBatches.Batch> prefetching(int total, int fromBatch,
                                                    IntFunction<ImageBatches.Batch> build) {
        return new Iterator<>() {
            private int next = fromBatch;
            private CompletableFuture<ImageBatches.Batch> ahead = next < total ? submit(next) : null;

            private CompletableFuture<ImageBatches.Batch> submit(int index) {
                return CompletableFuture.supplyAsync(() -> build.apply(index));
            }

            @Override
            public boolean hasNext() {
                return ahead != null;
            }

            @Override
            public ImageBatches.Batch next() {
                if (ahead == null) {
                    throw new NoSuchElementException();
                }
                ImageBatches.Batch b = ahead.join();
                next++;
                ahead = next < total ? submit(next) : null;
                return b;
            }
        };
    }
}
