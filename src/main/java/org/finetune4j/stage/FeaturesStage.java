package org.finetune4j.stage;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.finetune4j.core.AtomicFiles;
import org.finetune4j.extract.FeatureCache;
import org.finetune4j.features.ExtractionConfig;
import org.finetune4j.features.FeatureSet;
import org.finetune4j.features.FeatureTrainer;
import org.finetune4j.run.TrainConfig;

/**
 * The {@code features} stage: extracts (or reads back from the cache) the features of every split of a run's data,
 * and optionally writes them as CSV.
 * <pre>
 * FeaturesStage.Result r = FeaturesStage.run(run, extraction, modelsDir, csvOrNull, log, true);
 * r.features().extractor().dimension();   // r.cache() is the cache after the run
 * </pre>
 */
public final class FeaturesStage {

    /**
     * What {@code features} did.
     *
     * @param features the features of every split, with the data and the extractor
     * @param cache    how much the cache holds afterwards
     */
    public record Result(FeatureTrainer.Featurized features, FeatureCache.Stats cache) {
    }

    private FeaturesStage() {
    }

    /**
     * Featurizes the run's data and, when {@code csv} is given, writes the features there: split, relative path,
     * label, view, then one column per value; splits in name order.
     *
     * @param csv      the CSV file to write, or null
     * @param log      one-line notes
     * @param progress whether to show progress displays
     */
    public static Result run(TrainConfig run, ExtractionConfig extraction, Path modelsDir, Path csv,
                             Consumer<String> log, boolean progress) {
        FeatureTrainer.Featurized f = new FeatureTrainer(modelsDir, log, progress).featurize(run, extraction);
        if (csv != null) {
            writeCsv(csv, f);
        }
        return new Result(f, extraction.cache().stats());
    }

    private static void writeCsv(Path file, FeatureTrainer.Featurized f) {
        StringBuilder s = new StringBuilder("split,path,label,view");
        for (int j = 0; j < f.extractor().dimension(); j++) {
            s.append(",f").append(j);
        }
        s.append('\n');
        List<String> classes = f.data().classes();
        for (Map.Entry<String, FeatureSet> e : Map.of("train", f.train(), "val", f.val(), "test", f.test())
                .entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            FeatureSet fs = e.getValue();
            for (int i = 0; i < fs.size(); i++) {
                s.append(e.getKey()).append(',').append(csv(fs.paths().get(i))).append(',')
                        .append(csv(classes.get(fs.y()[i]))).append(',').append(fs.augmented()[i] ? "augmented"
                                : "centre");
                for (float v : fs.x().row(i)) {
                    s.append(',').append(v);
                }
                s.append('\n');
            }
        }
        AtomicFiles.writeString(file, s.toString());
    }

    private static String csv(String v) {
        return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
