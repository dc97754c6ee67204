package org.finetune4j.extract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.model.VggArchitecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A cut holding most of the backbone's parameters shares them, and is otherwise the same network as a copied cut. */
class FeatureExtractorCutTest {

    @TempDir
    Path dir;

    private static long address(INDArray a) {
        return a.data().address() + a.offset() * a.data().getElementSize();
    }

    @Test
    void aCutAtTheLastHiddenLayerSharesTheBackbonesParametersAndEqualsTheCopiedCut() {
        ComputationGraph backbone = VggArchitecture.miniVgg(32, 10, true).build(7L);
        Preprocessing pre = Preprocessing.vgg(new InputShape(32, 32, 3));
        FeatureExtractor shared = FeatureExtractor.of(backbone, pre, "fc2", "none", FeatureCache.of(dir));
        FeatureExtractor copied = FeatureExtractor.of(backbone, pre, "fc2", "none", FeatureCache.of(dir), false);

        // no copy: the first layer's weights are the backbone's memory
        assertEquals(address(backbone.getLayer("block1_conv1").params()),
                address(shared.network().getLayer("block1_conv1").params()));
        assertNotEquals(address(backbone.getLayer("block1_conv1").params()),
                address(copied.network().getLayer("block1_conv1").params()));
        // the same network: configuration, parameters, cache keys, outputs
        assertEquals(copied.network().getConfiguration().toJson(), shared.network().getConfiguration().toJson());
        assertEquals(copied.network().params(), shared.network().params());
        assertEquals(copied.cacheKey(FeatureExtractor.View.centre()), shared.cacheKey(FeatureExtractor.View.centre()));
        FeatureExtractor viaSharing = FeatureExtractor.sharing(backbone, pre, "fc2", FeatureCache.of(dir)).orElseThrow();
        assertEquals(address(backbone.getLayer("block1_conv1").params()),
                address(viaSharing.network().getLayer("block1_conv1").params()));
        assertEquals(shared.cacheKey(FeatureExtractor.View.centre()),
                viaSharing.cacheKey(FeatureExtractor.View.centre()));
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 32, 32, 3);
        float[][] a = copied.forward(x);
        float[][] b = shared.forward(x);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], 0f);
        }
    }

    @Test
    void aSmallCutIsACopySoThatTheBackboneCanBeDropped() {
        ComputationGraph backbone = VggArchitecture.miniVgg(32, 10, false).build(7L);
        FeatureExtractor fx = FeatureExtractor.of(backbone, Preprocessing.vgg(new InputShape(32, 32, 3)),
                "block2_pool", "none", FeatureCache.of(dir));
        assertNotEquals(address(backbone.getLayer("block1_conv1").params()),
                address(fx.network().getLayer("block1_conv1").params()));
        assertEquals(backbone.getLayer("block1_conv1").params(), fx.network().getLayer("block1_conv1").params());
        assertTrue(FeatureExtractor.sharing(backbone, Preprocessing.vgg(new InputShape(32, 32, 3)), "block2_pool",
                FeatureCache.of(dir)).isEmpty());
    }
}
