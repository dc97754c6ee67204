package org.finetune4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/**
 * The layout of every command's {@code --help}: options under headings (data; model and head; optimisation and
 * schedule; augmentation; evaluation; features mode; search; general) instead of one alphabetical list, a few
 * examples at the end, a width that keeps values such as {@code ~/.finetune4j/weights} on one line, and no options
 * a command ignores.
 */
final class HelpLayout {

    /** Columns of the help text when the terminal's width is unknown (a pipe, a file). */
    static final int WIDTH = 120;

    private static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put("Data:", List.of("--data", "--val-fraction", "--test-fraction", "--on-bad-image",
                "--drop-empty-classes", "--keep-duplicates-together", "--dedupe", "--threads", "--source-per-class",
                "--target-per-class", "--out", "--images", "--versions", "--size"));
        GROUPS.put("Model and head:", List.of("--mode", "--model", "--name", "--arch", "--freeze-until",
                "--head-from", "--head-hidden", "--head-activation", "--head-batch-norm", "--dropout", "--init",
                "--activation", "--input-size", "--no-batch-norm", "--weights", "--weights-md5", "--weights-url", "--weights-cache",
                "--models-dir"));
        GROUPS.put("Optimisation and schedule:", List.of("--epochs", "--batch-size", "--updater", "--learning-rate",
                "--momentum", "--schedule", "--l1", "--l2", "--patience", "--early-stopping-metric", "--min-delta",
                "--unfreeze", "--stage2-epochs", "--stage2-lr", "--resume", "--checkpoint-interval", "--start-lr",
                "--end-lr", "--iterations",
                "--check-images", "--overfit-images", "--overfit-iterations"));
        GROUPS.put("Class imbalance:", List.of("--class-weights", "--sampler"));
        GROUPS.put("Augmentation and the frozen-layer cache:", List.of("--augment", "--augment-copies",
                "--per-epoch-augment", "--cache", "--cache-budget"));
        GROUPS.put("Evaluation:", List.of("--protocol", "--average", "--reports-dir", "--top-wrong", "--top-k"));
        GROUPS.put("Features mode (--mode features):", List.of("--layer", "--pool",
                "--classifier", "--penalty", "--loss", "--folds", "--c-grid", "--reg-grid", "--max-iterations",
                "--standardize",
                "--pca", "--whiten", "--clear", "--force"));
        GROUPS.put("Clean:", List.of("--write-relabel", "--components", "--duplicate-bits",
                "--duplicate-cosine", "--confirm-bits", "--neighbours", "--outlier-z", "--page-rows"));
        GROUPS.put("Search:", List.of("--c-range", "--lr-range", "--l2-range", "--dropout-range", "--head-widths",
                "--freeze-choices", "--coarse-trials", "--max-trials", "--trial-epochs", "--time-budget"));
    }

    /**
     * Options a command shares with {@code train} (declared once, in train's words in their mixin) but describes in
     * its own words: command → option → description.
     */
    private static final Map<String, Map<String, String>> WORDING = new LinkedHashMap<>();

    static {
        String probeMode = "finetune or scratch, as for train; search also takes features (cross-validates the linear "
                + "classifier's C on cached features). Default: ${DEFAULT-VALUE}.";
        String probeModel = "The backbone, as for train: a bundle name under models/, a bundle folder, or a built-in "
                + "name. Default: " + ModelOption.DEFAULT_WORDING + ".";
        String probeFreeze = "Freeze this layer and everything below it; `none` freezes nothing. Default: the "
                + "backbone's.";
        String probeAugment = "Augmentation recipe (used by search trials; check and lr-find use the evaluation "
                + "view). Default: ${DEFAULT-VALUE}.";
        for (String probe : List.of("check", "lr-find", "search")) {
            WORDING.put(probe, Map.of("--mode", probeMode, "--model", probeModel, "--freeze-until", probeFreeze,
                    "--augment", probeAugment));
        }
        WORDING.put("features", Map.of(
                "--model", "The backbone: vgg16, vgg19, a bundle name under models/ or a bundle folder. Default: "
                        + ModelOption.DEFAULT_WORDING + ".",
                "--augment", "Recipe of the --augment-copies views of training images. Default: ${DEFAULT-VALUE}.",
                "--threads", "Decoding threads. Default: ${DEFAULT-VALUE}.",
                "--weights", "vgg16/vgg19: a weights file you already have.",
                "--weights-md5", "With --weights: the MD5 your file must have instead of the published one, or "
                        + "`any` (unchecked, with a warning).",
                "--weights-url", "vgg16/vgg19: a mirror of the weights file.",
                "--weights-cache", "Where downloaded weights are kept."));
        WORDING.put("augment-preview", Map.of(
                "--model", "The backbone `train` would use: the crops are drawn at its input size. A bundle name "
                        + "under models/, a bundle folder, or a built-in name. Default: " + ModelOption.DEFAULT_WORDING
                        + ".",
                "--augment", "Recipe: a shipped name (none, flip-crop, resnet-scale, creative) or the path of a YAML "
                        + "file (augment/README.md). Default: ${DEFAULT-VALUE}."));
        WORDING.put("pretrain", Map.of(
                "--augment", "Augmentation recipe. Default: ${DEFAULT-VALUE}.",
                "--epochs", "Epochs. Default: ${DEFAULT-VALUE}.",
                "--head-hidden", "Sizes of the hidden fully connected layers on top of the convolutions; none for a "
                        + "single softmax layer. Default: none.",
                "--head-activation", "Activation of those fully connected layers. Default: ${DEFAULT-VALUE}.",
                "--head-batch-norm", "Batch normalisation after each of those layers.",
                "--dropout", "Drop probability before the classifier. Default: ${DEFAULT-VALUE}."));
    }

    /** Options {@code check} and {@code lr-find} accept through shared mixins but never use. */
    private static final List<String> IGNORED_BY_PROBES = List.of("--resume", "--checkpoint-interval", "--protocol",
            "--average", "--epochs", "--patience", "--early-stopping-metric", "--min-delta", "--sampler");

    private static final Map<String, String[]> EXAMPLES = Map.ofEntries(
            Map.entry("train", new String[] {
                "finetune4j train                                   (mini-vgg-shapes on data/shapes-target)",
                "finetune4j train --data photos/ --name pets --epochs 20 --lr 3e-4",
                "finetune4j train --data photos/ --model vgg16 --freeze-until block4_pool --augment resnet-scale",
                "finetune4j train --data photos/ --mode features --classifier svm",
                "finetune4j train --data photos/ --class-weights balanced --sampler balanced   (lopsided classes)",
                "finetune4j train --data photos/ --name pets --resume   (after Ctrl-C)"}),
            Map.entry("pretrain", new String[] {
                "finetune4j pretrain --data data/shapes-source --name my-backbone --epochs 30",
                "finetune4j pretrain --data photos/ --input-size 64 --no-batch-norm"}),
            Map.entry("features", new String[] {
                "finetune4j features --data photos/ --model vgg16 --layer fc2",
                "finetune4j features --clear"}),
            Map.entry("check", new String[] {
                "finetune4j check",
                "finetune4j check --data photos/ --model vgg16 --lr 1e-3"}),
            Map.entry("lr-find", new String[] {
                "finetune4j lr-find --data photos/",
                "finetune4j lr-find --data photos/ --start-lr 1e-6 --end-lr 1 --iterations 200"}),
            Map.entry("search", new String[] {
                "finetune4j search --data photos/ --max-trials 12",
                "finetune4j search --data photos/ --mode features",
                "finetune4j train --config eval/reports/<search run>/best-config.yaml"}),
            Map.entry("inspect", new String[] {
                "finetune4j inspect --data photos/",
                "finetune4j inspect --data photos/ --json > inspect.json"}),
            Map.entry("predict", new String[] {
                "finetune4j predict --model pets photos/new/",
                "finetune4j predict --model models/pets --top-k 1 --json cat.jpg",
                "finetune4j predict --model pets --min-confidence 0.8 photos/new/   (\"unknown\" below 0.8)"}),
            Map.entry("compare", new String[] {
                "finetune4j compare pets-finetune pets-features      (their shared test split)",
                "finetune4j compare pets-a pets-b pets-c --data other-photos/ --protocol center"}),
            Map.entry("evaluate", new String[] {
                "finetune4j evaluate --model pets                 (its recorded test split)",
                "finetune4j evaluate --model pets --data other-photos/ --protocol multi-scale"}),
            Map.entry("augment-preview", new String[] {
                "finetune4j augment-preview --out grid.png",
                "finetune4j augment-preview --data photos/ --augment creative --model vgg16 --out grid.png"}),
            Map.entry("layers", new String[] {
                "finetune4j layers --model vgg16",
                "finetune4j layers --model mini-vgg-shapes"}),
            Map.entry("clean", new String[] {
                "finetune4j clean                                   (mini-vgg-shapes on data/shapes-target)",
                "finetune4j clean --data photos/ --write-relabel relabel.csv",
                "finetune4j clean --data photos/ --duplicate-bits 4 --outlier-z 5"}),
            Map.entry("sample-data", new String[] {
                "finetune4j sample-data --out data/"}));

    private HelpLayout() {
    }

    /** Applies the layout to every sub-command of {@code root}. */
    static void install(CommandLine root) {
        root.setUsageHelpWidth(WIDTH);
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            CommandLine cmd = e.getValue();
            CommandSpec spec = cmd.getCommandSpec();
            if (e.getKey().equals("check") || e.getKey().equals("lr-find")) {
                drop(spec, IGNORED_BY_PROBES);
            }
            if (e.getKey().equals("pretrain")) {
                drop(spec, List.of("--head-from"));
            }
            if (e.getKey().equals("clean")) {
                // clean reads every image as it is: augmented copies and moving copies between splits mean nothing
                drop(spec, List.of("--augment-copies", "--dedupe", "--keep-duplicates-together"));
            }
            WORDING.getOrDefault(e.getKey(), Map.of()).forEach((name, text) -> redescribe(spec, name, text));
            String[] examples = EXAMPLES.get(e.getKey());
            if (examples != null) {
                String[] lines = new String[examples.length];
                for (int i = 0; i < examples.length; i++) {
                    lines[i] = "  " + examples[i];
                }
                spec.usageMessage().footerHeading("%nExamples:%n").footer(lines);
            }
            cmd.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
                    HelpLayout::groupedOptions);
        }
    }

    private static void drop(CommandSpec spec, List<String> names) {
        for (String n : names) {
            OptionSpec o = spec.findOption(n);
            if (o != null) {
                spec.remove(o);
            }
        }
    }

    private static void redescribe(CommandSpec spec, String name, String description) {
        OptionSpec o = spec.findOption(name);
        if (o != null) {
            OptionSpec replaced = OptionSpec.builder(o).description(description).build();
            spec.remove(o);
            spec.addOption(replaced);
        }
    }

    /** The option list, one block per heading; options of no group come last, under "General:". */
    static String groupedOptions(CommandLine.Help help) {
        List<OptionSpec> visible = help.commandSpec().options().stream().filter(o -> !o.hidden()).toList();
        boolean pretrain = help.commandSpec().name().equals("pretrain");
        CommandLine.Help.IParamLabelRenderer labels = help.createDefaultParamLabelRenderer();
        java.util.Comparator<OptionSpec> order = CommandLine.Help.createShortOptionArityAndNameComparator();
        StringBuilder out = new StringBuilder();
        List<OptionSpec> placed = new ArrayList<>();
        for (Map.Entry<String, List<String>> g : GROUPS.entrySet()) {
            List<OptionSpec> in = visible.stream().filter(o -> g.getValue().contains(o.longestName())).toList();
            if (in.isEmpty()) {
                continue;
            }
            placed.addAll(in);
            // `pretrain` builds a whole network: no head is put on anything
            out.append(String.format("%n%s%n", pretrain && g.getKey().startsWith("Model") ? "Model:" : g.getKey()));
            // a fresh layout per block: a layout keeps the rows it was given (picocli's TextTable accumulates)
            out.append(help.optionListExcludingGroups(new ArrayList<>(in), help.createDefaultLayout(), order,
                    labels));
        }
        List<OptionSpec> rest = visible.stream().filter(o -> !placed.contains(o)).toList();
        if (!rest.isEmpty()) {
            out.append(String.format("%n%s%n", placed.isEmpty() ? "Options:" : "General:"));
            out.append(help.optionListExcludingGroups(new ArrayList<>(rest), help.createDefaultLayout(), order,
                    labels));
        }
        return out.toString();
    }
}
