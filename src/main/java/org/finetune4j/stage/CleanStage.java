package org.finetune4j.stage;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.clean.CleanConfig;
import org.finetune4j.clean.CleanResult;
import org.finetune4j.clean.Cleaner;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.core.Json;
import org.finetune4j.core.ParallelMap;
import org.finetune4j.core.RunInfo;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImage;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.data.PerceptualHash;
import org.finetune4j.data.SplitName;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.FeatureSet;
import org.finetune4j.features.FeatureTrainer;
import org.finetune4j.report.CleanPage;
import org.finetune4j.report.Thumbnails;
import org.finetune4j.run.TrainConfig;

/**
 * The {@code clean} stage: features of every image of a folder (cached, as {@code train --mode features} extracts
 * them), perceptual hashes, then {@link Cleaner} — likely label errors, near-duplicates, outliers — written to a
 * folder as {@code clean.json}, ranked CSV files and {@code clean.html}; with a relabel file, the likely label errors
 * as a list to review. Reads the data folder, never changes it.
 * <pre>
 * CleanStage.Result r = CleanStage.run(run, ExtractionConfig.defaults(), CleanConfig.defaults(),
 *         new CleanStage.Settings(Path.of("models"), Path.of("eval/reports/photos-clean"), null), log, true);
 * </pre>
 */
public final class CleanStage {

    /** Side of the thumbnails on the page, in pixels. */
    private static final int THUMBNAIL_PX = 96;

    /**
     * Where {@code clean} reads and writes.
     *
     * @param modelsDir where bundle backbones are looked up ({@code --models-dir})
     * @param outDir    the folder the results are written to ({@code --out})
     * @param relabel   the file the relabel list is written to, or null ({@code --write-relabel})
     */
    public record Settings(Path modelsDir, Path outDir, Path relabel) {
    }

    /**
     * What {@code clean} did.
     *
     * @param result    what was found
     * @param outDir    where it was written
     * @param page      the HTML page
     * @param relabel   the relabel list, or null
     * @param backbone  the backbone's name
     * @param layer     the feature layer
     * @param badImages files left out
     */
    public record Result(CleanResult result, Path outDir, Path page, Path relabel, String backbone, String layer,
                         List<BadImage> badImages) {
    }

    /** What {@code clean.json} holds (keys in alphabetical order). */
    @JsonPropertyOrder(alphabetic = true)
    record CleanFile(String data, String backbone, String layer, CleanResult.Summary summary,
                     List<CleanResult.LabelIssue> labelIssues, List<CleanResult.DuplicateGroup> duplicates,
                     List<CleanResult.Outlier> outliers, List<CleanResult.Image> images, List<BadImage> badImages,
                     RunInfo runInfo) {
    }

    private CleanStage() {
    }

    /**
     * @param run        the run: data folder, split, backbone, seed
     * @param extraction feature layer, pooling, cache, batch size
     * @param cfg        what counts as an error, a duplicate, an outlier
     * @param settings   folders
     * @param log        one-line notes
     * @param progress   show progress on stderr
     * @throws UsageException when the folder has fewer usable images than folds
     */
    public static Result run(TrainConfig run, ExtractionConfig extraction, CleanConfig cfg, Settings settings,
                             Consumer<String> log, boolean progress) {
        FeatureTrainer.Featurized f = new FeatureTrainer(settings.modelsDir(), log, progress).featurize(run,
                extraction);
        Map<String, LabeledImage> byPath = new HashMap<>();
        Map<String, String> splitOf = new HashMap<>();
        for (SplitName s : SplitName.values()) {
            for (LabeledImage im : f.data().split().part(s)) {
                byPath.put(im.relativePath(), im);
                splitOf.put(im.relativePath(), s.label());
            }
        }
        List<String> paths = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (FeatureSet fs : List.of(f.train().centreViews(), f.val(), f.test())) {
            for (int i = 0; i < fs.size(); i++) {
                paths.add(fs.paths().get(i));
                rows.add(fs.x().row(i));
                labels.add(fs.y()[i]);
            }
        }
        if (paths.size() < Math.max(2, cfg.folds())) {
            throw new UsageException("--folds " + cfg.folds() + ": " + run.data().folder() + " has only "
                    + paths.size() + " usable images. Expected at least as many images as folds; use fewer folds "
                    + "or more data.");
        }
        List<PerceptualHash> hashes = ParallelMap.apply(paths, Math.max(1, run.data().threads()), "finetune4j-hash",
                p -> {
                    LabeledImage im = byPath.get(p);
                    try (Mat m = f.data().decoder().decode(im.file(), p)) {
                        return PerceptualHash.of(m);
                    }
                });
        log.accept(String.format(Locale.ROOT, "clean: %d images; out-of-fold probabilities from %d folds", paths.size(),
                cfg.folds()));
        Cleaner.Input in = new Cleaner.Input(paths, paths.stream().map(splitOf::get).toList(),
                labels.stream().mapToInt(Integer::intValue).toArray(), f.data().classes(),
                rows.toArray(new float[0][]), hashes.toArray(new PerceptualHash[0]));
        CleanResult r = Cleaner.run(in, cfg, f.seeds(), Math.max(1, run.data().threads()), progress);

        Path dir = settings.outDir();
        String data = Path.of(run.data().folder()).getFileName().toString();
        AtomicFiles.writeString(dir.resolve("clean.json"), Json.write(new CleanFile(data, f.backbone().name(),
                f.extractor().layer(), r.summary(), r.labelIssues(), r.duplicates(), r.outliers(), r.images(),
                f.data().badImages().list(), RunInfo.current(run.seed()))));
        writeCsvs(dir, r);
        Path page = dir.resolve("clean.html");
        Map<String, java.util.Optional<String>> thumbnails = new HashMap<>();    // each image decoded once
        CleanPage.write(page, data, r, p -> thumbnails.computeIfAbsent(p, q -> {
            LabeledImage im = byPath.get(q);
            return java.util.Optional.ofNullable(im == null ? null
                    : Thumbnails.dataUri(f.data().decoder(), im.file(), q, THUMBNAIL_PX));
        }).orElse(null));
        if (settings.relabel() != null) {
            writeRelabel(settings.relabel(), r);
        }
        return new Result(r, dir, page, settings.relabel(), f.backbone().name(), f.extractor().layer(),
                f.data().badImages().list());
    }

    private static void writeCsvs(Path dir, CleanResult r) {
        StringBuilder s = new StringBuilder("rank,path,split,given,suggested,given_probability,"
                + "suggested_probability,margin,score\n");
        for (CleanResult.LabelIssue i : r.labelIssues()) {
            s.append(i.rank()).append(',').append(csv(i.path())).append(',').append(i.split()).append(',')
                    .append(csv(i.given())).append(',').append(csv(i.suggested())).append(',')
                    .append(num(i.givenProbability())).append(',').append(num(i.suggestedProbability())).append(',')
                    .append(num(i.margin())).append(',').append(num(i.score())).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("label-issues.csv"), s.toString());
        s = new StringBuilder("group,path,split,label,leak,labels_differ,max_cosine,min_hash_bits\n");
        int g = 0;
        for (CleanResult.DuplicateGroup d : r.duplicates()) {
            g++;
            for (String p : d.files()) {
                s.append(g).append(',').append(csv(p)).append(',')
                        .append(r.images().stream().filter(im -> im.path().equals(p)).findFirst()
                                .map(im -> im.split() + "," + csv(im.given())).orElse(","))
                        .append(',').append(d.leak()).append(',').append(d.isLabelConflict()).append(',')
                        .append(num(d.maxCosine())).append(',').append(d.minHashBits()).append('\n');
            }
        }
        AtomicFiles.writeString(dir.resolve("near-duplicates.csv"), s.toString());
        s = new StringBuilder("rank,path,split,label,score,robust_z,nearest\n");
        for (CleanResult.Outlier o : r.outliers()) {
            s.append(o.rank()).append(',').append(csv(o.path())).append(',').append(o.split()).append(',')
                    .append(csv(o.given())).append(',').append(num(o.score())).append(',').append(num(o.robustZ()))
                    .append(',').append(csv(o.nearest())).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("outliers.csv"), s.toString());
        s = new StringBuilder("path,split,given,predicted,given_probability,label_error_score,margin,"
                + "outlier_score,hash,map_x,map_y\n");
        for (CleanResult.Image im : r.images()) {
            s.append(csv(im.path())).append(',').append(im.split()).append(',').append(csv(im.given())).append(',')
                    .append(csv(im.predicted())).append(',').append(num(im.givenProbability())).append(',')
                    .append(num(im.labelErrorScore())).append(',').append(num(im.margin())).append(',')
                    .append(num(im.outlierScore())).append(',')
                    .append(im.hash()).append(',').append(num(im.mapX())).append(',').append(num(im.mapY()))
                    .append('\n');
        }
        AtomicFiles.writeString(dir.resolve("images.csv"), s.toString());
    }

    /** The likely label errors as a list to review: one line per image, nothing applied. */
    private static void writeRelabel(Path file, CleanResult r) {
        StringBuilder s = new StringBuilder("# Likely label errors found by `finetune4j clean`, likeliest first. "
                + "Nothing was changed.\n# Review each line; to relabel, move the file to the folder of the label you "
                + "decide on (suggested is the classifier's guess).\npath,given,suggested,score\n");
        for (CleanResult.LabelIssue i : r.labelIssues()) {
            s.append(csv(i.path())).append(',').append(csv(i.given())).append(',').append(csv(i.suggested()))
                    .append(',').append(num(i.score())).append('\n');
        }
        AtomicFiles.writeString(file, s.toString());
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static String csv(String v) {
        return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\""
                : v;
    }
}
