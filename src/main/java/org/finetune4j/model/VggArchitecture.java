package org.finetune4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.finetune4j.core.UsageException;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A VGG-style network (Simonyan &amp; Zisserman 2014, "Very Deep Convolutional Networks for Large-Scale Image
 * Recognition"): blocks of 3×3 convolutions with ReLU (optionally batch-normalised) each ending in a 2×2 max-pool,
 * then fully connected layers and a softmax, as a DL4J {@link ComputationGraph} laid out NHWC ({@link Layout}).
 *
 * <p>Vertex names follow Keras and DL4J's pretrained VGG16, on every size of network, so freeze points read the same
 * everywhere: {@code input_1}, {@code block1_conv1} … {@code block1_pool}, …, {@code flatten}, {@code fc1},
 * {@code fc2}, {@code predictions}. With batch norm each convolution {@code blockB_convI} (linear) is followed by
 * {@code blockB_convI_bn} and the activation layer {@code blockB_convI_act}.
 * <pre>{@code
 * ComputationGraph vgg = VggArchitecture.vgg16(1000).build(seed);        // 138,357,544 parameters
 * ComputationGraph mini = VggArchitecture.miniVgg(64, 20, true).build(seed);
 * }</pre>
 *
 * @param name          what the architecture is called, e.g. {@code vgg16}
 * @param input         input height, width and channels
 * @param convsPerBlock convolutions in each block, e.g. {@code [2, 2, 3, 3, 3]} for VGG16
 * @param channels      output channels of each block's convolutions, e.g. {@code [64, 128, 256, 512, 512]}
 * @param fcSizes       sizes of the fully connected layers {@code fc1, fc2, …}
 * @param classes       outputs of {@code predictions}
 * @param batchNorm     batch normalisation after every convolution
 * @param activation    hidden activation (VGG: ReLU)
 * @param weightInit    initialisation of hidden layers (He for ReLU-like activations, Xavier for tanh/sigmoid)
 */
public record VggArchitecture(String name, InputShape input, int[] convsPerBlock, int[] channels, int[] fcSizes,
                              int classes, boolean batchNorm, Activation activation, WeightInit weightInit) {

    /** The name of the input vertex, as in DL4J's and Keras's VGG16. */
    public static final String INPUT = "input_1";
    /** The name of the output layer. */
    public static final String OUTPUT = "predictions";

    public VggArchitecture {
        if (convsPerBlock.length != channels.length || convsPerBlock.length == 0) {
            throw new IllegalArgumentException("one conv count and one channel count per block are needed");
        }
        int reduction = 1 << convsPerBlock.length;
        if (input.height() % reduction != 0 || input.width() % reduction != 0 || input.height() < reduction) {
            throw new UsageException(String.format(Locale.ROOT, "--input-size %dx%d: does not fit %s's %d pooling "
                            + "steps. Expected a multiple of %d; received %dx%d. Pick e.g. %d.", input.height(),
                    input.width(), name, convsPerBlock.length, reduction, input.height(), input.width(),
                    Math.max(reduction, Math.round(input.height() / (float) reduction) * reduction)));
        }
        if (classes < 2) {
            throw new UsageException(name + ": needs at least 2 classes; received " + classes + ".");
        }
        convsPerBlock = convsPerBlock.clone();
        channels = channels.clone();
        fcSizes = fcSizes.clone();
    }

    /** VGG16 (configuration D) at 224×224×3. */
    public static VggArchitecture vgg16(int classes) {
        return new VggArchitecture("vgg16", new InputShape(224, 224, 3), new int[] {2, 2, 3, 3, 3},
                new int[] {64, 128, 256, 512, 512}, new int[] {4096, 4096}, classes, false, Activation.RELU,
                WeightInit.RELU);
    }

    /** VGG19 (configuration E) at 224×224×3. */
    public static VggArchitecture vgg19(int classes) {
        return new VggArchitecture("vgg19", new InputShape(224, 224, 3), new int[] {2, 2, 4, 4, 4},
                new int[] {64, 128, 256, 512, 512}, new int[] {4096, 4096}, classes, false, Activation.RELU,
                WeightInit.RELU);
    }

    /**
     * The project's small VGG: four blocks of two 3×3 convolutions (32, 64, 128, 128 channels), fc1 and fc2 of 256,
     * for square inputs of {@code inputSize} pixels (a multiple of 16; default 64). About 1.2 M parameters at 64×64
     * with 20 classes, half of them in fc1.
     */
    public static VggArchitecture miniVgg(int inputSize, int classes, boolean batchNorm) {
        return new VggArchitecture("mini-vgg", new InputShape(inputSize, inputSize, 3), new int[] {2, 2, 2, 2},
                new int[] {32, 64, 128, 128}, new int[] {256, 256}, classes, batchNorm, Activation.RELU,
                WeightInit.RELU);
    }

    /** @return the same architecture with another activation and initialisation */
    public VggArchitecture with(Activation newActivation, WeightInit newInit) {
        return new VggArchitecture(name, input, convsPerBlock, channels, fcSizes, classes, batchNorm, newActivation,
                newInit);
    }

    /** @return the names of the layers that carry parameters or pool, in order (no input, no flatten) */
    public List<String> layerNames() {
        List<String> names = new ArrayList<>();
        for (int b = 0; b < convsPerBlock.length; b++) {
            for (int i = 0; i < convsPerBlock[b]; i++) {
                names.add(convName(b, i));
                if (batchNorm) {
                    names.add(convName(b, i) + "_bn");
                    names.add(convName(b, i) + "_act");
                }
            }
            names.add(poolName(b));
        }
        for (int f = 0; f < fcSizes.length; f++) {
            names.add("fc" + (f + 1));
        }
        names.add(OUTPUT);
        return names;
    }

    /** @return the name of the last pooling layer, e.g. {@code block5_pool} */
    public String lastPool() {
        return poolName(convsPerBlock.length - 1);
    }

    private static String convName(int block, int index) {
        return "block" + (block + 1) + "_conv" + (index + 1);
    }

    private static String poolName(int block) {
        return "block" + (block + 1) + "_pool";
    }

    /** @return the graph configuration, laid out {@link Layout#FORMAT}; {@code seed} fixes the initial weights */
    public ComputationGraphConfiguration configuration(long seed) {
        return configuration(seed, Layout.FORMAT);
    }

    /**
     * @param format the activations' layout: {@link Layout#FORMAT} for everything finetune4j runs; NCHW for
     *               comparisons (DL4J's zoo networks and bundles of earlier versions are NCHW)
     * @return the graph configuration; {@code seed} fixes the initial weights
     */
    public ComputationGraphConfiguration configuration(long seed, CNN2DFormat format) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(1e-3))
                .weightInit(weightInit)
                .activation(activation)
                .convolutionMode(ConvolutionMode.Same)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(input.height(), input.width(), input.channels(), format));
        String previous = INPUT;
        long inChannels = input.channels();
        for (int b = 0; b < convsPerBlock.length; b++) {
            for (int i = 0; i < convsPerBlock[b]; i++) {
                String conv = convName(b, i);
                g.addLayer(conv, new ConvolutionLayer.Builder(3, 3).stride(1, 1).nIn(inChannels).nOut(channels[b])
                        .dataFormat(format)
                        .activation(batchNorm ? Activation.IDENTITY : activation).build(), previous);
                previous = conv;
                if (batchNorm) {
                    // DL4J's BatchNormalization ignores its activation setting (measured: negative outputs with
                    // .activation(RELU)), so the nonlinearity is a layer of its own
                    String bn = conv + "_bn";
                    g.addLayer(bn, new BatchNormalization.Builder().nOut(channels[b])
                            .dataFormat(format).build(), previous);
                    String act = conv + "_act";
                    g.addLayer(act, new ActivationLayer.Builder().activation(activation).build(), bn);
                    previous = act;
                }
                inChannels = channels[b];
            }
            g.addLayer(poolName(b), new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                    .stride(2, 2).dataFormat(format).convolutionMode(ConvolutionMode.Truncate).build(), previous);
            previous = poolName(b);
        }
        int reduction = 1 << convsPerBlock.length;
        long h = input.height() / reduction;
        long w = input.width() / reduction;
        g.addVertex("flatten", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(h, w, inChannels,
                format)), previous);
        previous = "flatten";
        long nIn = h * w * inChannels;
        for (int f = 0; f < fcSizes.length; f++) {
            String fc = "fc" + (f + 1);
            g.addLayer(fc, new DenseLayer.Builder().nIn(nIn).nOut(fcSizes[f]).build(), previous);
            previous = fc;
            nIn = fcSizes[f];
        }
        g.addLayer(OUTPUT, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nIn).nOut(classes)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build(), previous);
        g.setOutputs(OUTPUT);
        return g.build();
    }

    /** @return a new network with freshly initialised weights, laid out {@link Layout#FORMAT} */
    public ComputationGraph build(long seed) {
        return build(seed, Layout.FORMAT);
    }

    /** @return a new network with freshly initialised weights, laid out {@code format} */
    public ComputationGraph build(long seed, CNN2DFormat format) {
        ComputationGraph graph = new ComputationGraph(configuration(seed, format));
        graph.init();
        return graph;
    }
}
