package org.finetune4j.testing;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;
import static org.bytedeco.hdf5.global.hdf5.H5S_SELECT_SET;
import static org.bytedeco.hdf5.global.hdf5.H5T_CSET_ASCII;
import static org.bytedeco.hdf5.global.hdf5.H5T_STR_NULLPAD;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DSetMemXferPropList;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.H5Object;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.finetune4j.model.VggArchitecture;

/**
 * Writes Keras VGG weights files of any size with values that can be recomputed element by element, from Java (the
 * HDF5 C++ API of the {@code org.bytedeco:hdf5} preset DL4J's model import already brings), so a test needs no Python.
 * <pre>{@code
 * KerasVggFiles.Plan plan = KerasVggFiles.plan(VggArchitecture.vgg16(1000));   // 138,357,544 parameters
 * KerasVggFiles.write(tmp.resolve("vgg16.h5"), plan, 7);
 * float w = KerasVggFiles.value(7, plan.layers().get(1), KerasVggFiles.KERNEL, 0);   // block1_conv1's first weight
 * }</pre>
 * The layout is that of Keras's published {@code vgg16_weights_tf_dim_ordering_tf_kernels.h5} (Keras 1
 * {@code save_weights}, TensorFlow dim ordering), as {@code src/test/resources/keras/make_tiny_vgg_fixture.py}
 * writes it with h5py: the root attribute {@code layer_names} (fixed-length, null-padded ASCII strings) lists
 * {@code input_1}, the convolutions and pools, {@code flatten}, {@code fc1}, {@code fc2}, {@code predictions}; each
 * layer has a group with the attribute {@code weight_names} (empty for weightless layers, else
 * {@code <layer>_W_1:0}, {@code <layer>_b_1:0}) and those float32 datasets, contiguous: convolution kernels
 * (kh, kw, in, out), dense kernels (in, out) with fc1's rows in the (h, w, c) order of Keras's flatten, biases (n).
 *
 * <p>Values are uniform in ±{@code sqrt(6 / fan_in)} for kernels (He-uniform: activations keep their scale through
 * the ReLUs, so a run on them is numerically like one on trained weights) and ±0.05 for biases, each a hash of the
 * seed, layer, role and flat index, so any element can be checked without keeping the file's contents.
 */
public final class KerasVggFiles {

    /** Role of a layer's kernel in {@link #value}. */
    public static final int KERNEL = 0;
    /** Role of a layer's bias in {@link #value}. */
    public static final int BIAS = 1;

    /** Values written per HDF5 call: 4 M floats (16 MB), so fc1's 411 MB never sit in memory at once. */
    private static final long CHUNK_VALUES = 1L << 22;

    private KerasVggFiles() {
    }

    /**
     * One layer of the file.
     *
     * @param name   the Keras layer name
     * @param index  its position in {@code layer_names}
     * @param kernel the kernel's Keras shape, or null for a weightless layer
     * @param bias   the bias's shape, or null
     */
    public record Layer(String name, int index, long[] kernel, long[] bias) {
        /** @return whether the layer has weights */
        public boolean hasWeights() {
            return kernel != null;
        }

        /** @return kernel elements plus bias elements (0 for a weightless layer) */
        public long parameters() {
            return hasWeights() ? count(kernel) + count(bias) : 0;
        }

        /** @return the kernel's dataset name, as in the published file */
        public String kernelDataset() {
            return name + "_W_1:0";
        }

        /** @return the bias's dataset name, as in the published file */
        public String biasDataset() {
            return name + "_b_1:0";
        }
    }

    /**
     * The layers of a file.
     *
     * @param layers every layer in {@code layer_names} order, weightless ones included
     */
    public record Plan(List<Layer> layers) {
        /** @return the layer called {@code name} */
        public Layer layer(String name) {
            return layers.stream().filter(l -> l.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no layer " + name));
        }

        /** @return the layers that have weights, in order */
        public List<Layer> weighted() {
            return layers.stream().filter(Layer::hasWeights).toList();
        }

        /** @return the number of parameters in the file */
        public long parameters() {
            return layers.stream().mapToLong(Layer::parameters).sum();
        }
    }

    /** @return the Keras layers of a (not batch-normalised) VGG with its fully connected top */
    public static Plan plan(VggArchitecture a) {
        List<Layer> layers = new ArrayList<>();
        layers.add(new Layer(VggArchitecture.INPUT, 0, null, null));
        long in = a.input().channels();
        for (int b = 0; b < a.convsPerBlock().length; b++) {
            for (int i = 0; i < a.convsPerBlock()[b]; i++) {
                long out = a.channels()[b];
                layers.add(new Layer("block" + (b + 1) + "_conv" + (i + 1), layers.size(),
                        new long[] {3, 3, in, out}, new long[] {out}));
                in = out;
            }
            layers.add(new Layer("block" + (b + 1) + "_pool", layers.size(), null, null));
        }
        layers.add(new Layer("flatten", layers.size(), null, null));
        int reduction = 1 << a.convsPerBlock().length;
        long nIn = (long) (a.input().height() / reduction) * (a.input().width() / reduction) * in;
        for (int f = 0; f < a.fcSizes().length; f++) {
            layers.add(new Layer("fc" + (f + 1), layers.size(), new long[] {nIn, a.fcSizes()[f]},
                    new long[] {a.fcSizes()[f]}));
            nIn = a.fcSizes()[f];
        }
        layers.add(new Layer(VggArchitecture.OUTPUT, layers.size(), new long[] {nIn, a.classes()},
                new long[] {a.classes()}));
        return new Plan(layers);
    }

    /**
     * The value the file holds at a flat (row-major, Keras shape) index of a layer's kernel or bias.
     *
     * @param role {@link #KERNEL} or {@link #BIAS}
     */
    public static float value(long seed, Layer layer, int role, long flatIndex) {
        long h = mix(seed ^ mix(layer.index() * 2L + role + 0x5bd1e995L) ^ mix(flatIndex + 0x27d4eb2fL));
        double u = (h >>> 11) * 0x1.0p-53 * 2 - 1;   // uniform in [-1, 1)
        double scale = role == KERNEL ? Math.sqrt(6.0 / fanIn(layer.kernel())) : 0.05;
        return (float) (u * scale);
    }

    /** Writes the file; HDF5 calls are serialised with DL4J's reader, as the loader does. */
    public static void write(Path file, Plan plan, long seed) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (H5File h5 = new H5File(file.toString(), H5F_ACC_TRUNC)) {
                List<String> names = plan.layers().stream().map(Layer::name).toList();
                try (Group root = h5.openGroup("/")) {
                    writeStrings(root, "layer_names", names);
                }
                for (Layer layer : plan.layers()) {
                    try (Group g = h5.createGroup(layer.name())) {
                        if (!layer.hasWeights()) {
                            writeEmpty(g, "weight_names");
                            continue;
                        }
                        writeStrings(g, "weight_names", List.of(layer.kernelDataset(), layer.biasDataset()));
                        writeFloats(g, layer.kernelDataset(), layer.kernel(), seed, layer, KERNEL);
                        writeFloats(g, layer.biasDataset(), layer.bias(), seed, layer, BIAS);
                    }
                }
            }
        }
    }

    /** A fixed-length string array, as h5py stores {@code np.asarray([b"...", ...])} (numpy {@code S<n>}). */
    private static void writeStrings(H5Object object, String name, List<String> values) {
        int size = values.stream().mapToInt(String::length).max().orElse(1);
        byte[] bytes = new byte[size * values.size()];
        for (int i = 0; i < values.size(); i++) {
            byte[] v = values.get(i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(v, 0, bytes, i * size, v.length);
        }
        try (StrType type = new StrType(PredType.C_S1(), size);
             DataSpace space = new DataSpace(1, new long[] {values.size()});
             BytePointer buffer = new BytePointer(bytes)) {
            type.setStrpad(H5T_STR_NULLPAD);
            type.setCset(H5T_CSET_ASCII);
            try (Attribute a = object.createAttribute(name, type, space)) {
                a.write(type, (Pointer) buffer);   // write(type, void*), not the std::string overload
            }
        }
    }

    /** An empty list, as h5py stores {@code np.asarray([])}: a float64 array of shape (0,). */
    private static void writeEmpty(H5Object object, String name) {
        try (DataSpace space = new DataSpace(1, new long[] {0});
             Attribute a = object.createAttribute(name, PredType.IEEE_F64LE(), space)) {
            // nothing to write: zero elements
        }
    }

    /** A contiguous float32 dataset written in chunks of whole rows (of the first dimension). */
    private static void writeFloats(Group g, String name, long[] shape, long seed, Layer layer, int role) {
        long total = count(shape);
        long rowLength = total / shape[0];
        long rowsPerChunk = Math.max(1, Math.min(shape[0], CHUNK_VALUES / rowLength));
        try (DataSpace fileSpace = new DataSpace(shape.length, shape);
             DataSet data = g.createDataSet(name, PredType.IEEE_F32LE(), fileSpace);
             FloatPointer buffer = new FloatPointer(rowsPerChunk * rowLength)) {
            float[] values = new float[Math.toIntExact(rowsPerChunk * rowLength)];
            for (long row = 0; row < shape[0]; row += rowsPerChunk) {
                long rows = Math.min(rowsPerChunk, shape[0] - row);
                int n = Math.toIntExact(rows * rowLength);
                long first = row * rowLength;
                for (int i = 0; i < n; i++) {
                    values[i] = value(seed, layer, role, first + i);
                }
                buffer.position(0).put(values, 0, n);
                long[] start = new long[shape.length];
                long[] count = shape.clone();
                start[0] = row;
                count[0] = rows;
                fileSpace.selectHyperslab(H5S_SELECT_SET, count, start);
                try (DataSpace memory = new DataSpace(1, new long[] {n})) {
                    data.write(buffer.position(0), PredType.NATIVE_FLOAT(), memory, fileSpace,
                            DSetMemXferPropList.DEFAULT());
                }
            }
        }
    }

    private static long fanIn(long[] kernel) {
        return count(kernel) / kernel[kernel.length - 1];
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
