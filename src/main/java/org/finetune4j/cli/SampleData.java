package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.finetune4j.core.Progress;
import org.finetune4j.data.ShapesConfig;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.data.ShapesResult;
import org.finetune4j.data.ShapesSet;

/** Generates the synthetic sample sets on first use when a command names one of them (e.g. the default data). */
final class SampleData {
    private SampleData() {
    }

    /**
     * If {@code data} is {@code <dir>/shapes-source} or {@code <dir>/shapes-target} and that set is missing or was
     * interrupted (no completion marker), generates it with the default settings; a complete set made with other
     * settings (e.g. {@code sample-data --source-per-class 20}) is used as it is. Any other path is returned
     * untouched.
     */
    static Path ensureIfSampleSet(Path data, boolean quiet, PrintWriter err) {
        Path name = data.getFileName();
        for (ShapesSet set : ShapesSet.values()) {
            if (name != null && name.toString().equals(set.folderName())) {
                Path out = data.toAbsolutePath().getParent();
                ShapesConfig cfg = ShapesConfig.defaults();
                boolean markerPresent = java.nio.file.Files.exists(
                        data.resolve(ShapesGenerator.COMPLETE_MARKER));
                if (!markerPresent) {
                    err.println("finetune4j: generating the sample set " + data + " (once; seed "
                            + cfg.seed() + ")");
                    err.flush();
                    try (Progress p = Progress.start("generating " + set.folderName(),
                            (long) cfg.perClass(set) * set.classNames().size(), " img", !quiet)) {
                        ShapesGenerator.ensureSet(cfg, out, set, (s, written, total) -> p.step());
                    }
                }
            }
        }
        return data;
    }

    /** Generates both sets (or reuses complete ones), with a progress display. */
    static ShapesResult generate(ShapesConfig cfg, Path out, boolean force, boolean quiet) {
        long total = 0;
        for (ShapesSet set : ShapesSet.values()) {
            if (force || !ShapesGenerator.isComplete(cfg, out, set)) {
                total += (long) cfg.perClass(set) * set.classNames().size();
            }
        }
        try (Progress p = Progress.start("generating", total, " img", !quiet && total > 0)) {
            ShapesGenerator.Listener listener = (s, written, t) -> p.step();
            return force ? ShapesGenerator.generate(cfg, out, listener) : ShapesGenerator.ensure(cfg, out, listener);
        }
    }
}
