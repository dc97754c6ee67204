package org.finetune4j.features;

import java.util.SplittableRandom;

/** Synthetic feature sets with a known structure, for testing the classifiers (not the network). */
final class Synthetic {
    private Synthetic() {
    }

    /**
     * Gaussian classes: class k has mean {@code separation * e_k} on the first {@code classes} coordinates; the other
     * coordinates are pure noise. Rows alternate classes.
     */
    static double[][] blobs(int n, int classes, int dims, double separation, double noise, long seed, int[] labels) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[n][dims];
        for (int i = 0; i < n; i++) {
            int k = i % classes;
            labels[i] = k;
            for (int j = 0; j < dims; j++) {
                x[i][j] = noise * gaussian(rng) + (j == k ? separation : 0);
            }
        }
        return x;
    }

    static double gaussian(SplittableRandom rng) {
        double u = Math.max(1e-300, rng.nextDouble());
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    static FeatureSet set(double[][] x, int[] y) {
        float[][] f = new float[x.length][];
        int[] g = new int[x.length];
        java.util.List<String> paths = new java.util.ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            f[i] = new float[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                f[i][j] = (float) x[i][j];
            }
            g[i] = i;
            paths.add("row" + i);
        }
        return new FeatureSet(paths, f, y.clone(), g, new boolean[x.length]);
    }
}
