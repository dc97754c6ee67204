package org.finetune4j.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.augment.Augmenter;
import org.finetune4j.augment.ImageSize;
import org.finetune4j.augment.Recipe;
import org.finetune4j.augment.RecipeLoader;
import org.finetune4j.core.Json;
import org.finetune4j.core.RunInfo;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.data.TrainingData;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.model.BackboneLoader;
import org.finetune4j.model.BackboneSpec;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.run.History;
import org.finetune4j.run.ClassWeights;
import org.finetune4j.run.Imbalance;
import org.finetune4j.run.PreparedRun;
import org.finetune4j.run.RunSetup;
import org.finetune4j.run.TrainConfig;
import org.finetune4j.run.TrainResult;

/**
 * {@code train --mode features} end to end: data (the same scan, split and screening as {@code train}), backbone,
 * features of every split (cached), cross-validated choice of the regularization on the training split, the final
 * classifier on the whole training split, validation and test accuracy, and a bundle whose network is the frozen
 * backbone up to the feature layer plus one softmax layer holding the classifier with the feature preprocessing
 * folded in — so {@code predict} and {@code evaluate} treat it like any other bundle.
 * <pre>{@code
 * FeatureTrainResult r = new FeatureTrainer(Path.of("models"), System.err::println, true).run(cfg);
 * }</pre>
 */
public final class FeatureTrainer {

    private final Path modelsDir;
    private final Consumer<String> log;
    private final boolean progress;

    /**
     * @param modelsDir where bundles are written and bundle backbones are found
     * @param log       receives one-line notes for the user
     * @param progress  show progress bars on stderr
     */
    public FeatureTrainer(Path modelsDir, Consumer<String> log, boolean progress) {
        this.modelsDir = modelsDir;
        this.log = log;
        this.progress = progress;
    }

    /**
     * The features of a run's splits.
     *
     * @param data      the prepared data
     * @param seeds     the run's derived random streams
     * @param backbone  the backbone
     * @param extractor the extractor (cut network, layer, pooling)
     * @param train     training rows: centre views, then augmented copies
     * @param val       validation rows (centre views)
     * @param test      test rows (centre views)
     * @param stats     extraction counts over all splits and views
     */
    public record Featurized(TrainingData data, Seeds seeds, BackboneLoader.Loaded backbone,
                             FeatureExtractor extractor, FeatureSet train, FeatureSet val, FeatureSet test,
                             FeatureExtractor.Stats stats) {
    }

    /** Prepares data and backbone and extracts (or reads from the cache) the features of every split. */
    public Featurized featurize(TrainConfig run, ExtractionConfig ex) {
        Recipe recipe = ex.augmentCopies() > 0 ? RecipeLoader.load(ex.augment()) : null;
        RunSetup setup = new RunSetup(modelsDir, log);
        PreparedRun prepared = setup.prepare(run);
        Seeds seeds = prepared.seeds();
        TrainingData data = prepared.data();
        BackboneLoader.Loaded backbone = setup.backbone(prepared);
        String layer = ex.layer() != null ? ex.layer() : defaultLayer(run.model(), backbone.graph());
        FeatureExtractor fx = FeatureExtractor.of(backbone.graph(), backbone.preprocessing(), layer, ex.pool(),
                ex.cache());
        log.accept("features: layer " + layer + (fx.pooling() == FeatureExtractor.Pooling.NONE ? ""
                : ", global " + fx.pooling().name().toLowerCase(java.util.Locale.ROOT) + " pooling") + ", "
                + fx.dimension() + " values per image; cache " + ex.cache().space(fx.cacheKey(
                FeatureExtractor.View.centre())).dir());
        int threads = run.data().threads();
        List<FeatureExtractor.View> trainViews = new ArrayList<>(List.of(FeatureExtractor.View.centre()));
        if (recipe != null) {
            Augmenter aug = Augmenter.of(recipe, new ImageSize(backbone.preprocessing().input().height(),
                    backbone.preprocessing().input().width()), seeds);
            String recipeKey = recipe.key();
            for (int c = 0; c < ex.augmentCopies(); c++) {
                trainViews.add(new FeatureExtractor.View(aug, recipeKey, run.seed(), c));
            }
        }
        FeatureExtractor.Stats[] stats = {FeatureExtractor.Stats.none()};
        FeatureSet train = rows(fx, data, data.split().train(), trainViews, threads, ex.batchSize(), stats);
        FeatureSet val = rows(fx, data, data.split().val(), List.of(FeatureExtractor.View.centre()), threads,
                ex.batchSize(), stats);
        FeatureSet test = rows(fx, data, data.split().test(), List.of(FeatureExtractor.View.centre()), threads,
                ex.batchSize(), stats);
        return new Featurized(data, seeds, backbone, fx, train, val, test, stats[0]);
    }

    private FeatureSet rows(FeatureExtractor fx, TrainingData data, List<LabeledImage> images,
                            List<FeatureExtractor.View> views, int threads, int batchSize,
                            FeatureExtractor.Stats[] stats) {
        List<String> paths = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        List<Integer> group = new ArrayList<>();
        List<Boolean> augmented = new ArrayList<>();
        FeatureMatrix matrix = null;
        for (FeatureExtractor.View view : views) {
            FeatureExtractor.Extraction e = fx.extract(images, view, data.decoder(), data.badImages(), threads,
                    batchSize, progress);
            stats[0] = stats[0].plus(e.stats());
            for (int i = 0; i < images.size(); i++) {
                if (e.features()[i] != null) {
                    if (matrix == null) {   // room for every view of every image; trimmed below if some failed
                        matrix = FeatureMatrix.zeros(images.size() * views.size(), e.features()[i].length);
                    }
                    matrix.setRow(paths.size(), e.features()[i]);
                    paths.add(images.get(i).relativePath());
                    y.add(images.get(i).classIndex());
                    group.add(i);
                    augmented.add(view.isAugmented());
                }
            }
        }
        boolean[] aug = new boolean[augmented.size()];
        for (int i = 0; i < aug.length; i++) {
            aug[i] = augmented.get(i);
        }
        if (matrix == null) {
            matrix = FeatureMatrix.zeros(0, fx.dimension());
        } else if (matrix.rows() > paths.size()) {
            FeatureMatrix all = matrix;
            matrix = all.select(java.util.stream.IntStream.range(0, paths.size()).toArray());
            all.close();
        }
        return new FeatureSet(paths, matrix, y.stream().mapToInt(Integer::intValue).toArray(),
                group.stream().mapToInt(Integer::intValue).toArray(), aug);
    }

    /**
     * The default feature layer of a backbone: the built-in spec's (for a bundle, the spec of the architecture it
     * was made from), if the network has it; else {@code fc2}; else the last pooling layer.
     */
    public String defaultLayer(String model, ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Optional<BackboneSpec> spec = Backbones.find(model);
        if (spec.isEmpty()) {
            Optional<Path> dir = Backbones.findBundle(model, modelsDir);
            if (dir.isPresent()) {
                spec = Backbones.find(BundleStore.readMeta(dir.get()).backbone());
            }
        }
        if (spec.isPresent() && conf.getVertices().containsKey(spec.get().defaultFeatureLayer())) {
            return spec.get().defaultFeatureLayer();
        }
        if (conf.getVertices().containsKey("fc2")) {
            return "fc2";
        }
        String lastPool = null;
        for (String v : conf.getTopologicalOrderStr()) {
            if (v.endsWith("_pool")) {
                lastPool = v;
            }
        }
        if (lastPool == null) {
            throw new org.finetune4j.core.UsageException("--layer: " + model + " has no fc2 and no pooling layer "
                    + "to default to. Name the feature layer with --layer (run `finetune4j layers --model " + model
                    + "`).");
        }
        return lastPool;
    }

    /**
     * Runs {@code train --mode features}.
     *
     * @return the result; its {@link TrainResult} has an empty history (nothing is trained epoch by epoch)
     */
    public FeatureTrainResult run(FeatureTrainConfig cfg) {
        long started = System.nanoTime();
        TrainConfig run = cfg.run();
        Featurized f = featurize(run, cfg.extraction());
        double extractSeconds = (System.nanoTime() - started) / 1e9;
        int classes = f.data().classes().size();
        Seeds seeds = f.seeds();
        ClassifierConfig cc = cfg.classifier();
        long[] counts = PreparedRun.trainCounts(f.data());
        double[] weights = ClassWeights.of(run.balance().classWeights(), f.data().classes(), counts);
        if (weights != null) {
            log.accept("class weights (" + run.balance().classWeights() + "): "
                    + ClassWeights.describe(f.data().classes(), weights));
        }
        LinearClassifier clf = LinearClassifier.of(cc, seeds.value("classifier"), weights);
        if (f.train().size() < cc.folds()) {
            throw new org.finetune4j.core.UsageException("--folds " + cc.folds() + ": the training split has only "
                    + f.train().size() + " usable images. Expected at least as many images as folds; use fewer "
                    + "folds or more data.");
        }
        long fitStart = System.nanoTime();
        int threads = Math.max(1, run.data().threads());
        log.accept("cross-validating " + clf.describe() + " over " + cc.cGrid().size() + " values of C with "
                + cc.folds() + " folds on " + f.train().size() + " training rows (feature preprocessing: "
                + cc.scaling().describe() + ")");
        CrossValidation.Result cv = CrossValidation.run(f.train(), classes, clf, cc, seeds, threads);
        double c = cv.best().c();
        FeatureTransform transform = FeatureTransform.fit(f.train().x(), cc.scaling());
        LinearModel model;
        // the classifier runs on the features themselves when the preprocessing changes nothing, else on one
        // transformed copy
        try (FeatureMatrix z = transform.isIdentity() ? null : transform.apply(f.train().x())) {
            model = clf.fit(z == null ? f.train().x() : z, f.train().y(), classes, c, null);
        }
        LinearModel folded = transform.fold(model);
        double fitSeconds = (System.nanoTime() - fitStart) / 1e9;

        FeatureSet trainCentre = f.train().centreViews();
        double trainAcc = folded.accuracy(trainCentre.x(), trainCentre.y());
        trainCentre.x().close();
        double valAcc = folded.accuracy(f.val().x(), f.val().y());
        double valLoss = folded.crossEntropy(f.val().x(), f.val().y());
        double testAcc = folded.accuracy(f.test().x(), f.test().y());
        double testLoss = folded.crossEntropy(f.test().x(), f.test().y());

        ComputationGraph graph = LinearHead.attach(f.extractor(), folded);
        ObjectNode runConfig = Json.mapper().valueToTree(cfg);
        runConfig.set("labels", Json.mapper().valueToTree(f.data().classes()));
        runConfig.put("backbone", f.backbone().name());
        runConfig.put("feature-layer", f.extractor().layer());
        runConfig.put("pooling", f.extractor().pooling().name().toLowerCase(java.util.Locale.ROOT));
        runConfig.put("feature-dimension", f.extractor().dimension());
        runConfig.put("classifier-input-dimension", transform.outputs());
        runConfig.put("chosen-c", c);
        runConfig.set("preprocessing", Json.mapper().valueToTree(f.backbone().preprocessing()));
        runConfig.put("scores", cc.kind().equals("svm") ? "softmax over one-vs-rest SVM decision values: not "
                + "calibrated probabilities" : "softmax probabilities of the logistic regression");
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("test-accuracy", testAcc);
        metrics.put("test-loss", testLoss);
        metrics.put("val-accuracy", valAcc);
        metrics.put("val-loss", valLoss);
        metrics.put("train-accuracy", trainAcc);
        metrics.put("cv-accuracy", cv.best().meanAccuracy());
        metrics.put("c", c);
        metrics.values().removeIf(v -> v == null || v.isNaN());
        Imbalance.of(f.data().classes(), counts).record(metrics, f.data().classes());
        // everything below the new output layer is frozen: the feature layer, or the pooling vertex after it
        String frozenTop = f.extractor().pooling() == FeatureExtractor.Pooling.NONE ? f.extractor().layer()
                : FeatureExtractor.POOL_VERTEX;
        ModelBundle meta = new ModelBundle(ModelBundle.FORMAT_VERSION, run.name(), f.data().classes(), f.backbone().preprocessing(),
                new ModelBundle.Origin(f.backbone().name(), frozenTop, f.extractor().layer(), "features", runConfig),
                new ModelBundle.DataOrigin(run.data().folder(), f.data().fingerprint(), f.data().split().test().stream() .map(LabeledImage::relativePath).toList(), f.data().split().val().stream().map(LabeledImage::relativePath).toList()), metrics, RunInfo.current(run.seed()), null);
        Path dir = modelsDir.resolve(run.name());
        ModelBundle written = BundleStore.save(dir, graph, meta);
        List<String> frozen = new ArrayList<>();
        for (String v : graph.getConfiguration().getTopologicalOrderStr()) {
            if (graph.getVertex(v).hasLayer() && graph.getVertex(v).getLayer()
                    instanceof org.deeplearning4j.nn.layers.FrozenLayer) {
                frozen.add(v);
            }
        }
        TrainResult tr = new TrainResult(dir, written, History.empty(), testLoss, testAcc, f.data().badImages().list(),
                (System.nanoTime() - started) / 1e9, false, null, frozen, f.data().leaks());
        return new FeatureTrainResult(tr, cv, clf.describe(), f.extractor().layer(),
                f.extractor().pooling().name().toLowerCase(java.util.Locale.ROOT), f.extractor().dimension(),
                transform.outputs(), trainAcc, valAcc, f.stats(), extractSeconds, fitSeconds, model, transform);
    }
}
