package org.finetune4j.train;

import org.finetune4j.core.Seeds;

/**
 * Which training images an epoch visits, in which order: indices into the training list, a function of the seed
 * and the epoch only (so any batch can be rebuilt on its own and a resumed run draws what an uninterrupted one
 * would). The default shuffles every image once per epoch; {@link ClassBalancedSampler} draws with replacement.
 * <pre>{@code
 * EpochOrder order = EpochOrder.shuffled(images.size(), seeds);
 * int[] visits = order.order(epoch);
 * }</pre>
 */
@FunctionalInterface
public interface EpochOrder {

    /**
     * @param epoch the epoch, from 0
     * @return the images visited, as indices into the training list; an index may repeat
     */
    int[] order(int epoch);

    /** @return every one of {@code n} images once per epoch, shuffled from {@code seeds.stream("shuffle", epoch)} */
    static EpochOrder shuffled(int n, Seeds seeds) {
        return epoch -> ImageBatches.order(n, true, seeds, epoch);
    }

    /**
     * The augmentation key of each visit: the image's index on its first visit of the epoch, and
     * {@code index + n · r} on its {@code r}-th repeat, so a repeated image gets a fresh augmentation (or cached
     * copy) while an order without repeats keeps the plain indices.
     *
     * @param order an epoch's visits
     * @param n     the number of images
     * @return one key per visit
     */
    static long[] keys(int[] order, int n) {
        int[] seen = new int[n];
        long[] keys = new long[order.length];
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            keys[k] = i + (long) n * seen[i]++;
        }
        return keys;
    }
}
