package org.finetune4j.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import org.finetune4j.core.Fingerprint;
import org.finetune4j.core.ParallelMap;
import org.finetune4j.core.Seeds;

/**
 * Looks at every file of a folder: decodes each once, counts classes per split, gathers size statistics, finds bad
 * files, class imbalance, byte-identical duplicates and duplicates that straddle the split boundary (data leaks).
 *
 * <p>The split is the one {@code train} makes with the same seed and fractions: it is computed over all files found,
 * and bad files are then left out of their part, so a bad file never moves other images between splits.
 * <pre>{@code
 * DatasetReport r = new DatasetInspector(ImageDecoder.defaults(), 2)
 *         .inspect(ImageFolder.scan(dir), SplitConfig.defaults(), Seeds.of(12345), done -> {});
 * r.leaks();  // duplicate groups across train/val/test
 * }</pre>
 */
public final class DatasetInspector {

    /**
     * Largest/smallest class ratio above which {@code inspect} warns of class imbalance, and {@code train} and
     * {@code evaluate} lead with balanced accuracy (over the training split's counts).
     */
    public static final double IMBALANCE_WARNING_RATIO = 3.0;

    private final ImageDecoder decoder;
    private final int threads;

    /**
     * @param decoder how files are decoded
     * @param threads decoding threads, at least 1
     */
    public DatasetInspector(ImageDecoder decoder, int threads) {
        this.decoder = decoder;
        this.threads = Math.max(1, threads);
    }

    private record FileResult(LabeledImage image, ImageInfo info, String sha256, String badReason) {
    }

    /**
     * Inspects the folder.
     *
     * @param progress called with the number of files done so far (from worker threads)
     */
    public DatasetReport inspect(ImageFolder folder, SplitConfig splitConfig, Seeds seeds, IntConsumer progress) {
        StratifiedSplitter.SplitResult splitResult = StratifiedSplitter.split(folder, splitConfig, seeds);
        Map<String, SplitName> splitOf = new HashMap<>();
        for (SplitName s : SplitName.values()) {
            for (LabeledImage im : splitResult.split().part(s)) {
                splitOf.put(im.relativePath(), s);
            }
        }
        List<LabeledImage> usable = new ArrayList<>();
        Map<String, String> sha256 = new HashMap<>();
        List<FileResult> results = checkAll(folder.images(), progress);

        List<String> warnings = new ArrayList<>(folder.warnings());
        warnings.addAll(splitResult.warnings());
        List<BadImage> bad = new ArrayList<>();
        int nClasses = folder.classes().size();
        int[][] counts = new int[nClasses][SplitName.values().length];
        Map<String, Integer> formats = new TreeMap<>();
        List<int[]> sizes = new ArrayList<>();
        for (FileResult r : results) {
            if (r.badReason() != null) {
                bad.add(new BadImage(r.image().relativePath(), r.badReason()));
                continue;
            }
            SplitName s = splitOf.get(r.image().relativePath());
            counts[r.image().classIndex()][s.ordinal()]++;
            formats.merge(r.info().format(), 1, Integer::sum);
            sizes.add(new int[] {r.info().width(), r.info().height()});
            usable.add(r.image());
            sha256.put(r.image().relativePath(), r.sha256());
        }
        bad.sort(Comparator.comparing(BadImage::relativePath));

        List<DatasetReport.ClassCount> classCounts = new ArrayList<>();
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int c = 0; c < nClasses; c++) {
            int[] k = counts[c];
            int total = k[0] + k[1] + k[2];
            classCounts.add(new DatasetReport.ClassCount(folder.classes().get(c), total, k[0], k[1], k[2]));
            if (total > 0) {
                // a class without usable images gets its own warning below; a ratio of infinity says nothing
                min = Math.min(min, total);
                max = Math.max(max, total);
            }
        }
        double ratio = max == 0 ? 1.0 : (double) max / min;
        if (ratio > IMBALANCE_WARNING_RATIO) {
            DatasetReport.ClassCount small = classCounts.stream().filter(cc -> cc.total() > 0)
                    .min(Comparator.comparingInt(DatasetReport.ClassCount::total)).orElseThrow();
            DatasetReport.ClassCount big = classCounts.stream()
                    .max(Comparator.comparingInt(DatasetReport.ClassCount::total)).orElseThrow();
            warnings.add(String.format(Locale.ROOT, "class imbalance: \"%s\" has %d images, \"%s\" only %d "
                            + "(ratio %.1f, above %.0f). Accuracy will favour the large classes; collect more images "
                            + "of the small ones, or judge the model by per-class recall (train and evaluate then lead "
                            + "with balanced accuracy; --class-weights balanced and --sampler balanced counter it in "
                            + "training).", big.name(), big.total(),
                    small.name(), small.total(), ratio, IMBALANCE_WARNING_RATIO));
        }
        for (DatasetReport.ClassCount cc : classCounts) {
            if (cc.total() == 0) {
                warnings.add("class \"" + cc.name() + "\" has no usable images (every file of it is bad). `train` "
                        + "stops on such a class; fix or replace its files, or add --drop-empty-classes to leave it "
                        + "out.");
            }
        }

        List<DatasetReport.DuplicateGroup> duplicates = Duplicates.find(usable, sha256, folder.classes(),
                splitResult.split());
        String leakWarning = Duplicates.leakWarning(duplicates);
        if (leakWarning != null) {
            warnings.add(leakWarning);
        }
        long conflicts = duplicates.stream().filter(DatasetReport.DuplicateGroup::isLabelConflict).count();
        if (conflicts > 0) {
            warnings.add(conflicts + " group(s) of identical images are filed under different classes. "
                    + "Keep each image in one class folder.");
        }
        if (!bad.isEmpty()) {
            warnings.add(bad.size() + " file(s) cannot be used and will be skipped (see the bad files list).");
        }
        return new DatasetReport(folder.location(), folder.isPresplit() ? "pre-split" : "class-folders",
                seeds.root(), splitConfig, folder.images().size(), classCounts, sizeStats(sizes), formats, bad,
                folder.ignoredFiles(), ratio, duplicates, warnings);
    }

    private List<FileResult> checkAll(List<LabeledImage> images, IntConsumer progress) {
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        return ParallelMap.apply(images, threads, "finetune4j-inspect", im -> {
            FileResult r = check(im);
            progress.accept(done.incrementAndGet());
            return r;
        });
    }

    private FileResult check(LabeledImage im) {
        Path file = im.file();
        try {
            ImageInfo info = decoder.probe(file, im.relativePath());
            // decoded once to prove it decodes; the statistics report the header's size
            decoder.decode(file, im.relativePath()).close();
            return new FileResult(im, info, Fingerprint.sha256(file), null);
        } catch (BadImageException e) {
            return new FileResult(im, null, null, e.reason());
        }
    }

    private static DatasetReport.SizeStats sizeStats(List<int[]> sizes) {
        if (sizes.isEmpty()) {
            return new DatasetReport.SizeStats(0, 0, 0, 0, 0, 0, 0, 0);
        }
        int[] w = sizes.stream().mapToInt(s -> s[0]).sorted().toArray();
        int[] h = sizes.stream().mapToInt(s -> s[1]).sorted().toArray();
        double[] a = sizes.stream().mapToDouble(s -> (double) s[0] / s[1]).sorted().toArray();
        return new DatasetReport.SizeStats(w[0], median(w), w[w.length - 1], h[0], median(h), h[h.length - 1],
                round2(a[0]), round2(a[a.length - 1]));
    }

    private static int median(int[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
