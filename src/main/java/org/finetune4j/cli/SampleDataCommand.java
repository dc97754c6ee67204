package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.finetune4j.core.Json;
import org.finetune4j.data.ShapesConfig;
import org.finetune4j.data.ShapesResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finetune4j sample-data}: writes the synthetic sample sets. */
@Command(name = "sample-data",
        description = {"Writes the synthetic sample sets, deterministically from --seed (same seed, byte-identical "
                + "PNGs on the same JDK): shapes-source (20 classes of shapes, the large source set) and "
                + "shapes-target (10 different shape classes with few images each, the small target set). "
                + "Complete sets with the same settings are reused unless --force is given."})
final class SampleDataCommand extends RunCommand {

    @Option(names = "--out", paramLabel = "DIR", description = "Where the sets go. Default: ${DEFAULT-VALUE}.")
    Path out = Path.of("data");

    @Option(names = "--source-per-class", paramLabel = "N",
            description = "Images per class in shapes-source. Default: ${DEFAULT-VALUE}.")
    int sourcePerClass = ShapesConfig.defaults().sourcePerClass();

    @Option(names = "--target-per-class", paramLabel = "N",
            description = "Images per class in shapes-target. Default: ${DEFAULT-VALUE}.")
    int targetPerClass = ShapesConfig.defaults().targetPerClass();

    @Option(names = "--min-side-px", paramLabel = "PX",
            description = "Smallest image width or height. Default: ${DEFAULT-VALUE}.")
    int minSidePx = ShapesConfig.defaults().minSidePx();

    @Option(names = "--max-side-px", paramLabel = "PX",
            description = "Largest image width or height. Default: ${DEFAULT-VALUE}.")
    int maxSidePx = ShapesConfig.defaults().maxSidePx();

    @Option(names = "--force", description = "Rewrite the sets even if complete ones exist.")
    boolean force;

    @Override
    public Integer call() {
        ShapesConfig cfg = new ShapesConfig(sourcePerClass, targetPerClass, minSidePx, maxSidePx, common.seed);
        ShapesResult r = SampleData.generate(cfg, out, force, common.quiet || common.json);
        PrintWriter o = out();
        if (common.json) {
            java.util.Map<String, Object> json = new java.util.LinkedHashMap<>();
            json.put("seed", cfg.seed());
            json.put("min-side-px", cfg.minSidePx());
            json.put("max-side-px", cfg.maxSidePx());
            for (ShapesResult.SetSummary s : new ShapesResult.SetSummary[] {r.source(), r.target()}) {
                json.put(s.set().folderName(), java.util.Map.of("folder", out.resolve(s.set().folderName())
                        .toString(), "classes", s.classNames(), "per-class", s.perClass(),
                        "images-written", s.imagesWritten(), "reused", s.reused()));
            }
            o.println(Json.write(json));
        } else {
            for (ShapesResult.SetSummary s : new ShapesResult.SetSummary[] {r.source(), r.target()}) {
                o.printf(Locale.ROOT, "%s: %d classes x %d images%s%n", out.resolve(s.set().folderName()),
                        s.classNames().size(), s.perClass(), s.reused() ? " (already complete, reused)"
                                : String.format(Locale.ROOT, " (%d written)", s.imagesWritten()));
            }
            o.printf(Locale.ROOT, "seed %d, sides %d..%d px, %.1f s%n", cfg.seed(), cfg.minSidePx(),
                    cfg.maxSidePx(), r.elapsedMillis() / 1000.0);
        }
        o.flush();
        return Finetune4j.EXIT_OK;
    }
}
