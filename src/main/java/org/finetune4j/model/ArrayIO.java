package org.finetune4j.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J arrays to and from streams in the byte format of {@code Nd4j.write} / {@code Nd4j.read} (what DL4J's model
 * zips hold in {@code coefficients.bin}), copied in bulk.
 *
 * <p>ND4J writes and reads that format one element at a time through a {@code DataOutputStream}: for VGG16's 138 M
 * parameters that is seconds of CPU per save, on top of the deflating that DL4J's model zips add. This class writes
 * the same bytes (a test compares them with {@code Nd4j.write} byte for byte) four megabytes at a time, converting
 * to the format's big-endian order in bulk, and reads them back the same way. The data types of networks (floating
 * point and integers) are supported; anything else is refused with an {@link IOException}, so callers can fall back
 * to ND4J's own reader.
 * <pre>{@code
 * ArrayIO.write(graph.params(), out);          // same bytes as Nd4j.write(graph.params(), new DataOutputStream(out))
 * INDArray params = ArrayIO.read(in);
 * }</pre>
 */
public final class ArrayIO {

    private static final int CHUNK = 1 << 22;
    private static final Set<DataType> SUPPORTED = Set.of(DataType.FLOAT, DataType.DOUBLE, DataType.HALF,
            DataType.BFLOAT16, DataType.INT, DataType.LONG, DataType.SHORT, DataType.BYTE, DataType.UBYTE);
    /** Rank limit of ND4J (and a bound on the shape header a damaged file could claim). */
    private static final int MAX_RANK = 32;

    private ArrayIO() {
    }

    /**
     * Writes the array (a view is copied first, as {@code Nd4j.write} does). The stream is flushed, not closed.
     *
     * @throws IOException from the stream, or if the array's data type is not one this class handles
     */
    public static void write(INDArray array, OutputStream out) throws IOException {
        INDArray a = array.isView() || array.data().length() != array.length() ? array.dup() : array;
        DataBuffer data = a.data();
        DataType type = data.dataType();
        if (!SUPPORTED.contains(type)) {
            throw new IOException("arrays of type " + type + " are not supported");
        }
        DataOutputStream d = new DataOutputStream(out);
        a.shapeInfoDataBuffer().write(d);
        d.writeUTF(data.allocationMode().name());
        d.writeLong(data.length());
        d.writeUTF(type.name());
        long bytes = data.length() * type.width();
        BytePointer src = new BytePointer(data.addressPointer());
        src.capacity(bytes);
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(bytes, 1))];
        for (long pos = 0; pos < bytes; pos += chunk.length) {
            int n = (int) Math.min(chunk.length, bytes - pos);
            ByteBuffer from = src.position(pos).limit(pos + n).asByteBuffer().order(ByteOrder.nativeOrder());
            ByteBuffer to = ByteBuffer.wrap(chunk, 0, n).order(ByteOrder.BIG_ENDIAN);
            convert(type, from, to);
            d.write(chunk, 0, n);
        }
        d.flush();
    }

    /**
     * Reads an array written by {@link #write} or {@code Nd4j.write}.
     *
     * @throws IOException from the stream, if it ends early, or if its header is not one this class reads (damaged,
     *                     or a data type it does not handle)
     */
    public static INDArray read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        d.readUTF();
        long infoLength = d.readLong();
        String infoType = d.readUTF();
        if (!infoType.equals(DataType.LONG.name()) || infoLength < 4 || infoLength > 2L * MAX_RANK + 4) {
            throw new IOException("not an ND4J array: shape header of type " + infoType + " and length " + infoLength);
        }
        long[] info = new long[(int) infoLength];
        for (int i = 0; i < info.length; i++) {
            info[i] = d.readLong();
        }
        int rank = (int) info[0];
        if (rank < 0 || info.length != 2 * rank + 4) {
            throw new IOException("not an ND4J array: rank " + rank + " in a shape header of length " + info.length);
        }
        long[] shape = Arrays.copyOfRange(info, 1, 1 + rank);
        long[] stride = Arrays.copyOfRange(info, 1 + rank, 1 + 2 * rank);
        char order = (char) info[info.length - 1];
        d.readUTF();
        long length = d.readLong();
        DataType type;
        try {
            type = DataType.valueOf(d.readUTF());
        } catch (IllegalArgumentException e) {
            throw new IOException("an ND4J array of an unknown data type", e);
        }
        if (!SUPPORTED.contains(type) || order != 'c' && order != 'f') {
            throw new IOException("arrays of type " + type + " and order '" + order + "' are not supported");
        }
        INDArray a = Nd4j.createUninitialized(type, shape, order);
        if (a.length() != length || rank > 0 && !Arrays.equals(a.stride(), stride)) {
            throw new IOException("an ND4J array of shape " + Arrays.toString(shape) + " whose data holds " + length
                    + " values, or whose strides " + Arrays.toString(stride) + " are not the standard ones");
        }
        long bytes = length * type.width();
        BytePointer dst = new BytePointer(a.data().addressPointer());
        dst.capacity(bytes);
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(bytes, 1))];
        for (long pos = 0; pos < bytes; pos += chunk.length) {
            int n = (int) Math.min(chunk.length, bytes - pos);
            d.readFully(chunk, 0, n);
            ByteBuffer to = dst.position(pos).limit(pos + n).asByteBuffer().order(ByteOrder.nativeOrder());
            convert(type, ByteBuffer.wrap(chunk, 0, n).order(ByteOrder.BIG_ENDIAN), to);
        }
        return a;
    }

    /** @return whether the two arrays are one memory (the same start address and length), not copies */
    public static boolean sameMemory(INDArray a, INDArray b) {
        return a.data().address() + a.offset() * a.data().getElementSize()
                == b.data().address() + b.offset() * b.data().getElementSize() && a.length() == b.length();
    }

    /**
     * @param part   a graph made of some of {@code source}'s layers (a cut, or the trainable rest)
     * @param source the graph it was made from
     * @return whether every layer of {@code part} that has parameters holds them in {@code source}'s memory (views,
     *         not copies); false for a graph without parameters
     */
    public static boolean sharesParameters(org.deeplearning4j.nn.graph.ComputationGraph part,
                                           org.deeplearning4j.nn.graph.ComputationGraph source) {
        boolean any = false;
        for (org.deeplearning4j.nn.api.Layer l : part.getLayers()) {
            if (l.numParams() == 0) {
                continue;
            }
            any = true;
            if (!sameMemory(l.params(), source.getLayer(l.conf().getLayer().getLayerName()).params())) {
                return false;
            }
        }
        return any;
    }

    /**
     * Whether {@code part} holds bit for bit the values of {@code whole}'s elements from {@code offset} on (in their
     * memory order), compared without copying. False when the types differ or either array is not the whole of its
     * buffer (a slice of a larger one).
     */
    public static boolean sameBits(INDArray whole, long offset, INDArray part) {
        if (whole.offset() != 0 || part.offset() != 0 || whole.dataType() != part.dataType() || offset < 0
                || whole.data().length() != whole.length() || part.data().length() != part.length()
                || offset + part.length() > whole.length()) {
            return false;
        }
        long width = whole.dataType().width();
        long bytes = part.length() * width;
        BytePointer a = new BytePointer(whole.data().addressPointer());
        a.capacity(whole.length() * width);
        BytePointer b = new BytePointer(part.data().addressPointer());
        b.capacity(bytes);
        for (long pos = 0; pos < bytes; pos += CHUNK) {
            long end = Math.min(bytes, pos + CHUNK);
            ByteBuffer x = a.position(offset * width + pos).limit(offset * width + end).asByteBuffer();
            if (x.mismatch(b.position(pos).limit(end).asByteBuffer()) != -1) {
                return false;
            }
        }
        return true;
    }

    private static void convert(DataType type, ByteBuffer from, ByteBuffer to) {
        switch (type.width()) {
            case 8 -> to.asLongBuffer().put(from.asLongBuffer());
            case 4 -> to.asIntBuffer().put(from.asIntBuffer());
            case 2 -> to.asShortBuffer().put(from.asShortBuffer());
            default -> to.put(from);
        }
    }
}
