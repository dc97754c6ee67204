package org.finetune4j.features;

import java.util.List;

/**
 * Feature vectors of one split, one row per view of an image: the centre view, and for training images optionally
 * augmented views. Rows of the same image share a group, so cross-validation keeps them in the same fold.
 *
 * @param paths     relative path of each row's image
 * @param x         the feature rows
 * @param y         class index of each row
 * @param group     the image each row comes from (index into the split)
 * @param augmented whether each row is an augmented view (false: the centre view)
 */
public record FeatureSet(List<String> paths, float[][] x, int[] y, int[] group, boolean[] augmented) {

    /** @return the number of rows */
    public int size() {
        return x.length;
    }

    /** @return the feature dimension, 0 when empty */
    public int dimension() {
        return x.length == 0 ? 0 : x[0].length;
    }

    /** @return the rows as double precision */
    public double[][] rows() {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = x[i][j];
            }
        }
        return out;
    }

    /** @return only the centre views */
    public FeatureSet centreViews() {
        int n = 0;
        for (boolean a : augmented) {
            n += a ? 0 : 1;
        }
        List<String> p = new java.util.ArrayList<>(n);
        float[][] xs = new float[n][];
        int[] ys = new int[n];
        int[] gs = new int[n];
        int k = 0;
        for (int i = 0; i < x.length; i++) {
            if (!augmented[i]) {
                p.add(paths.get(i));
                xs[k] = x[i];
                ys[k] = y[i];
                gs[k] = group[i];
                k++;
            }
        }
        return new FeatureSet(p, xs, ys, gs, new boolean[n]);
    }
}
