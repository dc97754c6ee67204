package org.finetune4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.augment.Augmenter;
import org.finetune4j.augment.ImageSize;
import org.finetune4j.augment.RecipeLoader;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.BadImageLog;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.testing.TestFolders;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class ImageBatchesTest {

    @TempDir
    Path tmp;

    private final Preprocessing pre = Preprocessing.vgg(new InputShape(16, 16, 3));

    @Test
    void evaluationBatchesEqualThePredictPathTensorForTensor() {
        ImageFolder f = ImageFolder.scan(TestFolders.imageFolder(tmp, Map.of("a", 3, "b", 2)));
        try (ImageBatches b = new ImageBatches(f.images(), 2, pre, ImageDecoder.defaults(), null, 4, false,
                Seeds.of(1), 2, new BadImageLog())) {
            DataSet first = b.batch(0, 0).data();
            for (int i = 0; i < 4; i++) {
                LabeledImage im = f.images().get(i);
                try (Mat m = ImageDecoder.defaults().decode(im.file(), im.relativePath()); Mat fit = pre.fit(m)) {
                    INDArray predictTime = pre.toInput(fit);
                    assertThat(first.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).dup().ravel()
                            .toFloatVector())
                            .containsExactly(predictTime.ravel().toFloatVector());
                }
                assertThat(first.getLabels().getDouble(i, im.classIndex())).isEqualTo(1.0);
            }
        }
    }

    @Test
    void withTheBalancedSamplerBatchesFollowItsDrawsAndRepeatsAreAugmentedAfresh() {
        ImageFolder f = ImageFolder.scan(TestFolders.imageFolder(tmp, Map.of("a", 9, "b", 3)));
        Seeds seeds = Seeds.of(5);
        ClassBalancedSampler sampler = new ClassBalancedSampler(f.images(), seeds);
        java.util.Set<Long> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Augmentation recording = (decoded, epoch, key) -> {
            keys.add(key);
            return pre.fit(decoded);
        };
        try (ImageBatches b = new ImageBatches(f.images(), 2, pre, ImageDecoder.defaults(), recording, 4, sampler,
                seeds, 2, new BadImageLog())) {
            int[] order = sampler.order(1);
            assertThat(b.order(1)).isEqualTo(order);
            for (int k = 0; k < b.batchesPerEpoch(); k++) {
                DataSet d = b.batch(1, k).data();
                for (int r = 0; r < d.getLabels().size(0); r++) {
                    int image = order[k * 4 + r];
                    assertThat(d.getLabels().getDouble(r, f.images().get(image).classIndex())).isEqualTo(1.0);
                }
            }
            java.util.Set<Long> expected = new java.util.HashSet<>();
            for (long key : EpochOrder.keys(order, f.images().size())) {
                expected.add(key);
            }
            assertThat(keys).isEqualTo(expected);
            assertThat(keys).as("12 draws from 12 images repeat some").anyMatch(key -> key >= 12);
        }
    }

    @Test
    void trainingBatchesDependOnlyOnSeedEpochAndBatchNotOnThreads() {
        ImageFolder f = ImageFolder.scan(TestFolders.imageFolder(tmp, Map.of("a", 6, "b", 6)));
        Seeds seeds = Seeds.of(9);
        Augmenter aug = Augmenter.of(RecipeLoader.load("creative"), new ImageSize(16, 16), seeds);
        float[] one;
        float[] four;
        try (ImageBatches b = new ImageBatches(f.images(), 2, pre, ImageDecoder.defaults(), aug::augment, 5, true,
                seeds, 1, new BadImageLog())) {
            one = b.batch(2, 1).data().getFeatures().ravel().toFloatVector();
        }
        try (ImageBatches b = new ImageBatches(f.images(), 2, pre, ImageDecoder.defaults(), aug::augment, 5, true,
                seeds, 4, new BadImageLog())) {
            four = b.batch(2, 1).data().getFeatures().ravel().toFloatVector();
            assertThat(b.order(2)).isNotEqualTo(b.order(3));
        }
        assertThat(four).containsExactly(one);
    }

    @Test
    void aFileThatFailsToDecodeIsLoggedAndLeftOutOfItsBatch() {
        Path root = TestFolders.imageFolder(tmp, Map.of("a", 2, "b", 2));
        TestImages.corruptPng(root.resolve("a/zz.png"));
        ImageFolder f = ImageFolder.scan(root);
        BadImageLog log = new BadImageLog();
        try (ImageBatches b = new ImageBatches(f.images(), 2, pre, ImageDecoder.defaults(), null, 10, false,
                Seeds.of(1), 2, log)) {
            assertThat(b.batch(0, 0).size()).isEqualTo(4);
        }
        assertThat(log.list()).extracting(org.finetune4j.data.BadImage::relativePath).containsExactly("a/zz.png");
    }
}
