package org.finetune4j.clean;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.PerceptualHash;
import org.finetune4j.features.FeatureSet;

/**
 * The analysis of {@code clean} on features already extracted: out-of-fold probabilities ({@link OutOfFold}) and
 * confident learning ({@link ConfidentLearning}) for label errors; a similarity search in the PCA space of the
 * features ({@link FeatureSpace}, {@link Neighbours}) and perceptual hashes for near-duplicates and outliers.
 * Deterministic for a seed; reads and writes no file.
 * <pre>{@code
 * CleanResult r = Cleaner.run(new Cleaner.Input(paths, splits, labels, classes, features, hashes),
 *         CleanConfig.defaults(), Seeds.of(42), 2, false);
 * }</pre>
 */
public final class Cleaner {

    private Cleaner() {
    }

    /**
     * The images and their features.
     *
     * @param paths    relative paths
     * @param splits   the part of the split of each ({@code train}, {@code val}, {@code test})
     * @param labels   the given class index of each
     * @param classes  class names in label order
     * @param features one feature row per image
     * @param hashes   one perceptual hash per image
     */
    public record Input(List<String> paths, List<String> splits, int[] labels, List<String> classes,
                        float[][] features, PerceptualHash[] hashes) {
        public Input {
            int n = paths.size();
            if (splits.size() != n || labels.length != n || features.length != n || hashes.length != n) {
                throw new IllegalArgumentException("one split, label, feature row and hash per path are needed");
            }
        }
    }

    /**
     * @param in       the images (at least as many as folds, and at least 2)
     * @param cfg      the settings
     * @param seeds    the run's seeds (folds, PCA sample)
     * @param threads  parallel classifier fits
     * @param progress show progress on stderr
     */
    public static CleanResult run(Input in, CleanConfig cfg, Seeds seeds, int threads, boolean progress) {
        int n = in.paths().size();
        int classes = in.classes().size();
        int[] group = new int[n];
        for (int i = 0; i < n; i++) {
            group[i] = i;
        }
        FeatureSet rows = new FeatureSet(in.paths(), in.features(), in.labels(), group, new boolean[n]);
        OutOfFold.Result oof = OutOfFold.compute(rows, classes, cfg.classifier(), seeds, threads);
        ConfidentLearning.Result cl = ConfidentLearning.find(oof.probabilities(), in.labels(), classes);

        double[][] projected = FeatureSpace.projection(in.features(), cfg.components(), seeds);
        double[][] unit = FeatureSpace.unit(projected);
        Neighbours nb = Neighbours.search(unit, cfg.neighbours(), cfg.duplicates().cosine(), progress);
        double[] outlierScore = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (double sim : nb.similarity()[i]) {
                s += 1 - sim;
            }
            outlierScore[i] = s / nb.similarity()[i].length;
        }

        List<CleanResult.Image> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] p = oof.probabilities()[i];
            int top = 0;
            for (int k = 1; k < classes; k++) {
                top = p[k] > p[top] ? k : top;
            }
            images.add(new CleanResult.Image(in.paths().get(i), in.splits().get(i), in.classes().get(in.labels()[i]),
                    in.classes().get(top), p[in.labels()[i]], cl.score()[i], cl.margin()[i], outlierScore[i],
                    in.hashes()[i].hex(), projected[i][0], projected[i].length > 1 ? projected[i][1] : 0));
        }
        List<CleanResult.LabelIssue> issues = new ArrayList<>();
        for (ConfidentLearning.Flag f : cl.flagged()) {
            double[] p = oof.probabilities()[f.index()];
            issues.add(new CleanResult.LabelIssue(issues.size() + 1, in.paths().get(f.index()),
                    in.splits().get(f.index()), in.classes().get(f.given()), in.classes().get(f.suggested()),
                    p[f.given()], p[f.suggested()], f.margin(), cl.score()[f.index()]));
        }
        List<CleanResult.DuplicateGroup> groups = duplicates(in, unit, nb, cfg.duplicates());
        List<CleanResult.Outlier> outliers = outliers(in, outlierScore, nb, cfg.outlierZ());
        List<Double> thresholds = Arrays.stream(cl.thresholds()).boxed().toList();
        long leaks = groups.stream().filter(CleanResult.DuplicateGroup::leak).count();
        return new CleanResult(List.copyOf(images), List.copyOf(issues), groups, outliers,
                new CleanResult.Summary(n, in.classes(), oof.c(), oof.accuracy(), thresholds, leaks, cfg));
    }

    /** Pairs the rule accepts, joined into groups (union-find). */
    static List<CleanResult.DuplicateGroup> duplicates(Input in, double[][] unit, Neighbours nb, DuplicateRule rule) {
        int n = unit.length;
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        List<int[]> pairs = new ArrayList<>();
        PerceptualHash[] h = in.hashes();
        for (Neighbours.Pair p : nb.pairs()) {
            if (rule.matches(p.similarity(), h[p.a()].distance(h[p.b()]))) {
                pairs.add(new int[] {p.a(), p.b()});
            }
        }
        // the hash-only pairs: a scan of n²/2 XOR-and-count steps (about 5·10^9 for 100,000 images, tens of seconds)
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                if (h[a].distance(h[b]) <= rule.hashBits()) {
                    pairs.add(new int[] {a, b});
                }
            }
        }
        for (int[] p : pairs) {
            parent[find(parent, p[0])] = find(parent, p[1]);
        }
        Map<Integer, List<Integer>> members = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            members.computeIfAbsent(find(parent, i), r -> new ArrayList<>()).add(i);
        }
        List<CleanResult.DuplicateGroup> out = new ArrayList<>();
        for (List<Integer> m : members.values()) {
            if (m.size() < 2) {
                continue;
            }
            double maxCos = Double.NEGATIVE_INFINITY;
            int minBits = PerceptualHash.BITS;
            for (int x = 0; x < m.size(); x++) {
                for (int y = x + 1; y < m.size(); y++) {
                    double dot = 0;
                    for (int c = 0; c < unit[0].length; c++) {
                        dot += unit[m.get(x)][c] * unit[m.get(y)][c];
                    }
                    maxCos = Math.max(maxCos, dot);
                    minBits = Math.min(minBits, h[m.get(x)].distance(h[m.get(y)]));
                }
            }
            List<String> files = m.stream().map(in.paths()::get).sorted().toList();
            List<String> splits = List.copyOf(new TreeSet<>(m.stream().map(in.splits()::get).toList()));
            List<String> classes = List.copyOf(new TreeSet<>(m.stream().map(i -> in.classes().get(in.labels()[i]))
                    .toList()));
            out.add(new CleanResult.DuplicateGroup(files, splits, classes, maxCos, minBits, splits.size() > 1));
        }
        out.sort(Comparator.comparing((CleanResult.DuplicateGroup g) -> !g.leak())
                .thenComparing(g -> -g.files().size()).thenComparing(g -> g.files().get(0)));
        return List.copyOf(out);
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** Images whose neighbour distance lies {@code z} robust standard deviations above the median. */
    static List<CleanResult.Outlier> outliers(Input in, double[] score, Neighbours nb, double z) {
        double median = median(score.clone());
        double[] dev = new double[score.length];
        for (int i = 0; i < score.length; i++) {
            dev[i] = Math.abs(score[i] - median);
        }
        double sigma = 1.4826 * median(dev);
        List<Integer> flagged = new ArrayList<>();
        double[] robust = new double[score.length];
        for (int i = 0; i < score.length; i++) {
            robust[i] = sigma > 0 ? (score[i] - median) / sigma : 0;
            if (robust[i] >= z) {
                flagged.add(i);
            }
        }
        flagged.sort(Comparator.comparingDouble((Integer i) -> -score[i]).thenComparingInt(i -> i));
        List<CleanResult.Outlier> out = new ArrayList<>();
        for (int i : flagged) {
            out.add(new CleanResult.Outlier(out.size() + 1, in.paths().get(i), in.splits().get(i),
                    in.classes().get(in.labels()[i]), score[i], robust[i], in.paths().get(nb.nearest()[i][0])));
        }
        return List.copyOf(out);
    }

    private static double median(double[] v) {
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
