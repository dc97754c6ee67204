package org.finetune4j.bench;

import org.finetune4j.features.FeatureMatrix;

/**
 * Deterministic, learnable stand-ins for cached {@code fc2} features, generated the same way, bit for bit, by
 * {@code src/test/python/torch_reference.py} ({@code synthetic_features}), so that both sides of the logistic
 * regression item fit the same data without a 160 MB file between them. Row {@code i} has class {@code i % classes};
 * feature {@code j} is {@code max(0, mean[class][j] + noise[i][j])} with {@code mean} uniform of standard deviation
 * 1 and {@code noise} uniform of standard deviation 2 (like ReLU'd activations: many zeros), rounded to float.
 * Every uniform is the SplitMix64 finaliser of {@code seed + (key + 1) * 0x9E3779B97F4A7C15}, top 53 bits: key
 * {@code c * d + j} for the means, {@code classes * d + i * d + j} for the noise.
 */
final class SyntheticFeatures {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /**
     * @param x features, {@code n × d}, in the float32 matrix the features mode holds them in
     * @param y classes, {@code i % classes}
     */
    record Data(FeatureMatrix x, int[] y) {
    }

    private SyntheticFeatures() {
    }

    static Data generate(int n, int d, int classes, long seed) {
        double root3 = Math.sqrt(3.0);
        double[][] means = new double[classes][d];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < d; j++) {
                means[c][j] = root3 * (2 * uniform(seed, (long) c * d + j) - 1);
            }
        }
        FeatureMatrix x = FeatureMatrix.zeros(n, d);
        int[] y = new int[n];
        float[] row = new float[d];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            long base = (long) classes * d + (long) i * d;
            for (int j = 0; j < d; j++) {
                double noise = 2 * root3 * (2 * uniform(seed, base + j) - 1);
                row[j] = (float) Math.max(0, means[y[i]][j] + noise);
            }
            x.setRow(i, row);
        }
        return new Data(x, y);
    }

    /** @return a uniform number in [0, 1) for a key: SplitMix64's finaliser, top 53 bits */
    static double uniform(long seed, long key) {
        long z = seed + (key + 1) * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
