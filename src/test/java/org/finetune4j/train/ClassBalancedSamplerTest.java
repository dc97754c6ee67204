package org.finetune4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.LabeledImage;
import org.junit.jupiter.api.Test;

class ClassBalancedSamplerTest {

    /** 60, 20 and 5 images of classes 0, 1 and 2, interleaved. */
    private static List<LabeledImage> images() {
        List<LabeledImage> out = new ArrayList<>();
        int[] sizes = {60, 20, 5};
        for (int c = 0; c < sizes.length; c++) {
            for (int i = 0; i < sizes[c]; i++) {
                out.add(new LabeledImage(Path.of("c" + c, i + ".png"), "c" + c + "/" + i + ".png", c));
            }
        }
        return out;
    }

    @Test
    void drawsEveryClassEquallyOftenAndEveryImageOfAClassAlike() {
        List<LabeledImage> images = images();
        ClassBalancedSampler sampler = new ClassBalancedSampler(images, Seeds.of(7));
        long[] perClass = new long[3];
        long[] perImage = new long[images.size()];
        int epochs = 60;
        for (int e = 0; e < epochs; e++) {
            int[] draws = sampler.order(e);
            assertThat(draws).hasSize(images.size());
            for (int i : draws) {
                perClass[images.get(i).classIndex()]++;
                perImage[i]++;
            }
        }
        double total = epochs * images.size();   // 5100 draws: a class share's sd is about 0.0066
        for (long n : perClass) {
            assertThat(n / total).isCloseTo(1 / 3.0, within(0.03));
        }
        // the 5 images of class 2 are each drawn about 1/15 of the time, the 60 of class 0 about 1/180
        double rare = 0;
        for (int i = 80; i < 85; i++) {
            rare += perImage[i];
        }
        assertThat(rare / 5 / total).isCloseTo(1 / 15.0, within(0.01));
        assertThat(perImage[0] / total).isLessThan(0.02);
    }

    @Test
    void sameSeedSameDrawsOtherSeedOrEpochOtherDraws() {
        List<LabeledImage> images = images();
        int[] a = new ClassBalancedSampler(images, Seeds.of(7)).order(3);
        assertThat(new ClassBalancedSampler(images, Seeds.of(7)).order(3)).isEqualTo(a);
        assertThat(new ClassBalancedSampler(images, Seeds.of(8)).order(3)).isNotEqualTo(a);
        assertThat(new ClassBalancedSampler(images, Seeds.of(7)).order(4)).isNotEqualTo(a);
    }

    @Test
    void repeatedImagesGetFreshAugmentationKeysAndAPermutationKeepsItsIndices() {
        assertThat(EpochOrder.keys(new int[] {2, 0, 2, 1, 2}, 3)).containsExactly(2, 0, 5, 1, 8);
        assertThat(EpochOrder.keys(new int[] {2, 0, 1}, 3)).containsExactly(2, 0, 1);
    }

    @Test
    void shuffledOrderIsTheOneImageBatchesAlwaysUsed() {
        Seeds seeds = Seeds.of(11);
        assertThat(EpochOrder.shuffled(40, seeds).order(2)).isEqualTo(ImageBatches.order(40, true, seeds, 2));
    }
}
