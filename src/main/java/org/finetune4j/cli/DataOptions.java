package org.finetune4j.cli;

import java.nio.file.Path;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.SplitConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The data a command reads: {@code --data} and the split fractions. */
public final class DataOptions {

    /** The default data folder: the synthetic target set, generated on first use. */
    static final Path DEFAULT_DATA = Path.of("data", "shapes-target");

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder of images, ROOT/<class>/<image> or ROOT/train|val|test/<class>/<image>. "
                    + "Default: ${DEFAULT-VALUE} (the synthetic sample set, generated on first use).")
    Path data = DEFAULT_DATA;

    @Option(names = "--val-fraction", paramLabel = "F",
            description = "Fraction of each class held out for validation. Default: ${DEFAULT-VALUE}.")
    double valFraction = SplitConfig.defaults().valFraction();

    @Option(names = "--test-fraction", paramLabel = "F",
            description = "Fraction of each class held out for the final test. Default: ${DEFAULT-VALUE}.")
    double testFraction = SplitConfig.defaults().testFraction();

    @Option(names = "--on-bad-image", paramLabel = "POLICY",
            description = "What to do with files that cannot be used (empty, truncated, corrupt, not an image, "
                    + "unreadable, absurdly large): ${COMPLETION-CANDIDATES}. skip leaves them out and lists them at "
                    + "the end; fail stops before any work, naming the file. Default: ${DEFAULT-VALUE}.")
    BadImagePolicy onBadImage = BadImagePolicy.SKIP;

    /** @return whether {@code --data} names a folder other than the default sample set */
    boolean given() {
        return !data.equals(DEFAULT_DATA);
    }

    /** @return the split fractions, validated */
    SplitConfig splitConfig() {
        return new SplitConfig(valFraction, testFraction);
    }

    /** @return the data folder; the sample sets are generated first when the default is named and missing */
    Path resolveData(CommandSpec spec, CommonOptions common) {
        return SampleData.ensureIfSampleSet(data, common.quiet, spec.commandLine().getErr());
    }
}
