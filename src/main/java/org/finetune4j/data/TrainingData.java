package org.finetune4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Fingerprint;
import org.finetune4j.core.Json;
import org.finetune4j.core.ParallelMap;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;

/**
 * A run's data, ready to use: the scanned folder, its classes, the seeded stratified split with bad files screened
 * out, the decoder and the log of bad files. Training, feature extraction, the checks and the search all start here,
 * so the same seed gives them the same split.
 * <pre>{@code
 * TrainingData data = TrainingData.prepare(cfg.data(), Seeds.of(42), System.err::println);
 * }</pre>
 *
 * @param folder     the scanned folder
 * @param classes    class names in label order (without the classes {@code --drop-empty-classes} left out)
 * @param split      train / val / test after screening
 * @param decoder    the decoder to use for these images
 * @param badImages  files left out so far, with reasons (training adds any that fail later)
 * @param duplicates groups of byte-identical usable images, with the parts of {@code split} they fall in
 * @param dropped    classes left out because none of their training images is usable ({@code --drop-empty-classes})
 * @param sha256     SHA-256 of every usable file's bytes, by relative path
 * @param checks     how the files' bytes were checked (sizes and hashes for the {@link #fingerprint()})
 */
public record TrainingData(ImageFolder folder, List<String> classes, Split split, ImageDecoder decoder,
                           BadImageLog badImages, List<DatasetReport.DuplicateGroup> duplicates, List<String> dropped,
                           Map<String, String> sha256, FileChecks checks) {

    /**
     * Scans {@code settings.folder()}, splits it with the seeds, screens every file's header, stops on (or, with
     * {@code dropEmptyClasses}, leaves out) a class without a usable training image, and finds byte-identical files
     * (kept in one part of the split with {@code keepDuplicatesTogether}).
     *
     * @param log receives warnings (tiny classes, skipped folders, duplicates across the split …)
     * @throws DataException if a class has no usable training image and {@code dropEmptyClasses} is off, or fewer
     *                       than two classes are left
     */
    public static TrainingData prepare(DataSettings settings, Seeds seeds, Consumer<String> log) {
        ImageFolder folder = ImageFolder.scan(Path.of(settings.folder()));
        return prepare(folder, settings, FileChecks.local(ImageDecoder.defaults()), seeds, log);
    }

    /**
     * Prepares a folder already scanned or listed ({@link ImageFolder#fromListing}) as {@link #prepare(DataSettings,
     * Seeds, Consumer)} does, with the per-file checks made by {@code checks}: the same split, screening, duplicates
     * and fingerprint for the same files. {@code settings.folder()} is not read.
     *
     * @param checks {@link FileChecks#local} for a folder on this machine; {@link FileChecks#precomputed} for one
     *               whose files were read elsewhere
     * @throws DataException  as {@link #prepare(DataSettings, Seeds, Consumer)} does
     * @throws UsageException for {@code dedupe} on a folder that is not on this machine (near-duplicates are found by
     *                        decoding every image here)
     */
    public static TrainingData prepare(ImageFolder folder, DataSettings settings, FileChecks checks, Seeds seeds,
                                       Consumer<String> log) {
        if (settings.dedupe() && !folder.isLocal()) {
            throw new UsageException("--dedupe: " + folder.location() + " is not on this machine's disks, and "
                    + "near-duplicates are found by decoding every image here. Run without --dedupe, or on a local "
                    + "copy of the folder.");
        }
        folder.warnings().forEach(w -> log.accept("warning: " + w));
        StratifiedSplitter.SplitResult splitResult = StratifiedSplitter.split(folder, settings.split(), seeds);
        splitResult.warnings().forEach(w -> log.accept("warning: " + w));
        ImageDecoder decoder = ImageDecoder.defaults();
        BadImageFilter.Result screened = BadImageFilter.screen(splitResult.split(), checks, settings.onBadImage(),
                settings.threads());
        BadImageLog badImages = new BadImageLog();
        badImages.addAll(screened.bad());
        Split split = screened.split();
        List<String> classes = folder.classes();
        List<String> empty = emptyClasses(folder, split);
        if (!empty.isEmpty()) {
            if (!settings.dropEmptyClasses()) {
                throw emptyClassError(folder, split, screened.bad(), empty);
            }
            if (classes.size() - empty.size() < 2) {
                throw new DataException(folder.location() + ": only " + (classes.size() - empty.size()) + " class(es) "
                        + "left after --drop-empty-classes left out " + quoted(empty) + ". Expected at least 2 "
                        + "classes with usable images. Fix or replace the bad files (`finetune4j inspect` lists "
                        + "them).");
            }
            log.accept("warning: left out class(es) " + quoted(empty) + ": no usable training image "
                    + "(--drop-empty-classes); the model knows " + (classes.size() - empty.size()) + " classes.");
            Kept kept = withoutClasses(classes, split, empty);
            classes = kept.classes();
            split = kept.split();
        }

        Map<String, String> sha256 = hashes(split, checks, settings.threads());
        List<LabeledImage> usable = all(split);
        List<DatasetReport.DuplicateGroup> duplicates = Duplicates.find(usable, sha256, classes, split);
        if (settings.dedupe() && folder.isPresplit()) {
            log.accept("warning: --dedupe: the folder is pre-split (train/ val/ test/); its split is used as given, so "
                    + "near-duplicates stay where they are. `finetune4j clean` lists them.");
        } else if (settings.dedupe()) {
            Map<String, PerceptualHash> near = perceptualHashes(usable, decoder, settings.threads());
            List<DatasetReport.DuplicateGroup> nearGroups = Duplicates.findNear(usable, near,
                    PerceptualHash.NEAR_BITS, classes, split);
            Split together = Duplicates.keepTogether(split, nearGroups);
            long moved = nearGroups.stream().filter(DatasetReport.DuplicateGroup::isLeak).count();
            log.accept("--dedupe: " + nearGroups.size() + " group(s) of identical or near-identical images; "
                    + moved + " moved into one part of the split each.");
            split = together;
            duplicates = Duplicates.find(usable, sha256, classes, split);
        }
        if (settings.keepDuplicatesTogether()) {
            if (folder.isPresplit()) {
                log.accept("warning: --keep-duplicates-together: the folder is pre-split (train/ val/ test/); its "
                        + "split is used as given, so copies stay where they are. Move them yourself.");
            } else {
                Split together = Duplicates.keepTogether(split, duplicates);
                if (together != split) {
                    long moved = duplicates.stream().filter(DatasetReport.DuplicateGroup::isLeak).count();
                    log.accept("--keep-duplicates-together: " + moved + " group(s) of identical images moved into "
                            + "one part of the split each.");
                    split = together;
                    duplicates = Duplicates.find(usable, sha256, classes, split);
                }
            }
        }
        String leakWarning = Duplicates.leakWarning(duplicates);
        if (leakWarning != null) {
            log.accept("warning: " + leakWarning);
        }
        return new TrainingData(folder, classes, split, decoder, badImages, List.copyOf(duplicates),
                List.copyOf(empty), Map.copyOf(sha256), checks);
    }

    /** @return the duplicate groups that straddle the train/validation/test boundary */
    public List<DatasetReport.DuplicateGroup> leaks() {
        return duplicates.stream().filter(DatasetReport.DuplicateGroup::isLeak).toList();
    }

    private static List<String> emptyClasses(ImageFolder folder, Split split) {
        int[] train = folder.countsPerClass(split.train());
        List<String> empty = new ArrayList<>();
        for (int c = 0; c < train.length; c++) {
            if (train[c] == 0) {
                empty.add(folder.classes().get(c));
            }
        }
        return empty;
    }

    private static DataException emptyClassError(ImageFolder folder, Split split, List<BadImage> bad,
                                                 List<String> empty) {
        int[] usable = folder.countsPerClass(all(split));
        StringBuilder what = new StringBuilder();
        for (String cls : empty) {
            int c = folder.classes().indexOf(cls);
            List<BadImage> its = bad.stream().filter(b -> b.relativePath().startsWith(classPrefix(folder, cls)))
                    .toList();
            what.append(what.length() == 0 ? "" : "; ").append('"').append(cls).append("\": ")
                    .append(usable[c] == 0 ? "none of its " + its.size() + " file(s) is usable"
                            : "none of its training images is usable (" + usable[c] + " usable in validation/test)");
            if (!its.isEmpty()) {
                what.append(", e.g. ").append(its.get(0).relativePath()).append(": ").append(its.get(0).reason());
            }
        }
        return new DataException(folder.location() + ": class(es) " + quoted(empty) + " cannot be learned. Expected at "
                + "least one usable training image per class; received " + what + ". Fix or replace the files "
                + "(`finetune4j inspect` lists every bad file), remove the class folder, or add "
                + "--drop-empty-classes to train without it.");
    }

    private static String classPrefix(ImageFolder folder, String cls) {
        return folder.isPresplit() ? "train/" + cls + "/" : cls + "/";
    }

    private record Kept(List<String> classes, Split split) {
    }

    private static Kept withoutClasses(List<String> classes, Split split, List<String> drop) {
        List<String> kept = classes.stream().filter(c -> !drop.contains(c)).toList();
        int[] newIndex = new int[classes.size()];
        for (int c = 0; c < classes.size(); c++) {
            newIndex[c] = kept.indexOf(classes.get(c));
        }
        java.util.function.Function<List<LabeledImage>, List<LabeledImage>> remap = part -> part.stream()
                .filter(im -> newIndex[im.classIndex()] >= 0)
                .map(im -> new LabeledImage(im.file(), im.relativePath(), newIndex[im.classIndex()])).toList();
        return new Kept(kept, new Split(remap.apply(split.train()), remap.apply(split.val()),
                remap.apply(split.test())));
    }

    private static List<LabeledImage> all(Split split) {
        List<LabeledImage> all = new ArrayList<>();
        for (SplitName s : SplitName.values()) {
            all.addAll(split.part(s));
        }
        return all;
    }

    /** Perceptual hashes of the images that decode; an image that does not is left out (it is screened later). */
    private static Map<String, PerceptualHash> perceptualHashes(List<LabeledImage> images, ImageDecoder decoder,
                                                                int threads) {
        List<PerceptualHash> hashes = ParallelMap.apply(images, Math.max(1, threads), "finetune4j-dhash", im -> {
            try (org.bytedeco.opencv.opencv_core.Mat m = decoder.decode(im.file(), im.relativePath())) {
                return PerceptualHash.of(m);
            } catch (BadImageException e) {
                return null;
            }
        });
        Map<String, PerceptualHash> out = new HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            if (hashes.get(i) != null) {
                out.put(images.get(i).relativePath(), hashes.get(i));
            }
        }
        return out;
    }

    private static Map<String, String> hashes(Split split, FileChecks checks, int threads) {
        List<LabeledImage> all = all(split);
        List<String> shas = ParallelMap.apply(all, Math.max(1, threads), "finetune4j-hash", im -> {
            try {
                return checks.sha256(im);
            } catch (java.io.UncheckedIOException e) {
                return "unreadable:" + im.relativePath();
            }
        });
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < all.size(); i++) {
            out.put(all.get(i).relativePath(), shas.get(i));
        }
        return out;
    }

    private static String quoted(List<String> names) {
        return names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
    }

    /** Fingerprint of the training data: count and SHA-256 over sorted relative paths, sizes and file hashes. */
    public JsonNode fingerprint() {
        StringBuilder listing = new StringBuilder();
        long bytes = 0;
        for (LabeledImage im : folder.images()) {
            long size;
            String sha;
            try {
                size = checks.size(im);
                sha = sha256.containsKey(im.relativePath()) ? sha256.get(im.relativePath()) : checks.sha256(im);
            } catch (java.io.UncheckedIOException e) {
                size = -1;
                sha = "unreadable";
            }
            bytes += Math.max(0, size);
            listing.append(im.relativePath()).append(' ').append(size).append(' ').append(sha).append('\n');
        }
        ObjectNode fp = Json.mapper().createObjectNode();
        fp.put("files", folder.images().size());
        fp.put("bytes", bytes);
        fp.put("classes", folder.classes().size());
        fp.put("sha256", Fingerprint.sha256(listing.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return fp;
    }
}
