package org.finetune4j.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import org.finetune4j.core.ParallelMap;

/**
 * Screens a split for bad files before any training: every file's header is checked (readable, not empty, a known
 * format, not truncated, sane dimensions) without decoding pixels, so it costs little.
 *
 * <p>Under {@link BadImagePolicy#SKIP} bad files are removed from their part and returned for the end-of-run list;
 * under {@link BadImagePolicy#FAIL} the first bad file (in path order) stops the run before any work. Files that
 * pass here but fail later when decoded are collected by a {@link BadImageLog}.
 * <pre>{@code
 * BadImageFilter.Result r = BadImageFilter.screen(split, ImageDecoder.defaults(), BadImagePolicy.SKIP, 2);
 * train(r.split());  ...  print(r.bad());
 * }</pre>
 */
public final class BadImageFilter {

    /**
     * @param split the split without the bad files
     * @param bad   the files left out, sorted by path, with reasons
     */
    public record Result(Split split, List<BadImage> bad) {
        public Result {
            bad = List.copyOf(bad);
        }
    }

    private BadImageFilter() {
    }

    /**
     * @param threads header-checking threads, at least 1
     * @throws BadImageException under {@link BadImagePolicy#FAIL}, naming the first bad file
     */
    public static Result screen(Split split, ImageDecoder decoder, BadImagePolicy policy, int threads) {
        return screen(split, FileChecks.local(decoder), policy, threads);
    }

    /**
     * Screens with checks made elsewhere ({@link FileChecks#precomputed}) or on this machine
     * ({@link FileChecks#local}).
     *
     * @param threads header-checking threads, at least 1
     * @throws BadImageException under {@link BadImagePolicy#FAIL}, naming the first bad file
     */
    public static Result screen(Split split, FileChecks checks, BadImagePolicy policy, int threads) {
        List<LabeledImage> all = new ArrayList<>();
        for (SplitName s : SplitName.values()) {
            all.addAll(split.part(s));
        }
        ConcurrentSkipListMap<String, String> badReasons = new ConcurrentSkipListMap<>();
        ParallelMap.apply(all, threads, "finetune4j-screen", im -> {
            String reason = checks.badReason(im);
            if (reason != null) {
                badReasons.put(im.relativePath(), reason);
            }
            return im;
        });
        if (policy == BadImagePolicy.FAIL && !badReasons.isEmpty()) {
            var first = badReasons.firstEntry();
            throw new BadImageException(first.getKey(), first.getValue() + " (--on-bad-image fail; "
                    + badReasons.size() + " bad file(s) in all, `finetune4j inspect` lists them)");
        }
        List<BadImage> bad = new ArrayList<>();
        badReasons.forEach((path, reason) -> bad.add(new BadImage(path, reason)));
        bad.sort(Comparator.comparing(BadImage::relativePath));
        return new Result(new Split(keep(split.train(), badReasons), keep(split.val(), badReasons),
                keep(split.test(), badReasons)), bad);
    }

    private static List<LabeledImage> keep(List<LabeledImage> part, java.util.Map<String, String> bad) {
        return part.stream().filter(im -> !bad.containsKey(im.relativePath())).toList();
    }
}
