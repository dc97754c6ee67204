package org.finetune4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.augment.Augmenter;
import org.finetune4j.augment.Recipe;
import org.finetune4j.core.Seeds;
import org.finetune4j.data.BadImageLog;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.extract.FeatureCache;
import org.finetune4j.extract.FeatureExtractor;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.run.Mode;
import org.finetune4j.run.TrainConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the trainable layers of each training stage see: the frozen prefix's outputs, cached once per image and
 * augmented copy or computed every epoch ({@link PrefixBatches}); or, when nothing is frozen (training from scratch),
 * the images themselves ({@link ImageBatches}).
 *
 * <p>The prefix runs as a network cut from the backbone after the boundary layer ({@link FeatureExtractor}), so its
 * cache key is the backbone's identity, the layer, the preprocessing and the view — not the run's learning rate or
 * head — and the runs of a search share one cache. The cut networks are made before training starts
 * ({@link #prepare}), so the backbone itself need not stay in memory.
 */
final class TrainingFeeds {

    /**
     * The batches of one stage.
     *
     * @param trainee the graph the loop trains: the trainable layers ({@code split.trainable()}), or the whole graph
     * @param split   the split of the whole graph, or null when nothing is frozen
     * @param train   training batches
     * @param val     validation batches
     */
    record Feed(ComputationGraph trainee, FrozenPrefix split, Batches train, Batches val) implements AutoCloseable {
        /** Writes what the trainee learned into the whole graph (nothing to do when it is the whole graph). */
        void copyBack() {
            if (split != null) {
                split.copyBack();
            }
        }

        /** Closes the batches and frees the trainable graph's gradients and optimizer state (its parameters are the
         * whole graph's, which stays). */
        @Override
        public void close() {
            train.close();
            val.close();
            if (split != null) {
                split.trainable().close();
            }
        }
    }

    private final List<LabeledImage> train;
    private final List<LabeledImage> val;
    private final int classes;
    private final Preprocessing preprocessing;
    private final ImageDecoder decoder;
    private final Recipe recipe;
    private final Augmenter augmenter;
    private final TrainConfig cfg;
    private final Seeds seeds;
    private final BadImageLog badImages;
    private final Consumer<String> log;
    private final boolean progress;
    private final Map<String, FeatureExtractor> prefixes = new TreeMap<>();
    private Supplier<ComputationGraph> backbone;

    TrainingFeeds(List<LabeledImage> train, List<LabeledImage> val, int classes, Preprocessing preprocessing,
                  ImageDecoder decoder, Recipe recipe, Augmenter augmenter, TrainConfig cfg, Seeds seeds,
                  BadImageLog badImages, Consumer<String> log, boolean progress) {
        this.train = train;
        this.val = val;
        this.classes = classes;
        this.preprocessing = preprocessing;
        this.decoder = decoder;
        this.recipe = recipe;
        this.augmenter = augmenter;
        this.cfg = cfg;
        this.seeds = seeds;
        this.badImages = badImages;
        this.log = log;
        this.progress = progress;
    }

    /**
     * Cuts the prefix networks the stages will need from the backbone, so that it can be dropped.
     *
     * @param whole    the stage-1 graph (its boundary is cut now)
     * @param layers   further boundaries to cut now (the second stage's {@code --unfreeze} layer)
     * @param backbone the backbone the whole graph was made from; kept (as a supplier) only for a boundary not cut
     *                 now, which then reloads it
     */
    void prepare(ComputationGraph whole, List<String> layers, Supplier<ComputationGraph> backbone) {
        this.backbone = backbone;
        List<String> wanted = new ArrayList<>(layers);
        FrozenPrefix.boundaryOf(whole).ifPresent(wanted::add);
        if (wanted.isEmpty() || cfg.mode() == Mode.SCRATCH) {
            return;
        }
        Optional<String> own = FrozenPrefix.boundaryOf(whole);
        if (own.isPresent()) {
            // a prefix holding most of the network (frozen up to fc2: 97% of VGG16) as a view of the whole graph's
            // frozen parameters, which are the backbone's: cut from the backbone, it would keep the backbone alive
            // beside the whole graph's copy of the same values (0.55 GB for VGG16)
            FeatureExtractor.sharing(whole, preprocessing, own.get(), cache()).ifPresent(fx -> prefixes.put(own.get(), fx));
        }
        ComputationGraph b = backbone.get();
        for (String layer : wanted) {
            if (b.getConfiguration().getVertices().containsKey(layer)) {
                prefixes.computeIfAbsent(layer, l -> FeatureExtractor.of(b, preprocessing, l, "none", cache()));
            }
        }
    }

    private FeatureCache cache() {
        String dir = cfg.prefix().cacheDir();
        return FeatureCache.of(dir != null ? java.nio.file.Path.of(dir) : FeatureCache.defaultFolder());
    }

    /** @return the batches of a stage whose whole graph is {@code whole} */
    Feed open(ComputationGraph whole) {
        int batch = cfg.schedule().batchSize();
        int threads = cfg.data().threads();
        Augmentation augmentation = recipe.steps().isEmpty() ? null : augmenter::augment;
        Optional<FrozenPrefix> split = cfg.mode() == Mode.SCRATCH ? Optional.empty()
                : FrozenPrefix.of(whole);
        if (split.isEmpty()) {
            if (!FineTuner.frozenLayers(whole).isEmpty()) {
                log.accept("frozen layers feed the trainable ones at more than one point: every epoch runs the "
                        + "whole network");
            }
            return new Feed(whole, null, images(train, augmentation, true), images(val, null, false));
        }
        FrozenPrefix fp = split.get();
        FeatureExtractor fx = prefixes.get(fp.boundary());
        if (fx == null) {
            fx = FeatureExtractor.of(backbone.get(), preprocessing, fp.boundary(), "none", cache());
            prefixes.put(fp.boundary(), fx);
        }
        long[] shape = fx.outputType().getShape(false);
        TrainConfig.PrefixCache settings = cfg.prefix();
        int copies = recipe.steps().isEmpty() ? 1 : settings.augmentCopies();
        long bytesPerImage = 4L * fx.dimension() + 16;
        long need = bytesPerImage * ((long) train.size() * copies + val.size());
        boolean cached = !settings.perEpoch() && need <= settings.budgetGb() * 1e9;
        if (!cached) {
            if (!settings.perEpoch()) {
                log.accept(String.format(Locale.ROOT, "prefix cache: %d copies of %d training images at %s would "
                        + "take %.1f GB, over --cache-budget %s GB: augmenting every epoch instead (every epoch runs "
                        + "the frozen layers; raise --cache-budget or lower --augment-copies to cache)", copies,
                        train.size(), fp.boundary(), need / 1e9, settings.budgetGb()));
            } else {
                log.accept("frozen layers up to " + fp.boundary() + " run every epoch (--per-epoch-augment), in "
                        + "inference mode");
            }
            return new Feed(fp.trainable(), fp, PrefixBatches.perEpoch(images(train, augmentation, true),
                    fx), PrefixBatches.perEpoch(images(val, null, false), fx));
        }
        List<FeatureExtractor.View> views = new ArrayList<>();
        if (recipe.steps().isEmpty()) {
            views.add(FeatureExtractor.View.centre());
        } else {
            for (int c = 0; c < copies; c++) {
                views.add(new FeatureExtractor.View(augmenter, recipe.key(), seeds.root(), c));
            }
        }
        log.accept(String.format(Locale.ROOT, "frozen layers up to %s run once: %s of %d training images and %d "
                        + "validation images, cached (%.2f GB) in %s", fp.boundary(),
                recipe.steps().isEmpty() ? "the centre view" : copies + " augmented copies", train.size(),
                val.size(), need / 1e9, cache().root()));
        List<FeatureExtractor.Cached> trainCopies = new ArrayList<>();
        for (FeatureExtractor.View v : views) {
            trainCopies.add(fx.extractToCache(train, v, decoder, badImages, threads, batch, progress));
        }
        FeatureExtractor.Cached valCentre = fx.extractToCache(val, FeatureExtractor.View.centre(), decoder, badImages,
                threads, batch, progress);
        // the prefix pass's inference workspaces stay with this thread until destroyed, and training on the cache
        // never uses them (VGG16 to block5_pool: peak RSS of the head-only benchmark 4.6 GB -> 4.1 GB)
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        fx.releaseNative();   // the same for the native forward pass's buffers and weights (about 0.2 GB for VGG16)
        return new Feed(fp.trainable(), fp,
                PrefixBatches.cached(train, trainCopies, shape, classes, batch, trainOrder(), seeds),
                PrefixBatches.cached(val, List.of(valCentre), shape, classes, batch, false, seeds));
    }

    private ImageBatches images(List<LabeledImage> images, Augmentation augmentation, boolean shuffle) {
        if (shuffle) {
            return new ImageBatches(images, classes, preprocessing, decoder, augmentation,
                    cfg.schedule().batchSize(), trainOrder(), seeds, cfg.data().threads(), badImages);
        }
        return new ImageBatches(images, classes, preprocessing, decoder, augmentation, cfg.schedule().batchSize(),
                shuffle, seeds, cfg.data().threads(), badImages);
    }

    /** @return the training order: {@link ClassBalancedSampler} with {@code --sampler balanced}, else null (shuffle) */
    private EpochOrder trainOrder() {
        return cfg.balance().balancedSampler() ? new ClassBalancedSampler(train, seeds) : null;
    }
}
