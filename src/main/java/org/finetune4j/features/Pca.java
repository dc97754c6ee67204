package org.finetune4j.features;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Principal component analysis of centred rows: the eigenvectors of the covariance matrix with the largest
 * eigenvalues. With fewer rows than features it diagonalises the {@code n × n} Gram matrix instead (the "snapshot"
 * method; same components, much cheaper for 4096-dimensional VGG features). Eigen decomposition is LAPACK's
 * symmetric solver through ND4J, in double precision. Each component's sign is fixed (its largest-magnitude entry is
 * positive), so the result is deterministic.
 * <pre>{@code
 * Pca pca = Pca.fit(centred, 64, 0);           // 64 components
 * Pca pca95 = Pca.fit(centred, 0, 0.95);       // as many as explain 95% of the variance
 * }</pre>
 *
 * @param components    {@code [k][d]} unit-length principal directions, by decreasing variance
 * @param variances     the variance along each component
 * @param totalVariance the total variance of the data (sum over all features)
 */
public record Pca(double[][] components, double[] variances, double totalVariance) {

    /**
     * @param centred          rows with zero mean, at least 2
     * @param count            components to keep, or 0
     * @param varianceFraction keep the fewest explaining at least this fraction, or 0; both 0: all non-degenerate
     */
    public static Pca fit(double[][] centred, int count, double varianceFraction) {
        int n = centred.length;
        int d = centred[0].length;
        if (n < 2) {
            throw new IllegalArgumentException("PCA needs at least 2 rows");
        }
        INDArray x = Nd4j.createFromArray(centred).castTo(DataType.DOUBLE);
        boolean snapshot = n < d;
        INDArray m = snapshot ? x.mmul(x.transpose()) : x.transpose().mmul(x);
        m.divi(n - 1);
        INDArray vectors = m.dup('c');
        INDArray values = Eigen.symmetricGeneralizedEigenvalues(vectors, true);   // ascending; vectors in columns
        int size = (int) values.length();
        double total = 0;
        for (int j = 0; j < size; j++) {
            total += Math.max(0, values.getDouble(j));
        }
        double top = Math.max(0, values.getDouble(size - 1));
        int usable = 0;
        for (int j = size - 1; j >= 0 && values.getDouble(j) > 1e-10 * Math.max(top, 1e-300); j--) {
            usable++;
        }
        int keep = usable;
        if (count > 0) {
            keep = Math.min(count, usable);
        } else if (varianceFraction > 0) {
            double sum = 0;
            keep = 0;
            while (keep < usable && sum < varianceFraction * total) {
                sum += values.getDouble(size - 1 - keep);
                keep++;
            }
        }
        keep = Math.max(1, keep);
        double[][] comps = new double[keep][d];
        double[] vars = new double[keep];
        for (int c = 0; c < keep; c++) {
            int col = size - 1 - c;
            double lambda = values.getDouble(col);
            vars[c] = Math.max(0, lambda);
            INDArray v = vectors.getColumn(col).dup();
            double[] dir;
            if (snapshot) {
                // u is an eigenvector of X X^T/(n-1); X^T u / sqrt((n-1) λ) is the unit eigenvector of the covariance
                INDArray w = x.transpose().mmul(v.reshape(n, 1));
                dir = w.reshape(d).toDoubleVector();
            } else {
                dir = v.toDoubleVector();
            }
            double norm = Math.sqrt(LogisticRegression.dot(dir, dir));
            int biggest = 0;
            for (int j = 0; j < d; j++) {
                dir[j] /= norm;
                if (Math.abs(dir[j]) > Math.abs(dir[biggest])) {
                    biggest = j;
                }
            }
            if (dir[biggest] < 0) {
                for (int j = 0; j < d; j++) {
                    dir[j] = -dir[j];
                }
            }
            comps[c] = dir;
        }
        return new Pca(comps, vars, total);
    }

    /** @return the fraction of the total variance the kept components explain */
    public double explainedFraction() {
        double s = 0;
        for (double v : variances) {
            s += v;
        }
        return totalVariance > 0 ? s / totalVariance : 1;
    }
}
