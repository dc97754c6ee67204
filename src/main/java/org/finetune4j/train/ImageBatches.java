package org.finetune4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.BadImage;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.BadImageLog;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.model.Preprocessing;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mini-batches of images for training and evaluation: decode, augment (training) or resize and centre-crop
 * (evaluation), preprocess, one-hot labels. Decoding runs on a small thread pool and the next batch is prepared
 * while the network works on the current one.
 *
 * <p>Everything is a function of (seed, epoch, batch index): the order of an epoch comes from a generator derived
 * from the seed and the epoch, and each image's augmentation from the seed, the epoch and the image's index. So any
 * batch can be rebuilt on its own — which is what makes a resumed run equal an uninterrupted one — and the number of
 * decoding threads does not change the result. Files that fail to decode are logged in the {@link BadImageLog} and
 * left out of their batch.
 * <pre>{@code
 * ImageBatches train = new ImageBatches(split.train(), classes, pre, decoder, augmentation, 32, true, seeds, 2, log);
 * for (var it = train.epoch(epoch, 0); it.hasNext(); ) { ImageBatches.Batch b = it.next(); graph.fit(b.data()); }
 * }</pre>
 */
public final class ImageBatches implements Batches {

    /**
     * One mini-batch.
     *
     * @param epoch the epoch it belongs to
     * @param index its index within the epoch
     * @param data  features {@code [n, h, w, c]} and one-hot labels {@code [n, classes]}; null when every file of
     *              the batch was bad
     */
    public record Batch(int epoch, int index, DataSet data) {
        /** @return images in the batch */
        public int size() {
            return data == null ? 0 : (int) data.getFeatures().size(0);
        }
    }

    private final List<LabeledImage> images;
    private final int numClasses;
    private final Preprocessing preprocessing;
    private final ImageDecoder decoder;
    private final Augmentation augmentation;
    private final int batchSize;
    private final boolean shuffle;
    private final Seeds seeds;
    private final BadImageLog badImages;
    private final ExecutorService pool;
    private final EpochOrder epochOrder;

    /**
     * @param images       the images, in a fixed order (their index is their identity for augmentation)
     * @param numClasses   width of the one-hot labels
     * @param augmentation training-time augmentation, or null for evaluation geometry ({@link Preprocessing#fit})
     * @param batchSize    images per batch, at least 1
     * @param shuffle      shuffle the order every epoch (training); false keeps the list order (evaluation)
     * @param threads      decoding threads, at least 1
     */
    public ImageBatches(List<LabeledImage> images, int numClasses, Preprocessing preprocessing, ImageDecoder decoder,
                        Augmentation augmentation, int batchSize, boolean shuffle, Seeds seeds, int threads,
                        BadImageLog badImages) {
        this(images, numClasses, preprocessing, decoder, augmentation, batchSize, shuffle ? null
                : epoch -> order(images.size(), false, seeds, epoch), seeds, threads, badImages);
    }

    /**
     * Training batches in the order an {@link EpochOrder} draws (e.g. the {@link ClassBalancedSampler}).
     *
     * @param order the images each epoch visits, or null to shuffle every image once per epoch
     */
    public ImageBatches(List<LabeledImage> images, int numClasses, Preprocessing preprocessing, ImageDecoder decoder,
                        Augmentation augmentation, int batchSize, EpochOrder order, Seeds seeds, int threads,
                        BadImageLog badImages) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1");
        }
        this.images = List.copyOf(images);
        this.numClasses = numClasses;
        this.preprocessing = preprocessing;
        this.decoder = decoder;
        this.augmentation = augmentation;
        this.batchSize = batchSize;
        this.shuffle = order == null;
        this.epochOrder = order != null ? order : EpochOrder.shuffled(images.size(), seeds);
        this.seeds = seeds;
        this.badImages = badImages;
        this.pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "finetune4j-decode");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public int batchesPerEpoch() {
        return (images.size() + batchSize - 1) / batchSize;
    }

    /** @return the images an epoch visits, in order (indices into the list) */
    public int[] order(int epoch) {
        return epochOrder.order(epoch);
    }

    /**
     * @return the order of {@code n} images (indices into their list) in an epoch: shuffled from the seed and the
     *         epoch, or the list order
     */
    static int[] order(int n, boolean shuffle, Seeds seeds, int epoch) {
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        if (shuffle) {
            Seeds.shuffle(order, seeds.stream("shuffle", epoch));
        }
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Builds one batch now, decoding its images in parallel. */
    public Batch batch(int epoch, int index) {
        int[] order = order(epoch);
        long[] keys = EpochOrder.keys(order, images.size());
        int from = index * batchSize;
        int to = Math.min(order.length, from + batchSize);
        List<CompletableFuture<Mat>> futures = new ArrayList<>();
        for (int k = from; k < to; k++) {
            int imageIndex = order[k];
            long key = keys[k];
            futures.add(CompletableFuture.supplyAsync(() -> prepare(epoch, imageIndex, key), pool));
        }
        List<Mat> mats = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int k = from; k < to; k++) {
            Mat m = futures.get(k - from).join();
            if (m != null) {
                mats.add(m);
                labels.add(images.get(order[k]).classIndex());
            }
        }
        if (mats.isEmpty()) {
            return new Batch(epoch, index, null);
        }
        INDArray x = preprocessing.toInput(mats);
        mats.forEach(Mat::close);
        INDArray y = Nd4j.zeros(DataType.FLOAT, labels.size(), numClasses);
        for (int r = 0; r < labels.size(); r++) {
            y.putScalar(r, labels.get(r), 1.0);
        }
        return new Batch(epoch, index, new DataSet(x, y));
    }

    /** @param key the visit's augmentation key: the image's index, or beyond the list on a repeat visit */
    private Mat prepare(int epoch, int imageIndex, long key) {
        LabeledImage im = images.get(imageIndex);
        try (Mat decoded = decoder.decode(im.file(), im.relativePath())) {
            return augmentation == null ? preprocessing.fit(decoded)
                    : augmentation.apply(decoded, epoch, key);
        } catch (BadImageException e) {
            badImages.add(new BadImage(im.relativePath(), e.reason()));
            return null;
        }
    }

    @Override
    public java.util.Iterator<Batch> epoch(int epoch, int fromBatch) {
        return Batches.prefetching(batchesPerEpoch(), fromBatch, index -> batch(epoch, index));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
