package org.finetune4j.stage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.finetune4j.core.RunInfo;
import org.finetune4j.core.Seeds;
import org.finetune4j.core.UsageException;
import org.finetune4j.eval.Comparison;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.report.ComparisonReport;

/**
 * The {@code compare} stage: evaluates two or more bundles on the same images (their common recorded test split, or
 * a folder) with the same protocol, compares them ({@link Comparison}) and writes a comparison page.
 * <pre>
 * CompareStage.Result r = new CompareStage(settings).run(plan -&gt; log(plan), true);
 * r.comparison().pairs().get(0).pValue();   // the page is r.report().resolve("compare.html")
 * </pre>
 */
public final class CompareStage {

    /**
     * What {@code compare} compares and where the page goes.
     *
     * @param models     two or more trained bundles: names under {@code modelsDir} or folders
     * @param data       a folder of class folders, or null for the test split the bundles share
     * @param protocol   a protocol name or YAML file (eval/README.md)
     * @param average    how crop predictions are combined: {@code probs} or {@code log-probs}
     * @param batchSize  most crops per forward pass, at least 1
     * @param modelsDir  where bundles are looked up by name
     * @param reportsDir where the comparison's folder is written
     * @param seed       the paired bootstrap's seed
     */
    public record Settings(List<String> models, Path data, String protocol, String average, int batchSize,
                           Path modelsDir, Path reportsDir, long seed) {
    }

    /**
     * What is about to be compared, for the command's start line.
     *
     * @param bundles  the bundles' names
     * @param images   images to evaluate each on
     * @param data     the data as the report names it
     * @param protocol the protocol's name
     */
    public record Plan(List<String> bundles, int images, String data, String protocol) {
    }

    /**
     * What {@code compare} found.
     *
     * @param comparison the scores, tests and differences
     * @param data       the data as the report names it
     * @param protocol   the protocol's name
     * @param report     the folder written ({@code compare.html}, {@code comparison.json}, plots)
     */
    public record Result(Comparison comparison, String data, String protocol, Path report) {
    }

    private final Settings settings;
    private final CropProtocol protocol;
    private final MultiCropEvaluator.Averaging averaging;

    /**
     * Checks the settings before any work.
     *
     * @throws UsageException for fewer than two bundles, one named twice, or a bad protocol, averaging or batch size
     */
    public CompareStage(Settings settings) {
        if (settings.models().size() < 2) {
            throw new UsageException("compare: " + settings.models().size() + " bundle(s) given. Expected two or "
                    + "more bundles to compare; received " + settings.models() + ". Name them: `finetune4j compare "
                    + "A B`.");
        }
        if (new HashSet<>(settings.models()).size() != settings.models().size()) {
            throw new UsageException("compare: a bundle is named twice in " + settings.models() + ". Expected "
                    + "different bundles. Name each once.");
        }
        if (settings.batchSize() < 1) {
            throw new UsageException("--batch-size " + settings.batchSize() + ": expected at least 1 crop per "
                    + "forward pass.");
        }
        this.settings = settings;
        this.averaging = MultiCropEvaluator.Averaging.of(settings.average());
        this.protocol = CropProtocolLoader.load(settings.protocol());
    }

    /**
     * Loads the bundles, checks they can be compared, evaluates each and writes the page.
     *
     * @param onStart  told what is about to be compared
     * @param progress whether to show progress displays
     * @throws UsageException if a model is not a bundle, the bundles' labels differ, or (without {@code --data})
     *                        their recorded test splits differ
     */
    public Result run(Consumer<Plan> onStart, boolean progress) {
        List<BundleStore.Loaded> loaded = new ArrayList<>();
        for (String model : settings.models()) {
            if (Backbones.find(model).isPresent()) {
                throw new UsageException("compare " + model + ": a backbone, not a trained bundle; it knows no "
                        + "labels of yours. Expected trained bundles (`finetune4j train`).");
            }
            Path dir = Backbones.findBundle(model, settings.modelsDir())
                    .orElseThrow(() -> Backbones.unknownBundle(model, settings.modelsDir(), "compare"));
            loaded.add(BundleStore.load(dir));
        }
        ModelBundle first = loaded.get(0).bundle();
        for (BundleStore.Loaded l : loaded.subList(1, loaded.size())) {
            ModelBundle b = l.bundle();
            if (!b.labels().equals(first.labels())) {
                throw new UsageException("compare: the bundles " + first.name() + " and " + b.name() + " have "
                        + "different labels. Expected the same classes in the same order; received " + first.name()
                        + ": " + String.join(", ", first.labels()) + "; " + b.name() + ": " + String.join(", ",
                        b.labels()) + ". Compare bundles trained on the same classes.");
            }
        }
        EvaluateStage.Images images;
        if (settings.data() != null) {
            images = EvaluateStage.fromFolder(settings.data(), first);
        } else {
            for (BundleStore.Loaded l : loaded.subList(1, loaded.size())) {
                ModelBundle b = l.bundle();
                if (!Objects.equals(b.dataRoot(), first.dataRoot())
                        || !new HashSet<>(b.testSplit()).equals(new HashSet<>(first.testSplit()))) {
                    throw new UsageException("compare: the bundles " + first.name() + " and " + b.name() + " record "
                            + "different test splits (" + first.testSplit().size() + " images of "
                            + first.dataRoot() + " vs " + b.testSplit().size() + " of " + b.dataRoot() + "), so "
                            + "neither split is held out from both. Expected the same test split; name held-out "
                            + "images with --data FOLDER.");
                }
            }
            images = EvaluateStage.fromBundle(first);
        }
        List<String> names = loaded.stream().map(l -> l.bundle().name()).toList();
        onStart.accept(new Plan(names, images.images().size(), images.description(), protocol.name()));
        List<Evaluation> evaluations = new ArrayList<>();
        for (BundleStore.Loaded l : loaded) {
            evaluations.add(EvaluateStage.evaluate(l, images.images(), protocol, averaging, settings.batchSize(),
                    !progress, "evaluating " + l.bundle().name()));
        }
        Comparison c = Comparison.of(names, evaluations, Seeds.of(settings.seed()));
        String run = EvaluateStage.runName("compare-" + String.join("-vs-", names));
        Path dir = ComparisonReport.write(settings.reportsDir().resolve(run), c, images.description(),
                protocol.name() + " (" + averaging.key() + " averaging)", RunInfo.current(settings.seed()));
        return new Result(c, images.description(), protocol.name(), dir);
    }
}
