package org.finetune4j.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.weights.WeightInit;
import org.finetune4j.core.RunInfo;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.model.VggArchitecture;
import org.nd4j.linalg.activations.Activation;

/** Tiny VGG-style networks (16×16 input, two blocks of one conv, fc 16) and bundles of them, for fast tests. */
public final class TestBundles {

    /** The tiny networks' input. */
    public static final InputShape INPUT = new InputShape(16, 16, 3);

    private TestBundles() {
    }

    /** @return a tiny VGG with Keras layer names: blocks of 4 and 8 channels, fc1 of 16, ReLU, He init */
    public static VggArchitecture tinyVgg(int classes, boolean batchNorm) {
        return new VggArchitecture("tiny", INPUT, new int[] {1, 1}, new int[] {4, 8}, new int[] {16}, classes,
                batchNorm, Activation.RELU, WeightInit.RELU);
    }

    /**
     * Saves {@code arch} with random weights from {@code seed} as a backbone bundle (mode scratch, backbone "tiny").
     *
     * @return the bundle folder
     */
    public static Path saveBackbone(Path dir, VggArchitecture arch, long seed, List<String> labels,
                                    Preprocessing preprocessing) {
        BundleStore.save(dir, arch.build(seed), new ModelBundle(ModelBundle.FORMAT_VERSION, "x", labels, preprocessing,
                new ModelBundle.Origin("tiny", null, null, "scratch", null),
                new ModelBundle.DataOrigin(null, null, List.of()), Map.of(), RunInfo.current(1), null));
        return dir;
    }

    /** {@link #saveBackbone(Path, VggArchitecture, long, List, Preprocessing)} with VGG preprocessing. */
    public static Path saveBackbone(Path dir, VggArchitecture arch, long seed, List<String> labels) {
        return saveBackbone(dir, arch, seed, labels, Preprocessing.vgg(INPUT));
    }
}
