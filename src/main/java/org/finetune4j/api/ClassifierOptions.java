package org.finetune4j.api;

/**
 * How an {@link ImageClassifier} runs.
 *
 * @param topK      labels per image, at least 1 (capped at the number of classes); default 5
 * @param copies    copies of the network that answer concurrent calls, at least 1; default 1. A DL4J network is not
 *                  safe for concurrent forward passes, so each call borrows a copy; more copies let more calls run
 *                  their forward pass at once, at the memory of one network each (about 530 MB for VGG16). On a
 *                  CPU one forward pass already uses every core, so one copy serves many threads best: see
 *                  {@code docs/serving.md} for the measurement.
 * @param batchSize images per forward pass when a batch is classified, at least 1; default 16
 * @param maxPixels largest accepted width × height, refused from the header before decoding; default 89,478,485
 *                  (Pillow's decompression-bomb threshold)
 */
public record ClassifierOptions(int topK, int copies, int batchSize, long maxPixels) {

    /** Default {@link #maxPixels()}. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    /** @throws IllegalArgumentException for a value out of range, naming it */
    public ClassifierOptions {
        requireAtLeast("topK", topK, 1);
        requireAtLeast("copies", copies, 1);
        requireAtLeast("batchSize", batchSize, 1);
        requireAtLeast("maxPixels", maxPixels, 1);
    }

    private static void requireAtLeast(String what, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(what + " " + value + ": expected at least " + min + ".");
        }
    }

    /** @return top 5, one copy, batches of 16, Pillow's pixel limit */
    public static ClassifierOptions defaults() {
        return new ClassifierOptions(5, 1, 16, DEFAULT_MAX_PIXELS);
    }

    /** @return these options with another top-k */
    public ClassifierOptions withTopK(int k) {
        return new ClassifierOptions(k, copies, batchSize, maxPixels);
    }

    /** @return these options with another number of network copies */
    public ClassifierOptions withCopies(int n) {
        return new ClassifierOptions(topK, n, batchSize, maxPixels);
    }

    /** @return these options with another batch size */
    public ClassifierOptions withBatchSize(int n) {
        return new ClassifierOptions(topK, copies, n, maxPixels);
    }

    /** @return these options with another pixel limit */
    public ClassifierOptions withMaxPixels(long pixels) {
        return new ClassifierOptions(topK, copies, batchSize, pixels);
    }
}
