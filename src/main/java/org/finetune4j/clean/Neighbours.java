package org.finetune4j.clean;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.finetune4j.core.Progress;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact similarity search over unit-length rows by blocked matrix products: a block of rows times all rows (one
 * float32 gemm through ND4J), then a scan of that block of similarities for each row's {@code k} nearest neighbours
 * and for every pair above a threshold. Memory stays at one block ({@value #BLOCK_VALUES} similarities); time grows
 * with the square of the number of rows — fine to about 100,000 images on a few cores (10^10 similarities), beyond
 * which an approximate index (HNSW, or an inverted-file index with product quantization) is the tool.
 * <pre>{@code
 * Neighbours nb = Neighbours.search(unitRows, 5, 0.95, false);
 * int nearest = nb.nearest()[i][0];
 * }</pre>
 *
 * @param nearest     {@code [n][k]} each row's nearest other rows, most similar first
 * @param similarity  {@code [n][k]} their cosine similarities
 * @param pairs       the pairs {@code (a < b)} with similarity at least the threshold, by {@code a} then {@code b}
 */
public record Neighbours(int[][] nearest, double[][] similarity, List<Pair> pairs) {

    /** Similarities computed per block, at most. */
    static final int BLOCK_VALUES = 1 << 22;

    /**
     * Two similar rows.
     *
     * @param a          the first row
     * @param b          the second row, after {@code a}
     * @param similarity their cosine similarity
     */
    public record Pair(int a, int b, double similarity) {
    }

    /**
     * @param unit      unit-length rows, at least 2
     * @param k         neighbours per row, at least 1 (fewer when there are fewer other rows)
     * @param threshold pairs at least this similar are listed
     * @param progress  show progress on stderr
     */
    public static Neighbours search(double[][] unit, int k, double threshold, boolean progress) {
        int n = unit.length;
        int kk = Math.min(k, n - 1);
        INDArray all = Nd4j.createFromArray(unit).castTo(DataType.FLOAT);
        INDArray allT = all.transpose().dup('c');
        int block = Math.max(1, Math.min(n, BLOCK_VALUES / Math.max(1, n)));
        int[][] nearest = new int[n][kk];
        double[][] sims = new double[n][kk];
        List<Pair> pairs = new ArrayList<>();
        try (Progress bar = Progress.start("similarities", n, " img", progress)) {
            for (int from = 0; from < n; from += block) {
                int to = Math.min(n, from + block);
                float[][] s = all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()).mmul(allT).toFloatMatrix();
                for (int r = 0; r < s.length; r++) {
                    int i = from + r;
                    top(s[r], i, nearest[i], sims[i]);
                    for (int j = i + 1; j < n; j++) {
                        if (s[r][j] >= threshold) {
                            pairs.add(new Pair(i, j, s[r][j]));
                        }
                    }
                }
                bar.stepTo(to);
            }
        }
        return new Neighbours(nearest, sims, List.copyOf(pairs));
    }

    /** Fills the {@code idx.length} largest similarities of a row but the row itself; ties to the lower index. */
    private static void top(float[] row, int self, int[] idx, double[] val) {
        int k = idx.length;
        Arrays.fill(idx, -1);
        Arrays.fill(val, Double.NEGATIVE_INFINITY);
        for (int j = 0; j < row.length; j++) {
            if (j == self || row[j] <= val[k - 1] && idx[k - 1] >= 0) {
                continue;
            }
            int p = k - 1;
            while (p > 0 && (idx[p - 1] < 0 || row[j] > val[p - 1])) {
                idx[p] = idx[p - 1];
                val[p] = val[p - 1];
                p--;
            }
            idx[p] = j;
            val[p] = row[j];
        }
    }
}
