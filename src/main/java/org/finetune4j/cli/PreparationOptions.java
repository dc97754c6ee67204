package org.finetune4j.cli;

import java.nio.file.Path;
import org.finetune4j.data.DataSettings;
import picocli.CommandLine.Option;

/**
 * How the commands that train (or probe training, or featurize) prepare their data beyond the split: classes without
 * usable images, byte-identical files across the split, and the decoding threads.
 */
public final class PreparationOptions {

    @Option(names = "--drop-empty-classes", description = "Leave out a class none of whose training images can be "
            + "used (all bad files) and train on the others. Without it such a class stops the run before "
            + "training, naming it.")
    boolean dropEmptyClasses;

    @Option(names = "--keep-duplicates-together", description = "Put all copies of a byte-identical image into one "
            + "part of the split (the part of the copy first in path order), so no test or validation image is "
            + "also trained on. The split is otherwise unchanged.")
    boolean keepDuplicatesTogether;

    @Option(names = "--dedupe", description = "Like --keep-duplicates-together, for near-duplicates too: images whose "
            + "perceptual hashes are at most 8 of 128 bits apart (resized, re-encoded, slightly shifted copies) go "
            + "into one part of the split. Decodes every image once before the split is used. `finetune4j clean` "
            + "lists the groups.")
    boolean dedupe;

    @Option(names = "--threads", paramLabel = "N", description = "Image decoding threads. Default: ${DEFAULT-VALUE}.")
    int threads = DataSettings.DEFAULT_THREADS;

    /** @return the data settings of a run with these options */
    DataSettings settings(Path dir, DataOptions data, String augment) {
        return new DataSettings(dir.toString(), data.splitConfig(), augment, data.onBadImage, threads,
                dropEmptyClasses, keepDuplicatesTogether, dedupe);
    }
}
