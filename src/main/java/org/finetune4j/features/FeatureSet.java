package org.finetune4j.features;

import java.util.ArrayList;
import java.util.List;

/**
 * Feature vectors of one split, one row per view of an image: the centre view, and for training images optionally
 * augmented views. Rows of the same image share a group, so cross-validation keeps them in the same fold. The rows
 * are one float32 {@link FeatureMatrix} in native memory.
 *
 * @param paths     relative path of each row's image
 * @param x         the feature rows
 * @param y         class index of each row
 * @param group     the image each row comes from (index into the split)
 * @param augmented whether each row is an augmented view (false: the centre view)
 */
public record FeatureSet(List<String> paths, FeatureMatrix x, int[] y, int[] group, boolean[] augmented) {

    public FeatureSet {
        int n = x.rows();
        if (paths.size() != n || y.length != n || group.length != n || augmented.length != n) {
            throw new IllegalArgumentException("one path, class, group and flag per row: " + n + " rows, "
                    + paths.size() + " paths, " + y.length + " classes, " + group.length + " groups, "
                    + augmented.length + " flags");
        }
    }

    /** A feature set holding a copy of heap rows. */
    public FeatureSet(List<String> paths, float[][] x, int[] y, int[] group, boolean[] augmented) {
        this(paths, FeatureMatrix.of(x), y, group, augmented);
    }

    /** @return the number of rows */
    public int size() {
        return x.rows();
    }

    /** @return the feature dimension, 0 when empty */
    public int dimension() {
        return x.rows() == 0 ? 0 : x.columns();
    }

    /** @return the rows at {@code indices}, in that order, as a new set (the feature rows copied) */
    public FeatureSet select(int[] indices) {
        List<String> p = new ArrayList<>(indices.length);
        int[] ys = new int[indices.length];
        int[] gs = new int[indices.length];
        boolean[] as = new boolean[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            p.add(paths.get(i));
            ys[k] = y[i];
            gs[k] = group[i];
            as[k] = augmented[i];
        }
        return new FeatureSet(p, x.select(indices), ys, gs, as);
    }

    /** @return only the centre views (the feature rows copied) */
    public FeatureSet centreViews() {
        return select(java.util.stream.IntStream.range(0, augmented.length).filter(i -> !augmented[i]).toArray());
    }
}
