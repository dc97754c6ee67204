package org.finetune4j.bench;

import java.util.Locale;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.Backend;
import org.finetune4j.model.VggArchitecture;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * VGG16 (224 x 224, random weights) built NCHW, as finetune4j built it before, and NHWC, as it builds it
 * now ({@code model.Layout}), interleaved in one JVM. DL4J's oneDNN convolution helper converts NCHW activations to
 * NHWC and back around every convolution (26 of the 52 oneDNN reorders per forward pass); with the network laid out
 * NHWC only the 13 weight reorders remain. Run with {@code DNNL_VERBOSE=1} (not {@code ONEDNN_VERBOSE}: ND4J's
 * oneDNN reads the older name) to see the primitives.
 * <pre>{@code
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.finetune4j.bench.LayoutBench [rounds [batch]]
 * }</pre>
 */
public final class LayoutBench {

    private LayoutBench() {
    }

    /**
     * @param args {@code [rounds [batch]]}, default 3 rounds of batch 16; each round times one forward pass of each layout after warm-ups
     */
    public static void main(String[] args) {
        Backend.setUp();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        ComputationGraph nchw = vgg16(CNN2DFormat.NCHW);
        ComputationGraph nhwc = vgg16(CNN2DFormat.NHWC);
        INDArray xNchw = Nd4j.rand(DataType.FLOAT, batch, 3, 224, 224);
        INDArray xNhwc = xNchw.permute(0, 2, 3, 1).dup();
        nchw.outputSingle(false, xNchw).close();
        nhwc.outputSingle(false, xNhwc).close();
        for (int r = 1; r <= rounds; r++) {
            double a = imagesPerSecond(nchw, xNchw, batch);
            double b = imagesPerSecond(nhwc, xNhwc, batch);
            System.out.printf(Locale.ROOT, "round %d: NCHW %.3f img/s, NHWC %.3f img/s, NHWC/NCHW %.2f%n", r, a, b,
                    b / a);
        }
    }

    private static double imagesPerSecond(ComputationGraph net, INDArray x, int batch) {
        long start = System.nanoTime();
        net.outputSingle(false, x).close();
        return batch / ((System.nanoTime() - start) / 1e9);
    }

    private static ComputationGraph vgg16(CNN2DFormat format) {
        return VggArchitecture.vgg16(1000).build(12345L, format);
    }
}
