package org.finetune4j.core;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The only place a seed becomes a random generator: derives stable child seeds from one root seed by name and index.
 *
 * <p>Child seeds mix the root seed with the UTF-8 bytes of the name and the indices through SplitMix64, so they are
 * the same on every JVM and machine and independent of thread scheduling.
 * <pre>{@code
 * Seeds seeds = Seeds.of(12345);
 * SplittableRandom split = seeds.stream("split");
 * SplittableRandom aug = seeds.forSample("augment", epoch, imageIndex);
 * long init = seeds.value("init");
 * }</pre>
 *
 * @param root the root seed the user gave with {@code --seed}
 */
public record Seeds(long root) {

    /** The default root seed when the user gives none. */
    public static final long DEFAULT_SEED = 12345L;

    /** @param root the root seed */
    public static Seeds of(long root) {
        return new Seeds(root);
    }

    /**
     * A stable child seed for a named purpose and optional indices.
     *
     * @param name    what the seed is for, e.g. {@code "split"}
     * @param indices further keys, e.g. epoch and image index
     * @return a 64-bit seed that depends only on the root seed, the name and the indices
     */
    public long value(String name, long... indices) {
        long h = mix(root ^ 0x9E3779B97F4A7C15L);
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ (b & 0xFFL));
        }
        h = mix(h ^ 0xA5A5A5A5L);
        for (long index : indices) {
            h = mix(h ^ index);
        }
        return h;
    }

    /** @return a generator for the named purpose */
    public SplittableRandom stream(String name, long... indices) {
        return new SplittableRandom(value(name, indices));
    }

    /** @return a generator for one sample, e.g. {@code forSample("augment", epoch, imageIndex)} */
    public SplittableRandom forSample(String name, long epoch, long sampleIndex) {
        return stream(name, epoch, sampleIndex);
    }

    /** @return a {@link java.util.Random} for APIs that need one (e.g. {@code Collections.shuffle}) */
    public Random random(String name, long... indices) {
        return new Random(value(name, indices));
    }

    /** @return a child {@code Seeds} rooted at the named child seed */
    public Seeds child(String name, long... indices) {
        return new Seeds(value(name, indices));
    }

    /**
     * Shuffles a list in place (Fisher–Yates) with a {@link SplittableRandom}. Prefer this to
     * {@code Collections.shuffle(list, new Random(seed))}: {@link java.util.Random}'s first outputs are correlated
     * across seeds, which made different classes get the same shuffled positions.
     */
    public static <T> void shuffle(java.util.List<T> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T tmp = list.get(i);
            list.set(i, list.get(j));
            list.set(j, tmp);
        }
    }

    /** Seeds ND4J's global generator (weight init, dropout) from the derived {@code "nd4j"} seed; call once per run. */
    public void applyToNd4j() {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(value("nd4j"));
    }

    /**
     * Seeds ND4J's global generator for one unit of work, e.g. {@code applyToNd4j("batch", epoch, batch)}: dropout
     * masks then depend only on the seed and the position in training, so a run resumed from a checkpoint draws
     * exactly what an uninterrupted run would have.
     */
    public void applyToNd4j(String name, long... indices) {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(value("nd4j-" + name, indices));
    }

    /**
     * Seeds ND4J's global generator with a seed already derived from one of these streams, such as the seed a
     * network's configuration carries (DL4J draws a new network's weights from the generator seeded with it).
     */
    public static void seedNd4j(long derived) {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(derived);
    }

    /** SplitMix64 finaliser (Steele, Lea, Flood 2014). */
    static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
