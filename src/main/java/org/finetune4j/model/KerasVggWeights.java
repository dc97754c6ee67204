package org.finetune4j.model;

import static org.bytedeco.hdf5.global.hdf5.H5T_FLOAT;
import static org.bytedeco.hdf5.global.hdf5.H5T_STRING;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5Object;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.finetune4j.core.UsageException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loads Keras VGG weights — the HDF5 files of {@code keras.applications} such as
 * {@code vgg16_weights_tf_dim_ordering_tf_kernels.h5} and its {@code _notop} variant — into the NHWC
 * {@link ComputationGraph} that {@link VggArchitecture} builds.
 * <pre>{@code
 * Path h5 = WeightsCache.defaults().fetch(WeightsSource.kerasVgg16(true), DownloadListener.NONE);
 * ComputationGraph vgg16 = KerasVggWeights.load(h5, VggArchitecture.vgg16(1000), seed);
 * INDArray probabilities = vgg16.outputSingle(bgrMinusMean);   // [N, 224, 224, 3], see below
 * }</pre>
 *
 * <p><b>Input.</b> The loaded network expects what DL4J's zoo VGG16 expects, laid out NHWC ({@link Layout}):
 * channels in <b>BGR</b> order,
 * pixel values on the 0–255 scale minus the ImageNet means {@code [103.939, 116.779, 123.68]} (B, G, R), no
 * scaling — Keras's {@code vgg16.preprocess_input}, i.e. {@code imagenet_utils.preprocess_input(mode="caffe")}
 * (RGB → BGR, then mean subtraction), and {@code Preprocessing}'s {@code VggMeanBgr} normalisation with channel
 * order {@code BGR}.
 *
 * <p><b>File layout</b> (Keras {@code save_weights}; the same reader as Keras's
 * {@code load_weights_from_hdf5_group}): the root attribute {@code layer_names} lists the layers; each layer's group
 * has the attribute {@code weight_names}, naming its datasets in order kernel, bias — {@code block1_conv1_W_1:0},
 * {@code block1_conv1_b_1:0} in the published Keras 1-era files, {@code block1_conv1/kernel:0}, {@code …/bias:0} in
 * Keras 2 files. Whole-model files ({@code model.save}, weights under the group {@code model_weights}) are not read.
 *
 * <p><b>Conversion</b> (the same as DL4J's {@code KerasConvolution} for TensorFlow dim ordering):
 * <ul>
 *   <li>convolution kernels (kh, kw, in, out) → DL4J's (out, in, kh, kw) by a permutation only. Keras with the
 *       TensorFlow backend computes {@code tf.nn.conv2d}, a cross-correlation like DL4J's convolution, and the
 *       {@code _tf_kernels} files hold TensorFlow kernels, so no 180° flip (only Theano-ordered files need one);</li>
 *   <li>dense kernels (in, out) are DL4J's {@code W} as they are, fc1's too: Keras flattens the last pooling
 *       output in (h, w, c) order, as does the NHWC network's {@code flatten}; biases are copied.</li>
 * </ul>
 * Every layer the architecture has is checked against the file (present, kernel and bias shapes); a file without
 * the fully connected layers ({@code _notop}) loads the convolutions only and leaves {@code fc1}, {@code fc2} and
 * {@code predictions} as initialised.
 */
public final class KerasVggWeights {

    /** The first 8 bytes of every HDF5 file ("\211HDF\r\n\032\n"). */
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private KerasVggWeights() {
    }

    /** One layer's expected Keras shapes. */
    private record Expected(long[] kernel, long[] bias, boolean convolution) {
    }

    /**
     * Builds the architecture's network ({@code seed} initialises what the file does not cover) and loads the
     * file's weights into it.
     *
     * @param file         a Keras weights file matching the architecture (with or without the fully connected top)
     * @param architecture the network; not batch-normalised, as Keras's VGGs are not
     * @param seed         initialisation of layers the file has no weights for
     * @return the network with the file's weights
     * @throws UsageException naming the file (and layer) if it is missing, not a Keras weights file, or its layers or
     *                        shapes do not match the architecture
     */
    public static ComputationGraph load(Path file, VggArchitecture architecture, long seed) {
        checkFile(file);
        ComputationGraph graph = architecture.build(seed);
        copyInto(file, architecture, graph);
        return graph;
    }

    /**
     * Copies the file's weights into a network built by {@code architecture}.
     *
     * @return the names of the layers that received weights, in network order (no {@code fc*}/{@code predictions}
     *         for a {@code _notop} file)
     * @throws UsageException as {@link #load}
     */
    public static List<String> copyInto(Path file, VggArchitecture architecture, ComputationGraph graph) {
        checkFile(file);
        if (architecture.batchNorm()) {
            throw new UsageException(file + ": Keras's VGG weights have no batch normalisation. Expected an "
                    + "architecture without batch norm; received " + architecture.name() + " with batch norm. "
                    + "Build the architecture without batch norm.");
        }
        Map<String, Expected> expected = expectedShapes(architecture);
        Hdf5Archive archive;
        try {
            archive = new Hdf5Archive(file.toString());
        } catch (RuntimeException e) {
            throw damaged(file, e);
        }
        try (archive) {
            // Hdf5Archive opens the file and serialises HDF5 calls. Its attribute readers return a string array
            // such as weight_names as one concatenated string, and its dataset reader cannot check a shape before
            // reading (fc1 of VGG16 is 411 MB), so attributes and datasets are read through the HDF5 objects
            // directly, under its lock.
            synchronized (Hdf5Archive.LOCK_OBJECT) {
                Group[] opened = archive.openGroups("/");
                try {
                    return copy(file, architecture, graph, expected, opened[0]);
                } finally {
                    archive.closeGroups(opened);
                }
            }
        } catch (UsageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw damaged(file, e);
        }
    }

    private static List<String> copy(Path file, VggArchitecture architecture, ComputationGraph graph,
                                     Map<String, Expected> expected, Group root) {
        Map<String, List<String>> inFile = weightNames(file, root);
        List<String> toLoad = plan(file, architecture, expected, inFile);
        for (String layer : toLoad) {
            List<String> names = inFile.get(layer);
            try (Group g = root.openGroup(layer)) {
                Expected e = expected.get(layer);
                INDArray kernel = readFloats(file, layer, "kernel", g, names.get(0), e.kernel());
                INDArray bias = readFloats(file, layer, "bias", g, names.get(1), e.bias());
                if (e.convolution()) {
                    kernel = kernel.permute(3, 2, 0, 1);
                }
                assign(file, graph, layer, "W", kernel);
                assign(file, graph, layer, "b", bias);
            }
        }
        return toLoad;
    }

    /** The Keras shapes each parameterised layer of the architecture must have, in network order. */
    private static Map<String, Expected> expectedShapes(VggArchitecture a) {
        Map<String, Expected> shapes = new LinkedHashMap<>();
        long in = a.input().channels();
        for (int b = 0; b < a.convsPerBlock().length; b++) {
            for (int i = 0; i < a.convsPerBlock()[b]; i++) {
                long out = a.channels()[b];
                shapes.put("block" + (b + 1) + "_conv" + (i + 1),
                        new Expected(new long[] {3, 3, in, out}, new long[] {out}, true));
                in = out;
            }
        }
        int reduction = 1 << a.convsPerBlock().length;
        long nIn = (long) (a.input().height() / reduction) * (a.input().width() / reduction) * in;
        for (int f = 0; f < a.fcSizes().length; f++) {
            shapes.put("fc" + (f + 1), new Expected(new long[] {nIn, a.fcSizes()[f]}, new long[] {a.fcSizes()[f]},
                    false));
            nIn = a.fcSizes()[f];
        }
        shapes.put(VggArchitecture.OUTPUT, new Expected(new long[] {nIn, a.classes()}, new long[] {a.classes()},
                false));
        return shapes;
    }

    /**
     * Decides which layers to load: every convolution must be in the file; the fully connected layers all or none
     * ({@code _notop}); the file may have no parameterised layer the architecture lacks.
     */
    private static List<String> plan(Path file, VggArchitecture architecture, Map<String, Expected> expected,
                                     Map<String, List<String>> inFile) {
        List<String> extra = new ArrayList<>();
        for (String layer : inFile.keySet()) {
            if (!expected.containsKey(layer)) {
                extra.add(layer);
            }
        }
        if (!extra.isEmpty()) {
            throw new UsageException(file + ": has weights for " + String.join(", ", extra) + ", which "
                    + architecture.name() + " does not have. Expected weights for " + String.join(", ",
                    expected.keySet()) + "; received weights for " + String.join(", ", inFile.keySet())
                    + ". Pass the weights file made for " + architecture.name() + ".");
        }
        List<String> missingConvs = new ArrayList<>();
        List<String> top = new ArrayList<>();
        List<String> missingTop = new ArrayList<>();
        for (Map.Entry<String, Expected> e : expected.entrySet()) {
            boolean present = inFile.containsKey(e.getKey());
            if (e.getValue().convolution()) {
                if (!present) {
                    missingConvs.add(e.getKey());
                }
            } else if (present) {
                top.add(e.getKey());
            } else {
                missingTop.add(e.getKey());
            }
        }
        if (!missingConvs.isEmpty()) {
            throw new UsageException(file + ": no weights for " + String.join(", ", missingConvs) + " of "
                    + architecture.name() + ". Expected weights for " + String.join(", ", expected.keySet())
                    + "; received weights for " + String.join(", ", inFile.keySet()) + ". Pass the weights file "
                    + "made for " + architecture.name() + ".");
        }
        if (!top.isEmpty() && !missingTop.isEmpty()) {
            throw new UsageException(file + ": has weights for " + String.join(", ", top) + " but not for "
                    + String.join(", ", missingTop) + ". Expected all of the fully connected layers (a full file) "
                    + "or none (a _notop file); received some. Pass a complete weights file.");
        }
        List<String> toLoad = new ArrayList<>();
        for (String layer : expected.keySet()) {
            if (inFile.containsKey(layer)) {
                toLoad.add(layer);
            }
        }
        return toLoad;
    }

    /** Layer name → its weight names, for the layers that have weights, in the file's order. */
    private static Map<String, List<String>> weightNames(Path file, Group root) {
        List<String> layers = stringArray(file, root, "layer_names");
        if (layers == null) {
            throw new UsageException(file + ": not a Keras weights file: there is no layer_names attribute. "
                    + "Expected a file written by Keras's save_weights, such as "
                    + "vgg16_weights_tf_dim_ordering_tf_kernels.h5; received an HDF5 file of another kind. Pass "
                    + "the Keras weights file.");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String layer : layers) {
            if (!root.nameExists(layer)) {
                throw new UsageException(file + ": layer " + layer + " is listed in layer_names but has no group. "
                        + "Expected a complete Keras weights file; received a damaged one. Download it again.");
            }
            List<String> names;
            try (Group g = root.openGroup(layer)) {
                names = stringArray(file, g, "weight_names");
            }
            if (names == null || names.isEmpty()) {
                continue;
            }
            if (names.size() != 2) {
                throw new UsageException(file + " layer " + layer + ": has " + names.size() + " weights "
                        + names + ". Expected 2 (kernel, bias); received " + names.size() + ". Pass weights of a "
                        + "plain VGG (no batch normalisation).");
            }
            out.put(layer, names);
        }
        return out;
    }

    /**
     * Reads a string-array attribute as Keras writes it: fixed-length byte strings ({@code np.asarray} of encoded
     * names); an empty list is a zero-length float array.
     *
     * @return the strings, or null if the attribute is absent
     */
    private static List<String> stringArray(Path file, H5Object object, String name) {
        if (!object.attrExists(name)) {
            return null;
        }
        try (Attribute a = object.openAttribute(name); DataSpace space = a.getSpace()) {
            int n = (int) space.getSimpleExtentNpoints();
            List<String> out = new ArrayList<>(n);
            if (n == 0) {
                return out;
            }
            try (StrType type = a.getTypeClass() == H5T_STRING ? a.getStrType() : null) {
                if (type == null || type.isVariableStr()) {
                    throw new UsageException(file + ": attribute " + name + " is not an array of fixed-length "
                            + "strings. Expected the layout Keras's save_weights writes; received "
                            + (type == null ? "HDF5 type class " + a.getTypeClass() : "variable-length strings")
                            + ". Save the weights with Keras's save_weights to an .h5 file.");
                }
                int size = (int) type.getSize();
                byte[] bytes = new byte[size * n];
                try (BytePointer buffer = new BytePointer((long) size * n)) {
                    // the (DataType, BytePointer) overload is C++'s read(type, std::string&); this is read(type, void*)
                    a.read(type, (Pointer) buffer);
                    buffer.get(bytes);
                }
                for (int i = 0; i < n; i++) {
                    int end = i * size;
                    while (end < (i + 1) * size && bytes[end] != 0) {
                        end++;
                    }
                    out.add(new String(bytes, i * size, end - i * size, StandardCharsets.UTF_8));
                }
            }
            return out;
        }
    }

    /** Reads a float dataset after checking its shape. */
    private static INDArray readFloats(Path file, String layer, String role, Group group, String dataset,
                                       long[] expected) {
        if (!exists(group, dataset)) {
            throw new UsageException(file + " layer " + layer + ": the " + role + " dataset " + dataset + " named in "
                    + "weight_names is missing. Expected a complete Keras weights file; received a damaged one. "
                    + "Download it again.");
        }
        try (DataSet data = group.openDataSet(dataset); DataSpace space = data.getSpace()) {
            long[] shape = new long[space.getSimpleExtentNdims()];
            space.getSimpleExtentDims(shape);
            if (!Arrays.equals(shape, expected)) {
                throw new UsageException(file + " layer " + layer + ": " + role + " has the wrong shape. Expected "
                        + Arrays.toString(expected) + "; received " + Arrays.toString(shape) + ". Pass weights made "
                        + "for this architecture (same input size, channels, layer sizes and classes).");
            }
            // DataSet is also an AbstractDs in HDF5's C++ API; the cast view shares the object, nothing to close
            int typeClass = data.asAbstractDs().getTypeClass();
            if (typeClass != H5T_FLOAT) {
                throw new UsageException(file + " layer " + layer + ": " + role + " " + dataset + " is not floating "
                        + "point. Expected float32 values; received HDF5 type class " + typeClass
                        + ". Pass a Keras weights file.");
            }
            // read straight into the array's memory: no Java array of fc1's 400 MB, no element-by-element copy
            INDArray values = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
            data.read(new FloatPointer(values.data().addressPointer()), PredType.NATIVE_FLOAT());
            return values;
        }
    }

    /** Whether a relative path of groups ending in a dataset exists, checked link by link (no HDF5 error). */
    private static boolean exists(Group group, String path) {
        String[] parts = path.split("/");
        StringBuilder prefix = new StringBuilder();
        for (String part : parts) {
            if (prefix.length() > 0) {
                prefix.append('/');
            }
            prefix.append(part);
            if (!group.nameExists(prefix.toString())) {
                return false;
            }
        }
        return true;
    }

    private static void assign(Path file, ComputationGraph graph, String layer, String param, INDArray value) {
        Layer l = graph.getLayer(layer);
        INDArray target = l == null ? null : l.getParam(param);
        if (target != null && target.isVector() && value.isVector() && target.length() == value.length()) {
            value = value.reshape(target.shape());   // biases: [n] in the file, [n] or [1, n] in DL4J
        }
        if (target == null || !Arrays.equals(target.shape(), value.shape())) {
            throw new UsageException(file + " layer " + layer + ": the network's " + param + " does not match. "
                    + "Expected " + (target == null ? "a parameter " + param : Arrays.toString(target.shape()))
                    + "; received " + Arrays.toString(value.shape()) + ". Build the network from the same "
                    + "VggArchitecture as the one passed here.");
        }
        target.assign(value);
    }

    private static UsageException damaged(Path file, RuntimeException e) {
        return new UsageException(file + ": cannot read as HDF5 (" + e.getMessage() + "). Expected an intact Keras "
                + "weights file such as vgg16_weights_tf_dim_ordering_tf_kernels.h5; received a damaged one (e.g. a "
                + "truncated download) or another kind of file. Download it again and check its checksum.", e);
    }

    private static void checkFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException(file + ": no such file. Expected a Keras weights file (.h5); "
                    + "received a path that " + (Files.exists(file) ? "is not a regular file" : "does not exist")
                    + ". Check the path.");
        }
        byte[] head = new byte[HDF5_SIGNATURE.length];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        // Keras writes no HDF5 user block, so the signature is at offset 0
        if (n < head.length || !Arrays.equals(head, HDF5_SIGNATURE)) {
            throw new UsageException(file + ": not an HDF5 file. Expected a Keras weights file such as "
                    + "vgg16_weights_tf_dim_ordering_tf_kernels.h5; received " + (n == 0 ? "an empty file"
                    : "content that is not HDF5, e.g. a DL4J zoo .zip or an HTML error page")
                    + ". Pass the Keras .h5 weights file.");
        }
    }
}
