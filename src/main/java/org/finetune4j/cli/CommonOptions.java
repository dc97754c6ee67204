package org.finetune4j.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;
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

    /** @return where a stage's one-line notes go: {@code err}, flushed each line, or nowhere with --quiet */
    Consumer<String> log(PrintWriter err) {
        return log(quiet, err);
    }

    /** @return where a stage's one-line notes go: {@code err}, flushed each line, or nowhere when quiet */
    static Consumer<String> log(boolean quiet, PrintWriter err) {
        return line -> {
            if (!quiet) {
                err.println(line);
                err.flush();
            }
        };
    }

    /** @return the derived-seed source for this run */
    Seeds seeds() {
        return Seeds.of(seed);
    }
}
