package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ArrayIOTest {

    private static List<INDArray> arrays() {
        return List.of(
                seq(DataType.FLOAT, -3, 0.25, 40).reshape(1, 40),
                // more than one 4 MiB chunk, with a tail that does not fill one
                seq(DataType.FLOAT, 0, 1e-3, 1_500_001).reshape(1, 1_500_001),
                seq(DataType.DOUBLE, 1, 0.5, 24).reshape('f', 2, 3, 4),
                seq(DataType.INT, 1, 1, 12).reshape(3, 4),
                seq(DataType.LONG, -5, 1, 7),
                seq(DataType.HALF, 0, 0.125, 9),
                Nd4j.create(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE}, 4),
                // a view: written as its copy, as Nd4j.write does
                seq(DataType.FLOAT, 1, 1, 30).reshape(5, 6).get(NDArrayIndex.interval(1, 4),
                        NDArrayIndex.interval(2, 5)));
    }

    private static INDArray seq(DataType type, double start, double step, long n) {
        return Nd4j.arange(0, n).castTo(DataType.DOUBLE).muli(step).addi(start).castTo(type);
    }

    private static byte[] nd4jBytes(INDArray a) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Nd4j.write(a, new DataOutputStream(b));
        return b.toByteArray();
    }

    private static byte[] ourBytes(INDArray a) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ArrayIO.write(a, b);
        return b.toByteArray();
    }

    @Test
    void writesTheBytesOfNd4jWrite() throws IOException {
        for (INDArray a : arrays()) {
            assertThat(ourBytes(a)).as("%s %s", a.dataType(), Arrays.toString(a.shape())).isEqualTo(nd4jBytes(a));
        }
    }

    @Test
    void readsWhatNd4jWritesBitForBit() throws IOException {
        for (INDArray a : arrays()) {
            INDArray back = ArrayIO.read(new ByteArrayInputStream(nd4jBytes(a)));
            assertThat(back.shape()).isEqualTo(a.shape());
            assertThat(back.ordering()).isEqualTo(a.isView() ? 'c' : a.ordering());
            assertThat(back.dataType()).isEqualTo(a.dataType());
            // bit for bit (NaN, -0.0 included): what ND4J reads from our bytes is what we read
            assertThat(ourBytes(back)).isEqualTo(nd4jBytes(a));
            assertThat(nd4jBytes(Nd4j.read(new ByteArrayInputStream(ourBytes(a))))).isEqualTo(nd4jBytes(a));
        }
    }

    @Test
    void sameBitsComparesATailExactly() {
        INDArray whole = seq(DataType.FLOAT, 0, 0.1, 3_000_000).reshape(1, 3_000_000);
        INDArray tail = whole.reshape(3_000_000).get(NDArrayIndex.interval(1_000_000, 3_000_000)).dup().reshape(1, 2_000_000);
        assertThat(ArrayIO.sameBits(whole, 1_000_000, tail)).isTrue();
        assertThat(ArrayIO.sameBits(whole, 999_999, tail)).isFalse();
        INDArray changed = tail.dup();
        changed.putScalar(0, 1_999_999, Math.nextUp(changed.getFloat(0, 1_999_999)));   // the last bit of the last value
        assertThat(ArrayIO.sameBits(whole, 1_000_000, changed)).isFalse();
        assertThat(ArrayIO.sameBits(whole, 1_000_000, tail.castTo(DataType.DOUBLE))).isFalse();
        // a slice of a larger buffer is not compared (false, never a wrong true)
        assertThat(ArrayIO.sameBits(whole, 1_000_001, whole.reshape(3_000_000).get(NDArrayIndex.interval(1, 10)))).isFalse();
    }

    @Test
    void refusesATruncatedOrForeignStream() throws IOException {
        byte[] whole = nd4jBytes(seq(DataType.FLOAT, 0, 1, 100).reshape(1, 100));
        assertThatThrownBy(() -> ArrayIO.read(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 3))))
                .isInstanceOf(EOFException.class);
        byte[] foreign = "PK\u0003\u0004 not an array at all".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ArrayIO.read(new ByteArrayInputStream(foreign))).isInstanceOf(IOException.class);
        byte[] utf8 = nd4jBytes(Nd4j.create(new String[] {"a", "b"}));
        assertThatThrownBy(() -> ArrayIO.read(new ByteArrayInputStream(utf8)))
                .isInstanceOf(IOException.class).hasMessageContaining("UTF8");
    }
}
