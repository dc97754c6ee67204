package org.finetune4j.features;

import java.util.Arrays;

/**
 * Fitted feature preprocessing, an affine map {@code z = M x + offset}: standardization ({@code (x - mean) / std}),
 * then optionally projection on principal components, then optionally whitening (each component divided by its
 * standard deviation). Fitted on training rows only. Because it is affine it folds into a linear head:
 * {@code W z + b = (W M) x + (W offset + b)}, which is how the bundle holds it.
 * <pre>{@code
 * FeatureTransform t = FeatureTransform.fit(trainRows, ScalingConfig.of(true, "0.95", false));
 * double[][] z = t.apply(rows);
 * }</pre>
 *
 * @param diagonal {@code [in]}: the map is {@code z_j = diagonal[j] x_j + offset[j]} when {@code matrix} is null
 * @param matrix   {@code [out][in]}, or null for a diagonal map
 * @param offset   {@code [out]}
 * @param pca      the principal components when a PCA was fitted, else null (for reports)
 */
public record FeatureTransform(double[] diagonal, double[][] matrix, double[] offset, Pca pca) {

    /** Whitening adds this fraction of the largest component variance, so near-zero directions do not explode. */
    private static final double WHITEN_EPSILON = 1e-5;

    /** @return the identity on {@code d} features */
    public static FeatureTransform identity(int d) {
        double[] diag = new double[d];
        Arrays.fill(diag, 1);
        return new FeatureTransform(diag, null, new double[d], null);
    }

    /**
     * @param rows training rows (at least 2 when a PCA is asked for)
     * @param cfg  what to fit
     */
    public static FeatureTransform fit(double[][] rows, ScalingConfig cfg) {
        return fit(rows.length, rows[0].length, (i, into) -> rows[i], cfg);
    }

    /**
     * The same fit on float rows (read as double, so the result equals the fit on the same values as
     * {@code double[][]}).
     *
     * @param rows training rows (at least 1; at least 2 when a PCA is asked for)
     * @param cfg  what to fit
     */
    public static FeatureTransform fit(FeatureMatrix rows, ScalingConfig cfg) {
        return fit(rows, null, cfg);
    }

    /**
     * The fit on some rows of a matrix, without copying them.
     *
     * @param x       the matrix
     * @param indices the training rows of {@code x}, or null for all
     * @param cfg     what to fit
     */
    public static FeatureTransform fit(FeatureMatrix x, int[] indices, ScalingConfig cfg) {
        float[] buffer = new float[x.columns()];
        int n = indices == null ? x.rows() : indices.length;
        return fit(n, x.columns(), (i, into) -> widen(x.row(indices == null ? i : indices[i], buffer), into), cfg);
    }

    /** Row {@code i}, either the caller's own array or written into {@code into} ({@code d} long). */
    private interface RowReader {
        double[] row(int i, double[] into);
    }

    private static double[] widen(float[] from, double[] into) {
        for (int j = 0; j < into.length; j++) {
            into[j] = from[j];
        }
        return into;
    }

    private static FeatureTransform fit(int n, int d, RowReader rows, ScalingConfig cfg) {
        if (!cfg.standardize() && !cfg.hasPca()) {
            return identity(d);
        }
        double[] buffer = new double[d];
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            double[] r = rows.row(i, buffer);
            for (int j = 0; j < d; j++) {
                mean[j] += r[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[] scale = new double[d];
        Arrays.fill(scale, 1);
        if (cfg.standardize()) {
            double[] sq = new double[d];
            for (int i = 0; i < n; i++) {
                double[] r = rows.row(i, buffer);
                for (int j = 0; j < d; j++) {
                    sq[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
                }
            }
            for (int j = 0; j < d; j++) {
                double std = Math.sqrt(sq[j] / Math.max(1, n - 1));
                scale[j] = std > 1e-12 ? std : 1;   // a constant feature stays at zero after centring
            }
        }
        if (!cfg.hasPca()) {
            double[] diag = new double[d];
            double[] off = new double[d];
            for (int j = 0; j < d; j++) {
                diag[j] = 1 / scale[j];
                off[j] = -mean[j] / scale[j];
            }
            return new FeatureTransform(diag, null, off, null);
        }
        double[][] u = new double[n][d];
        for (int i = 0; i < n; i++) {
            double[] r = rows.row(i, buffer);
            for (int j = 0; j < d; j++) {
                u[i][j] = (r[j] - mean[j]) / scale[j];
            }
        }
        Pca pca = Pca.fit(u, cfg.pcaComponents(), cfg.pcaVarianceFraction());
        int k = pca.components().length;
        double eps = WHITEN_EPSILON * pca.variances()[0];
        double[][] m = new double[k][d];
        double[] off = new double[k];
        for (int c = 0; c < k; c++) {
            double cs = cfg.whiten() ? 1 / Math.sqrt(pca.variances()[c] + eps) : 1;
            double o = 0;
            for (int j = 0; j < d; j++) {
                m[c][j] = pca.components()[c][j] * cs / scale[j];
                o -= m[c][j] * mean[j];
            }
            off[c] = o;
        }
        return new FeatureTransform(null, m, off, pca);
    }

    /** @return the number of output features */
    public int outputs() {
        return offset.length;
    }

    /** @return the transformed row */
    public double[] apply(double[] x) {
        double[] z = offset.clone();
        if (matrix == null) {
            for (int j = 0; j < z.length; j++) {
                z[j] += diagonal[j] * x[j];
            }
            return z;
        }
        for (int c = 0; c < z.length; c++) {
            double[] mc = matrix[c];
            double v = 0;
            for (int j = 0; j < mc.length; j++) {
                v += mc[j] * x[j];
            }
            z[c] += v;
        }
        return z;
    }

    /** @return the transformed row, in double precision */
    public double[] apply(float[] x) {
        return apply(widen(x, new double[x.length]));
    }

    /** @return whether the map is the identity (it then changes nothing) */
    public boolean isIdentity() {
        if (matrix != null) {
            return false;
        }
        for (int j = 0; j < offset.length; j++) {
            if (diagonal[j] != 1 || offset[j] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return every row transformed (in double, then rounded to float), as a new matrix; blocks of rows in
     *         parallel. The result equals {@code FeatureMatrix.of(apply(x.toDoubleRows()))} without the double
     *         copies.
     */
    public FeatureMatrix apply(FeatureMatrix x) {
        return apply(x, null);
    }

    /**
     * @param indices the rows of {@code x} to transform, in this order, or null for all
     * @return those rows transformed, as a new matrix (see {@link #apply(FeatureMatrix)})
     */
    public FeatureMatrix apply(FeatureMatrix x, int[] indices) {
        return FeatureMatrix.of(indices == null ? x.rows() : indices.length, outputs(),
                i -> FeatureMatrix.rounded(apply(x.row(indices == null ? i : indices[i]))));
    }

    /** @return every row transformed */
    public double[][] apply(double[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = apply(rows[i]);
        }
        return out;
    }

    /**
     * @param model a linear model on the transformed features
     * @return the same classifier on the raw features: weights {@code W M}, bias {@code W offset + b}
     */
    public LinearModel fold(LinearModel model) {
        int k = model.classes();
        if (matrix == null) {
            double[][] w = new double[k][];
            double[] b = model.bias().clone();
            for (int c = 0; c < k; c++) {
                w[c] = new double[diagonal.length];
                for (int j = 0; j < diagonal.length; j++) {
                    w[c][j] = model.weights()[c][j] * diagonal[j];
                    b[c] += model.weights()[c][j] * offset[j];
                }
            }
            return new LinearModel(w, b);
        }
        int d = matrix[0].length;
        double[][] w = new double[k][d];
        double[] b = model.bias().clone();
        for (int c = 0; c < k; c++) {
            double[] wc = model.weights()[c];
            for (int o = 0; o < wc.length; o++) {
                double v = wc[o];
                if (v == 0) {
                    continue;
                }
                double[] row = matrix[o];
                for (int j = 0; j < d; j++) {
                    w[c][j] += v * row[j];
                }
                b[c] += v * offset[o];
            }
        }
        return new LinearModel(w, b);
    }
}
