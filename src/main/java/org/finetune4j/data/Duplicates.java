package org.finetune4j.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Byte-identical images and where they fall in a split: {@code inspect} lists them, {@code train} warns of those that
 * straddle the train/validation/test boundary and, on request, keeps each group's copies in one part.
 * <pre>{@code
 * List<DatasetReport.DuplicateGroup> groups = Duplicates.find(usable, sha256ByPath, classes, split);
 * Split together = Duplicates.keepTogether(split, groups);   // no copy of a test image left in train
 * }</pre>
 */
public final class Duplicates {

    private Duplicates() {
    }

    /**
     * Groups files by content.
     *
     * @param images  the usable images (bad files have no meaningful hash)
     * @param sha256  SHA-256 of each image's bytes, by relative path
     * @param classes class names in label order
     * @param split   the split the images fall in
     * @return groups of two or more identical files, sorted by their first file
     */
    public static List<DatasetReport.DuplicateGroup> find(List<LabeledImage> images, Map<String, String> sha256,
                                                          List<String> classes, Split split) {
        Map<String, SplitName> splitOf = splitOf(split);
        Map<String, List<LabeledImage>> byHash = new TreeMap<>();
        for (LabeledImage im : images) {
            byHash.computeIfAbsent(sha256.get(im.relativePath()), k -> new ArrayList<>()).add(im);
        }
        List<DatasetReport.DuplicateGroup> groups = new ArrayList<>();
        for (Map.Entry<String, List<LabeledImage>> e : byHash.entrySet()) {
            if (e.getValue().size() < 2) {
                continue;
            }
            List<String> files = e.getValue().stream().map(LabeledImage::relativePath).sorted().toList();
            List<String> groupClasses = new ArrayList<>(new TreeSet<>(e.getValue().stream()
                    .map(im -> classes.get(im.classIndex())).toList()));
            List<String> splits = e.getValue().stream().map(im -> splitOf.get(im.relativePath()))
                    .filter(java.util.Objects::nonNull).distinct().sorted().map(SplitName::label).toList();
            groups.add(new DatasetReport.DuplicateGroup(e.getKey(), files, groupClasses, splits));
        }
        groups.sort(Comparator.comparing(g -> g.files().get(0)));
        return groups;
    }

    /**
     * Groups images whose perceptual hashes are at most {@code maxBits} apart (joined transitively), so resized,
     * re-encoded or slightly shifted copies are found as well as byte-identical ones. Compares every pair: about
     * 5·10^9 cheap steps for 100,000 images.
     *
     * @param images  the usable images
     * @param hashes  the perceptual hash of each image, by relative path
     * @param maxBits largest hash distance of two copies, e.g. {@link PerceptualHash#NEAR_BITS}
     * @param classes class names in label order
     * @param split   the split the images fall in
     * @return groups of two or more, sorted by their first file; a group's {@code sha256} is {@code dhash:} and the
     *         first file's hash
     */
    public static List<DatasetReport.DuplicateGroup> findNear(List<LabeledImage> images,
                                                              Map<String, PerceptualHash> hashes, int maxBits,
                                                              List<String> classes, Split split) {
        Map<String, SplitName> splitOf = splitOf(split);
        List<LabeledImage> sorted = images.stream().sorted(Comparator.comparing(LabeledImage::relativePath)).toList();
        int n = sorted.size();
        int[] parent = new int[n];
        PerceptualHash[] h = new PerceptualHash[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
            h[i] = hashes.get(sorted.get(i).relativePath());
        }
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                if (h[a] != null && h[b] != null && h[a].distance(h[b]) <= maxBits) {
                    parent[root(parent, a)] = root(parent, b);
                }
            }
        }
        Map<Integer, List<LabeledImage>> byRoot = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            byRoot.computeIfAbsent(root(parent, i), r -> new ArrayList<>()).add(sorted.get(i));
        }
        List<DatasetReport.DuplicateGroup> groups = new ArrayList<>();
        for (List<LabeledImage> members : byRoot.values()) {
            if (members.size() < 2) {
                continue;
            }
            List<String> files = members.stream().map(LabeledImage::relativePath).sorted().toList();
            List<String> groupClasses = new ArrayList<>(new TreeSet<>(members.stream()
                    .map(im -> classes.get(im.classIndex())).toList()));
            List<String> splits = members.stream().map(im -> splitOf.get(im.relativePath()))
                    .filter(java.util.Objects::nonNull).distinct().sorted().map(SplitName::label).toList();
            groups.add(new DatasetReport.DuplicateGroup("dhash:" + hashes.get(files.get(0)).hex(), files,
                    groupClasses, splits));
        }
        groups.sort(Comparator.comparing(g -> g.files().get(0)));
        return groups;
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /**
     * Moves every copy of a group that straddles the boundary into the part of the group's first file (in path
     * order), so no image is both trained on and validated or tested on. Deterministic; a split without such groups
     * is returned unchanged.
     *
     * @param groups the split's duplicate groups ({@link #find})
     * @return the split with each group in one part, each part sorted by relative path
     */
    public static Split keepTogether(Split split, List<DatasetReport.DuplicateGroup> groups) {
        Map<String, SplitName> splitOf = splitOf(split);
        Map<String, SplitName> moves = new HashMap<>();
        for (DatasetReport.DuplicateGroup g : groups) {
            if (!g.isLeak()) {
                continue;
            }
            SplitName target = splitOf.get(g.files().get(0));
            for (String f : g.files()) {
                if (splitOf.get(f) != target) {
                    moves.put(f, target);
                }
            }
        }
        if (moves.isEmpty()) {
            return split;
        }
        Map<SplitName, List<LabeledImage>> parts = new java.util.EnumMap<>(SplitName.class);
        for (SplitName s : SplitName.values()) {
            parts.put(s, new ArrayList<>());
        }
        for (SplitName s : SplitName.values()) {
            for (LabeledImage im : split.part(s)) {
                parts.get(moves.getOrDefault(im.relativePath(), s)).add(im);
            }
        }
        Comparator<LabeledImage> byPath = Comparator.comparing(LabeledImage::relativePath);
        parts.values().forEach(p -> p.sort(byPath));
        return new Split(parts.get(SplitName.TRAIN), parts.get(SplitName.VAL), parts.get(SplitName.TEST));
    }

    /** @return the one-sentence warning for groups that straddle the boundary, or null when there are none */
    public static String leakWarning(List<DatasetReport.DuplicateGroup> groups) {
        long leaks = groups.stream().filter(DatasetReport.DuplicateGroup::isLeak).count();
        if (leaks == 0) {
            return null;
        }
        return leaks + " group(s) of identical images straddle the train/validation/test boundary: validation and "
                + "test scores will be optimistic. Remove the copies (`finetune4j inspect` lists them), or train "
                + "with --keep-duplicates-together.";
    }

    private static Map<String, SplitName> splitOf(Split split) {
        Map<String, SplitName> splitOf = new HashMap<>();
        for (SplitName s : SplitName.values()) {
            for (LabeledImage im : split.part(s)) {
                splitOf.put(im.relativePath(), s);
            }
        }
        return splitOf;
    }
}
