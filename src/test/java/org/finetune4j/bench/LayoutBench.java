package org.finetune4j.bench;

import java.util.Locale;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.Backend;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * VGG16 to {@code fc2} (224 x 224, batch 16, random weights) built NCHW, as finetune4j builds it today, and NHWC,
 * interleaved in one JVM. DL4J's oneDNN convolution helper converts NCHW activations to NHWC and back around every
 * convolution (26 of the 52 oneDNN reorders per forward pass; see README "Where the time goes"); with the network
 * laid out NHWC only the 13 weight reorders remain. Run with {@code ONEDNN_VERBOSE=1} to see the primitives.
 * <pre>{@code
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.finetune4j.bench.LayoutBench [rounds]
 * }</pre>
 */
public final class LayoutBench {

    private static final int BATCH = 16;

    private LayoutBench() {
    }

    /**
     * @param args {@code [rounds]}, default 3; each round times one forward pass of each layout after warm-ups
     */
    public static void main(String[] args) {
        Backend.setUp();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        ComputationGraph nchw = vgg16ToFc2(CNN2DFormat.NCHW);
        ComputationGraph nhwc = vgg16ToFc2(CNN2DFormat.NHWC);
        INDArray xNchw = Nd4j.rand(DataType.FLOAT, BATCH, 3, 224, 224);
        INDArray xNhwc = xNchw.permute(0, 2, 3, 1).dup();
        nchw.outputSingle(false, xNchw).close();
        nhwc.outputSingle(false, xNhwc).close();
        for (int r = 1; r <= rounds; r++) {
            double a = imagesPerSecond(nchw, xNchw);
            double b = imagesPerSecond(nhwc, xNhwc);
            System.out.printf(Locale.ROOT, "round %d: NCHW %.3f img/s, NHWC %.3f img/s, NHWC/NCHW %.2f%n", r, a, b,
                    b / a);
        }
    }

    private static double imagesPerSecond(ComputationGraph net, INDArray x) {
        long start = System.nanoTime();
        net.outputSingle(false, x).close();
        return BATCH / ((System.nanoTime() - start) / 1e9);
    }

    private static ComputationGraph vgg16ToFc2(CNN2DFormat format) {
        int[] convs = {2, 2, 3, 3, 3};
        int[] channels = {64, 128, 256, 512, 512};
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(12345L)
                .activation(Activation.RELU).convolutionMode(ConvolutionMode.Same)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED).graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(224, 224, 3, format));
        String previous = "input";
        for (int b = 0; b < convs.length; b++) {
            for (int i = 0; i < convs[b]; i++) {
                String name = "block" + (b + 1) + "_conv" + (i + 1);
                g.addLayer(name, new ConvolutionLayer.Builder(3, 3).nOut(channels[b]).dataFormat(format).build(),
                        previous);
                previous = name;
            }
            String pool = "block" + (b + 1) + "_pool";
            g.addLayer(pool, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                    .stride(2, 2).dataFormat(format).convolutionMode(ConvolutionMode.Truncate).build(), previous);
            previous = pool;
        }
        g.addLayer("fc1", new DenseLayer.Builder().nOut(4096).build(), previous);
        g.addLayer("fc2", new DenseLayer.Builder().nOut(4096).build(), "fc1");
        g.setOutputs("fc2");
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }
}
