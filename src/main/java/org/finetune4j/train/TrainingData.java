package org.finetune4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.finetune4j.core.Fingerprint;
import org.finetune4j.core.Json;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.BadImageFilter;
import org.finetune4j.data.BadImageLog;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.data.Split;
import org.finetune4j.data.StratifiedSplitter;

/**
 * A run's data, ready to use: the scanned folder, its classes, the seeded stratified split with bad files screened
 * out, the decoder and the log of bad files. Training, feature extraction, the checks and the search all start here,
 * so the same seed gives them the same split.
 * <pre>{@code
 * TrainingData data = TrainingData.prepare(cfg.data(), Seeds.of(42), System.err::println);
 * }</pre>
 *
 * @param folder    the scanned folder
 * @param classes   class names in label order
 * @param split     train / val / test after screening
 * @param decoder   the decoder to use for these images
 * @param badImages files left out so far, with reasons (training adds any that fail later)
 */
public record TrainingData(ImageFolder folder, List<String> classes, Split split, ImageDecoder decoder,
                           BadImageLog badImages) {

    /**
     * Scans {@code settings.folder()}, splits it with the seeds, screens every file's header.
     *
     * @param log receives warnings (tiny classes, skipped folders …)
     */
    public static TrainingData prepare(TrainConfig.DataSettings settings, Seeds seeds, Consumer<String> log) {
        ImageFolder folder = ImageFolder.scan(Path.of(settings.folder()));
        folder.warnings().forEach(w -> log.accept("warning: " + w));
        StratifiedSplitter.SplitResult splitResult = StratifiedSplitter.split(folder, settings.split(), seeds);
        splitResult.warnings().forEach(w -> log.accept("warning: " + w));
        ImageDecoder decoder = ImageDecoder.defaults();
        BadImageFilter.Result screened = BadImageFilter.screen(splitResult.split(), decoder, settings.onBadImage(),
                settings.threads());
        BadImageLog badImages = new BadImageLog();
        badImages.addAll(screened.bad());
        return new TrainingData(folder, folder.classes(), screened.split(), decoder, badImages);
    }

    /** Fingerprint of the training data: count and SHA-256 over sorted relative paths, sizes and file hashes. */
    public JsonNode fingerprint() {
        StringBuilder listing = new StringBuilder();
        long bytes = 0;
        for (LabeledImage im : folder.images()) {
            long size;
            String sha;
            try {
                size = Files.size(im.file());
                sha = Fingerprint.sha256(im.file());
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
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
