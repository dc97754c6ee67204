package org.finetune4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.LabeledImage;

/**
 * The class-balanced sampler of {@code --sampler balanced}: every epoch makes as many draws as there are training
 * images, with replacement, each image drawn with probability inverse to its class's size, {@code P(i) =
 * 1 / (K' · n_{c(i)})} for {@code K'} classes with images — so in expectation every class fills the same share of
 * an epoch, and a class of 6 images among classes of 60 is seen ten times as often per image as the others. A draw
 * picks a class uniformly, then an image of it uniformly, from {@code seeds.stream("balanced-sampler", epoch)}: the
 * same seed gives the same draws. Repeated images get fresh augmentations ({@link EpochOrder#keys}).
 * <pre>{@code
 * EpochOrder order = new ClassBalancedSampler(split.train(), seeds);
 * int[] draws = order.order(epoch);
 * }</pre>
 */
public final class ClassBalancedSampler implements EpochOrder {

    private final int size;
    private final int[][] byClass;
    private final Seeds seeds;

    /**
     * @param images the training images, in the order the batches use
     * @param seeds  the run's seeds
     */
    public ClassBalancedSampler(List<LabeledImage> images, Seeds seeds) {
        int classes = images.stream().mapToInt(LabeledImage::classIndex).max().orElse(-1) + 1;
        List<List<Integer>> members = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            members.add(new ArrayList<>());
        }
        for (int i = 0; i < images.size(); i++) {
            members.get(images.get(i).classIndex()).add(i);
        }
        this.byClass = members.stream().filter(m -> !m.isEmpty())
                .map(m -> m.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        this.size = images.size();
        this.seeds = seeds;
    }

    @Override
    public int[] order(int epoch) {
        SplittableRandom rng = seeds.stream("balanced-sampler", epoch);
        int[] draws = new int[size];
        for (int k = 0; k < size; k++) {
            int[] members = byClass[rng.nextInt(byClass.length)];
            draws[k] = members[rng.nextInt(members.length)];
        }
        return draws;
    }
}
