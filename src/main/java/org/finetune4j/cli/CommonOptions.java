package org.finetune4j.cli;

import org.finetune4j.core.Seeds;
import picocli.CommandLine.Option;

/** Options every command that does work shares: {@code --seed}, {@code --quiet}, {@code --json}. */
public final class CommonOptions {

    @Option(names = "--seed", paramLabel = "N",
            description = "Root seed for everything random (split, augmentation, initialisation). Default: ${DEFAULT-VALUE}.")
    long seed = Seeds.DEFAULT_SEED;

    @Option(names = {"-q", "--quiet"}, description = "No progress display; results and errors only.")
    boolean quiet;

    @Option(names = "--json", description = "Print the result as JSON on stdout (for scripts).")
    boolean json;

    /** @return the derived-seed source for this run */
    Seeds seeds() {
        return Seeds.of(seed);
    }
}
