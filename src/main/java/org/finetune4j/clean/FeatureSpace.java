package org.finetune4j.clean;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.core.Seeds;
import org.finetune4j.features.Pca;

/**
 * The space similarities are measured in: features centred, projected on their leading principal components and
 * scaled to unit length, so a dot product is a cosine similarity. The first two coordinates of the projection are the
 * data map of {@code clean}. The PCA is fitted on at most {@value #FIT_ROWS} rows
 * (a seeded sample beyond that), which keeps it cheap for large folders while every row is projected.
 * <pre>{@code
 * double[][] unit = FeatureSpace.unitRows(features, 64, seeds);
 * }</pre>
 */
public final class FeatureSpace {

    /** Rows the PCA is fitted on at most. */
    static final int FIT_ROWS = 5000;

    private FeatureSpace() {
    }

    /**
     * @param features   the raw feature rows
     * @param components principal components kept, at least 1 (fewer when the data has fewer dimensions)
     * @param seeds      the run's seeds (the fitting sample, only for more than {@value #FIT_ROWS} rows)
     * @return one unit-length row per feature row (a zero row stays zero)
     */
    public static double[][] unitRows(float[][] features, int components, Seeds seeds) {
        return unit(projection(features, components, seeds));
    }

    /**
     * @param rows projected rows (not modified)
     * @return each row scaled to unit length (a zero row stays zero)
     */
    public static double[][] unit(double[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double norm = 0;
            for (double v : rows[i]) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            out[i] = rows[i].clone();
            if (norm > 0) {
                for (int c = 0; c < out[i].length; c++) {
                    out[i][c] /= norm;
                }
            }
        }
        return out;
    }

    /**
     * @param features   the raw feature rows
     * @param components principal components kept, at least 1 (fewer when the data has fewer dimensions)
     * @param seeds      the run's seeds (the fitting sample, only for more than {@value #FIT_ROWS} rows)
     * @return the centred rows' coordinates on the components, by decreasing variance
     */
    public static double[][] projection(float[][] features, int components, Seeds seeds) {
        int n = features.length;
        int d = features[0].length;
        double[] mean = new double[d];
        for (float[] r : features) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        List<Integer> fit = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fit.add(i);
        }
        if (n > FIT_ROWS) {
            Seeds.shuffle(fit, seeds.stream("feature-space-pca"));
            fit = new ArrayList<>(fit.subList(0, FIT_ROWS));
            fit.sort(null);
        }
        double[][] centred = new double[fit.size()][d];
        for (int r = 0; r < fit.size(); r++) {
            float[] row = features[fit.get(r)];
            for (int j = 0; j < d; j++) {
                centred[r][j] = row[j] - mean[j];
            }
        }
        double[][] comps = n >= 2 ? Pca.fit(centred, Math.min(components, Math.min(d, fit.size())), 0)
                .components() : identity(d);
        int k = comps.length;
        double[][] out = new double[n][k];
        for (int i = 0; i < n; i++) {
            float[] row = features[i];
            for (int c = 0; c < k; c++) {
                double[] v = comps[c];
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += v[j] * (row[j] - mean[j]);
                }
                out[i][c] = s;
            }
        }
        return out;
    }

    private static double[][] identity(int d) {
        double[][] m = new double[d][d];
        for (int j = 0; j < d; j++) {
            m[j][j] = 1;
        }
        return m;
    }
}
