package org.finetune4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.extract.FeatureCache;
import org.finetune4j.extract.FeatureExtractor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrefixBatchesTest {

    @TempDir
    Path tmp;

    private static final int IMAGES = 10;
    private static final int COPIES = 3;

    /** Copy c of image i has the value 100 i + c everywhere, in a 2x2x1 map; image 7 could not be used. */
    private List<FeatureExtractor.Cached> copies(List<LabeledImage> images) {
        FeatureCache cache = FeatureCache.of(tmp);
        List<FeatureExtractor.Cached> out = new ArrayList<>();
        for (int c = 0; c < COPIES; c++) {
            FeatureCache.Space space = cache.space("{\"copy\":" + c + "}");
            List<String> hashes = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                String sha = String.format("%064x", i + 1);
                float v = 100 * i + c;
                space.put(sha, new float[] {v, v, v, v});
                hashes.add(i == 7 ? null : sha);
            }
            out.add(new FeatureExtractor.Cached(space, hashes, 4, FeatureExtractor.Stats.none()));
        }
        return out;
    }

    private static List<LabeledImage> images() {
        List<LabeledImage> images = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            images.add(new LabeledImage(Path.of("img" + i + ".png"), "c" + (i % 2) + "/img" + i + ".png", i % 2));
        }
        return images;
    }

    /** @return the (image, copy) pairs of an epoch, decoded from the values */
    private static List<Integer> epoch(PrefixBatches b, int epoch) {
        List<Integer> seen = new ArrayList<>();
        for (Iterator<ImageBatches.Batch> it = b.epoch(epoch, 0); it.hasNext(); ) {
            ImageBatches.Batch batch = it.next();
            for (int r = 0; r < batch.size(); r++) {
                int value = (int) batch.data().getFeatures().getFloat(r, 1, 1, 0);
                int image = value / 100;
                assertThat(batch.data().getLabels().getFloat(r, image % 2)).as("label of image " + image)
                        .isEqualTo(1f);
                seen.add(value);
            }
        }
        return seen;
    }

    @Test
    void everyEpochTrainsOnOneSeededCopyOfEveryUsableImage() {
        List<LabeledImage> images = images();
        PrefixBatches b = PrefixBatches.cached(images, copies(images), new long[] {2, 2, 1}, 2, 4, true,
                Seeds.of(42));
        assertThat(b.batchesPerEpoch()).isEqualTo(3);
        Set<Integer> copiesSeen = new HashSet<>();
        List<List<Integer>> epochs = new ArrayList<>();
        for (int e = 0; e < 12; e++) {
            List<Integer> seen = epoch(b, e);
            epochs.add(seen);
            assertThat(seen.stream().map(v -> v / 100).sorted().toList()).as("epoch " + e)
                    .containsExactly(0, 1, 2, 3, 4, 5, 6, 8, 9);
            seen.forEach(v -> copiesSeen.add(v));
        }
        assertThat(copiesSeen).as("over 12 epochs every copy of every image is drawn").hasSize(9 * COPIES);
        assertThat(epochs.get(0)).as("shuffled differently every epoch").isNotEqualTo(epochs.get(1));
        PrefixBatches again = PrefixBatches.cached(images, copies(images), new long[] {2, 2, 1}, 2, 4, true,
                Seeds.of(42));
        for (int e = 0; e < 12; e++) {
            assertThat(epoch(again, e)).as("same seed, epoch " + e).isEqualTo(epochs.get(e));
        }
        PrefixBatches otherSeed = PrefixBatches.cached(images, copies(images), new long[] {2, 2, 1}, 2, 4, true,
                Seeds.of(43));
        assertThat(epoch(otherSeed, 0)).isNotEqualTo(epochs.get(0));
    }

    @Test
    void theClassBalancedSamplerDecidesTheVisitsAndRepeatsReadFreshCopies() {
        // 8 images of class 0 and 2 of class 1 (images 1 and 3): a balanced epoch draws class 1 about half the time
        List<LabeledImage> images = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            int c = i == 1 || i == 3 ? 1 : 0;
            images.add(new LabeledImage(Path.of("img" + i + ".png"), "c" + c + "/img" + i + ".png", c));
        }
        ClassBalancedSampler sampler = new ClassBalancedSampler(images, Seeds.of(42));
        PrefixBatches b = PrefixBatches.cached(images, copies(images), new long[] {2, 2, 1}, 2, 4, sampler,
                Seeds.of(42));
        int minority = 0;
        int total = 0;
        boolean freshCopy = false;
        for (int e = 0; e < 20; e++) {
            List<Integer> visits = new ArrayList<>();
            for (int i : sampler.order(e)) {
                if (i != 7) {   // image 7 has no usable output and is left out of its batch
                    visits.add(i);
                }
            }
            List<Integer> seen = new ArrayList<>();
            for (Iterator<ImageBatches.Batch> it = b.epoch(e, 0); it.hasNext(); ) {
                ImageBatches.Batch batch = it.next();
                for (int r = 0; r < batch.size(); r++) {
                    int value = (int) batch.data().getFeatures().getFloat(r, 1, 1, 0);
                    int image = value / 100;
                    int label = image == 1 || image == 3 ? 1 : 0;
                    assertThat(batch.data().getLabels().getFloat(r, label)).isEqualTo(1f);
                    seen.add(value);
                }
            }
            assertThat(seen.stream().map(v -> v / 100).toList()).as("epoch %d follows the sampler", e)
                    .isEqualTo(visits);
            minority += (int) visits.stream().filter(i -> i == 1 || i == 3).count();
            total += visits.size();
            for (int i = 0; i < IMAGES; i++) {
                int image = i;
                freshCopy |= seen.stream().filter(v -> v / 100 == image).distinct().count() > 1;
            }
        }
        assertThat(minority / (double) total).isBetween(0.4, 0.6);
        assertThat(freshCopy).as("a repeated image reads another cached copy").isTrue();
    }

    @Test
    void anEpochResumedAtABatchContinuesWithTheSameBatches() {
        List<LabeledImage> images = images();
        PrefixBatches b = PrefixBatches.cached(images, copies(images), new long[] {2, 2, 1}, 2, 4, true,
                Seeds.of(7));
        List<Integer> whole = epoch(b, 5);
        List<Integer> tail = new ArrayList<>();
        for (Iterator<ImageBatches.Batch> it = b.epoch(5, 1); it.hasNext(); ) {
            ImageBatches.Batch batch = it.next();
            assertThat(batch.index()).isGreaterThanOrEqualTo(1);
            for (int r = 0; r < batch.size(); r++) {
                tail.add((int) batch.data().getFeatures().getFloat(r, 0, 0, 0));
            }
        }
        assertThat(whole.subList(whole.size() - tail.size(), whole.size())).isEqualTo(tail);
    }

    @Test
    void evaluationBatchesKeepTheListOrder() {
        List<LabeledImage> images = images();
        PrefixBatches b = PrefixBatches.cached(images, copies(images).subList(0, 1), new long[] {2, 2, 1}, 2, 4,
                false, Seeds.of(1));
        assertThat(epoch(b, 0)).containsExactly(0, 100, 200, 300, 400, 500, 600, 800, 900);
        assertThat(epoch(b, 3)).isEqualTo(epoch(b, 0));
    }
}
