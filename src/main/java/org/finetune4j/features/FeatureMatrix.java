package org.finetune4j.features;

import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Feature rows as one {@code n × d} float32 matrix, row-major, in native memory (an ND4J array outside any
 * workspace): 4 bytes per value, nothing on the Java heap. The features mode keeps its features this way from
 * extraction to the classifier, and {@link LogisticRegression} runs its matrix products on it directly, so 10,000
 * VGG {@code fc2} vectors take 164 MB once (as {@code double[][]} they took 328 MB, plus the garbage collector's
 * headroom, plus the float32 copy the products ran on).
 * <p>Rows are read and written as copies ({@link #row}, {@link #setRow}); reading and writing distinct rows from
 * several threads at once is safe. The memory is freed by {@link #close()}, or when the matrix is garbage
 * collected; a closed matrix must not be used again.
 * <pre>{@code
 * try (FeatureMatrix x = FeatureMatrix.of(rows)) {
 *     LinearModel m = new LogisticRegression(LinearClassifier.Penalty.L2, 1000).fit(x, y, 10, 1.0);
 * }
 * }</pre>
 */
public final class FeatureMatrix implements AutoCloseable {

    /** Rows per parallel block when copying many rows in. */
    private static final int BLOCK_ROWS = 256;
    /** Elements from which copies run in parallel. */
    private static final double PARALLEL = 1e6;

    private final int rows;
    private final int columns;
    private final INDArray array;

    private FeatureMatrix(int rows, int columns) {
        if (rows < 0 || columns < 0) {
            throw new IllegalArgumentException("a matrix of " + rows + " × " + columns);
        }
        this.rows = rows;
        this.columns = columns;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            // every element is written by whoever fills the rows
            this.array = Nd4j.createUninitialized(DataType.FLOAT, rows, columns);
        }
    }

    /**
     * @return an {@code n × d} matrix of zeros, for a caller that fills rows with {@link #setRow} as they come (one
     *         that has a function of the row index uses {@link #of(int, int, IntFunction)}, which writes each value
     *         once)
     */
    public static FeatureMatrix zeros(int n, int d) {
        FeatureMatrix m = new FeatureMatrix(n, d);
        if ((long) n * d > 0) {
            m.array.assign(0);
        }
        return m;
    }

    /**
     * A matrix made row by row: blocks of rows in parallel when it is large.
     *
     * @param n   rows
     * @param d   values per row
     * @param row the values of row {@code i}, {@code d} of them; called once per row, possibly from several threads
     *            at once
     * @throws IllegalArgumentException naming the first row found with another length
     */
    public static FeatureMatrix of(int n, int d, IntFunction<float[]> row) {
        FeatureMatrix m = new FeatureMatrix(n, d);
        try {
            IntStream blocks = IntStream.range(0, (n + BLOCK_ROWS - 1) / BLOCK_ROWS);
            if ((double) n * d >= PARALLEL) {
                blocks = blocks.parallel();
            }
            blocks.forEach(b -> {
                for (int i = b * BLOCK_ROWS; i < Math.min(n, (b + 1) * BLOCK_ROWS); i++) {
                    float[] values = row.apply(i);
                    if (values.length != d) {
                        throw new IllegalArgumentException("row " + i + " has " + values.length + " features; "
                                + (i == 0 ? "expected " : "row 0 has ") + d + ". Every row needs the same number "
                                + "of features");
                    }
                    m.setRow(i, values);
                }
            });
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /**
     * @param rows rows of equal length
     * @return the rows, rounded to float
     * @throws IllegalArgumentException naming the first row whose length differs from row 0's
     */
    public static FeatureMatrix of(double[][] rows) {
        return of(rows.length, rows.length == 0 ? 0 : rows[0].length, i -> rounded(rows[i]));
    }

    /**
     * @param rows rows of equal length
     * @return a copy of the rows
     * @throws IllegalArgumentException naming the first row whose length differs from row 0's
     */
    public static FeatureMatrix of(float[][] rows) {
        return of(rows.length, rows.length == 0 ? 0 : rows[0].length, i -> rows[i]);
    }

    /** @return the values rounded to float */
    static float[] rounded(double[] values) {
        float[] out = new float[values.length];
        for (int j = 0; j < values.length; j++) {
            out[j] = (float) values[j];
        }
        return out;
    }

    /** @return the number of rows */
    public int rows() {
        return rows;
    }

    /** @return the number of values per row */
    public int columns() {
        return columns;
    }

    /** @return a copy of row {@code i} */
    public float[] row(int i) {
        return row(i, new float[columns]);
    }

    /**
     * @param into at least {@link #columns()} long
     * @return {@code into}, holding row {@code i}
     */
    public float[] row(int i, float[] into) {
        check(i);
        if (columns > 0) {
            new FloatPointer(array.data().addressPointer()).position((long) i * columns).get(into, 0, columns);
        }
        return into;
    }

    /** Copies {@code values} (exactly {@link #columns()} long) into row {@code i}. */
    public void setRow(int i, float[] values) {
        check(i);
        if (values.length != columns) {
            throw new IllegalArgumentException(values.length + " values for a row of " + columns);
        }
        if (columns > 0) {
            new FloatPointer(array.data().addressPointer()).position((long) i * columns).put(values, 0, columns);
        }
    }

    /** @return a new matrix of the given rows, in that order */
    public FeatureMatrix select(int[] indices) {
        return of(indices.length, columns, i -> row(indices[i]));
    }

    /** @return the rows as double precision arrays on the heap (for small matrices and tests) */
    public double[][] toDoubleRows() {
        double[][] out = new double[rows][columns];
        float[] buffer = new float[columns];
        for (int i = 0; i < rows; i++) {
            row(i, buffer);
            for (int j = 0; j < columns; j++) {
                out[i][j] = buffer[j];
            }
        }
        return out;
    }

    /** @return the ND4J array holding the values: {@code rows × columns}, float, row-major; not to be closed */
    INDArray array() {
        return array;
    }

    private void check(int i) {
        if (i < 0 || i >= rows) {
            throw new IndexOutOfBoundsException("row " + i + " of " + rows);
        }
    }

    /** Frees the native memory now rather than when the matrix is collected. */
    @Override
    public void close() {
        if (!array.wasClosed()) {
            array.close();
        }
    }
}
