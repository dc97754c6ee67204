package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.finetune4j.core.Json;
import org.finetune4j.core.Progress;
import org.finetune4j.data.BadImage;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.BadImagePolicy;
import org.finetune4j.data.DatasetInspector;
import org.finetune4j.data.DatasetReport;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.data.SplitConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finetune4j inspect}: what is in a folder of images, and what is wrong with it. */
@Command(name = "inspect",
        description = {"Counts images per class and per split, gives image size statistics, lists bad files with "
                + "reasons, warns of class imbalance, and finds byte-identical duplicates, including those that "
                + "straddle the train/validation/test split (a data leak). Every file is decoded once."})
final class InspectCommand extends DataCommand {

    @Option(names = "--threads", paramLabel = "N",
            description = "Decoding threads. Default: the number of cores (${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() {
        SplitConfig splitConfig = data.splitConfig();   // options are validated before any work
        Path dir = resolveData();
        ImageFolder folder = ImageFolder.scan(dir);
        DatasetReport report;
        try (Progress progress = Progress.start("inspecting", folder.images().size(), " img",
                !common.quiet && !common.json)) {
            report = new DatasetInspector(ImageDecoder.defaults(), threads)
                    .inspect(folder, splitConfig, common.seeds(), done -> progress.step());
        }
        PrintWriter out = out();
        if (common.json) {
            out.println(Json.write(report));
        } else {
            printText(report, out);
        }
        out.flush();
        if (data.onBadImage == BadImagePolicy.FAIL && !report.badImages().isEmpty()) {
            BadImage first = report.badImages().get(0);
            throw new BadImageException(first.relativePath(), first.reason() + " (--on-bad-image fail; "
                    + report.badImages().size() + " bad file(s) in all, listed above)");
        }
        return Finetune4j.EXIT_OK;
    }

    static void printText(DatasetReport r, PrintWriter out) {
        int usable = r.classes().stream().mapToInt(DatasetReport.ClassCount::total).sum();
        out.printf(Locale.ROOT, "%s: %d image files in %d classes (%s layout); %d usable%n", r.data(),
                r.imageCount(), r.classes().size(), r.layout(), usable);
        if ("pre-split".equals(r.layout())) {
            out.println("split: as given by the train/ val/ test/ folders");
        } else {
            out.printf(Locale.ROOT, "split: seed %d, validation %.2f, test %.2f (the split `train` makes with "
                    + "these options)%n", r.seed(), r.splitConfig().valFraction(), r.splitConfig().testFraction());
        }
        out.println();
        int width = Math.max(5, r.classes().stream().mapToInt(c -> c.name().length()).max().orElse(5));
        String row = "  %-" + width + "s %7s %7s %7s %7s%n";
        out.printf(Locale.ROOT, row, "class", "total", "train", "val", "test");
        int t = 0;
        int tr = 0;
        int va = 0;
        int te = 0;
        for (DatasetReport.ClassCount c : r.classes()) {
            out.printf(Locale.ROOT, row, c.name(), c.total(), c.train(), c.val(), c.test());
            t += c.total();
            tr += c.train();
            va += c.val();
            te += c.test();
        }
        out.printf(Locale.ROOT, row, "(all)", t, tr, va, te);
        out.println();
        DatasetReport.SizeStats s = r.sizes();
        out.printf(Locale.ROOT, "sizes: width %d..%d px (median %d), height %d..%d px (median %d), "
                        + "aspect w/h %.2f..%.2f%n", s.minWidth(), s.maxWidth(), s.medianWidth(), s.minHeight(),
                s.maxHeight(), s.medianHeight(), s.minAspect(), s.maxAspect());
        StringBuilder formats = new StringBuilder();
        r.formats().forEach((k, v) -> formats.append(formats.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(v));
        out.println("formats: " + (formats.length() == 0 ? "none" : formats));
        out.printf(Locale.ROOT, "class balance: largest/smallest = %.2f%n", r.imbalanceRatio());
        if (!r.ignoredFiles().isEmpty()) {
            out.println("ignored (not images by extension, or outside class folders): " + r.ignoredFiles().size());
        }
        out.println();
        if (r.badImages().isEmpty()) {
            out.println("bad files: none");
        } else {
            out.println("bad files (" + r.badImages().size() + ", skipped by training with --on-bad-image skip):");
            for (BadImage b : r.badImages()) {
                out.println("  " + b.relativePath() + ": " + b.reason());
            }
        }
        if (r.duplicates().isEmpty()) {
            out.println("duplicates: none");
        } else {
            out.printf(Locale.ROOT, "duplicates: %d group(s) of byte-identical files, %d across splits (leak):%n",
                    r.duplicates().size(), r.leaks().size());
            for (DatasetReport.DuplicateGroup g : r.duplicates()) {
                out.println("  " + String.join(", ", g.files()) + "  [" + String.join(", ", g.splits()) + "]"
                        + (g.isLeak() ? "  LEAK" : "") + (g.isLabelConflict() ? "  LABEL CONFLICT" : ""));
            }
        }
        if (!r.warnings().isEmpty()) {
            out.println();
            out.println("warnings:");
            for (String w : r.warnings()) {
                out.println("  - " + w);
            }
        }
    }
}
