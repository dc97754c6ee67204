package org.finetune4j.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.extract.FeatureExtractor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mini-batches of the frozen prefix's outputs, for the trainable layers ({@link FrozenPrefix#trainable()}).
 *
 * <ul>
 *   <li>{@link #cached}: the outputs were computed once per image and augmented copy and cached on disk; an epoch
 *   reads, for every image, the copy drawn from {@code seeds.stream("augment-copy", epoch, image)} (one copy: always
 *   it). No network work at all.</li>
 *   <li>{@link #perEpoch}: image batches (augmented afresh every epoch) run through the prefix in inference mode,
 *   batch by batch; the prefix keeps no activations for backpropagation.</li>
 * </ul>
 * Either way the epoch's order is the one {@link ImageBatches} gives (seeded by the epoch), and every batch is a
 * function of (seed, epoch, batch index), so a resumed run trains on the same batches.
 */
public final class PrefixBatches implements Batches {

    /** Builds batch {@code index} of {@code epoch}. */
    private interface Builder {
        ImageBatches.Batch build(int epoch, int index);
    }

    private final int size;
    private final int batchesPerEpoch;
    private final Builder builder;
    private final UnaryOperator<ImageBatches.Batch> onUse;
    private final AutoCloseable resource;

    private PrefixBatches(int size, int batchesPerEpoch, Builder builder, UnaryOperator<ImageBatches.Batch> onUse,
                          AutoCloseable resource) {
        this.size = size;
        this.batchesPerEpoch = batchesPerEpoch;
        this.builder = builder;
        this.onUse = onUse;
        this.resource = resource;
    }

    /**
     * Batches read from the cache.
     *
     * @param images     the images, in the order the extraction used
     * @param copies     one cached extraction per copy (the centre view alone for evaluation)
     * @param shape      the shape of one image's output, e.g. {@code [14, 14, 512]}
     * @param numClasses width of the one-hot labels
     * @param batchSize  images per batch
     * @param shuffle    shuffle every epoch (training); false keeps the list order
     */
    public static PrefixBatches cached(List<LabeledImage> images, List<FeatureExtractor.Cached> copies, long[] shape,
                                       int numClasses, int batchSize, boolean shuffle, Seeds seeds) {
        return cached(images, copies, shape, numClasses, batchSize, shuffle ? null
                : epoch -> ImageBatches.order(images.size(), false, seeds, epoch), seeds);
    }

    /**
     * Batches read from the cache in the order an {@link EpochOrder} draws (e.g. the {@link ClassBalancedSampler});
     * a repeated image reads the copy drawn for its repeat's key ({@link EpochOrder#keys}).
     *
     * @param order the images each epoch visits, or null to shuffle every image once per epoch
     */
    public static PrefixBatches cached(List<LabeledImage> images, List<FeatureExtractor.Cached> copies, long[] shape,
                                       int numClasses, int batchSize, EpochOrder order, Seeds seeds) {
        if (copies.isEmpty()) {
            throw new IllegalArgumentException("at least one cached copy is needed");
        }
        int n = images.size();
        EpochOrder epochOrder = order != null ? order : EpochOrder.shuffled(n, seeds);
        Builder b = (epoch, index) -> {
            int[] visits = epochOrder.order(epoch);
            long[] keys = EpochOrder.keys(visits, n);
            List<float[]> rows = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (int k = index * batchSize; k < Math.min(visits.length, (index + 1) * batchSize); k++) {
                int i = visits[k];
                int copy = copies.size() == 1 ? 0
                        : seeds.stream("augment-copy", epoch, keys[k]).nextInt(copies.size());
                FeatureExtractor.Cached c = copies.get(copy);
                if (c.has(i)) {
                    rows.add(c.get(i));
                    labels.add(images.get(i).classIndex());
                }
            }
            if (rows.isEmpty()) {
                return new ImageBatches.Batch(epoch, index, null);
            }
            long[] full = new long[shape.length + 1];
            full[0] = rows.size();
            System.arraycopy(shape, 0, full, 1, shape.length);
            INDArray x = Nd4j.create(rows.toArray(new float[0][])).reshape('c', full);
            return new ImageBatches.Batch(epoch, index, new DataSet(x, oneHot(labels, numClasses)));
        };
        return new PrefixBatches(n, (n + batchSize - 1) / batchSize, b, UnaryOperator.identity(), () -> { });
    }

    /**
     * Image batches run through the frozen prefix, batch by batch.
     *
     * @param images the image batches (they are closed with these)
     * @param prefix the frozen prefix: a cut network whose output is the boundary layer's
     */
    public static PrefixBatches perEpoch(ImageBatches images, FeatureExtractor prefix) {
        // the prefix runs on the training thread, not the prefetching one: two native computations at once would
        // oversubscribe the cores
        UnaryOperator<ImageBatches.Batch> throughPrefix = batch -> {
            if (batch.data() == null) {
                return batch;
            }
            INDArray out = prefix.output(batch.data().getFeatures());
            return new ImageBatches.Batch(batch.epoch(), batch.index(), new DataSet(out, batch.data().getLabels()));
        };
        return new PrefixBatches(images.size(), images.batchesPerEpoch(), images::batch, throughPrefix, images);
    }

    private static INDArray oneHot(List<Integer> labels, int numClasses) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, labels.size(), numClasses);
        for (int r = 0; r < labels.size(); r++) {
            y.putScalar(r, labels.get(r), 1.0);
        }
        return y;
    }

    @Override
    public Iterator<ImageBatches.Batch> epoch(int epoch, int fromBatch) {
        Iterator<ImageBatches.Batch> in = Batches.prefetching(batchesPerEpoch, fromBatch,
                index -> builder.build(epoch, index));
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public ImageBatches.Batch next() {
                return onUse.apply(in.next());
            }
        };
    }

    @Override
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void close() {
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the batches failed", e);
        }
    }
}
