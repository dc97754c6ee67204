package org.finetune4j.extract;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.opencv.opencv_core.Mat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.finetune4j.augment.Augmenter;
import org.finetune4j.core.Fingerprint;
import org.finetune4j.core.Json;
import org.finetune4j.core.ParallelMap;
import org.finetune4j.core.Progress;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImage;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.BadImageLog;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.model.Ancestors;
import org.finetune4j.model.ArrayIO;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.LayerInfo;
import org.finetune4j.model.Layout;
import org.finetune4j.model.NativeInference;
import org.finetune4j.model.Preprocessing;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A frozen backbone used as a feature extractor: the network cut after the feature layer (and, for convolutional
 * layers, optionally a global average or max pooling), run on images with their evaluation preprocessing (centre
 * crop) or on seeded augmented views, with every vector cached on disk ({@link FeatureCache}).
 *
 * <p>The cache key of a view is {@code {model: SHA-256 of the cut network's configuration and weights, layer,
 * pooling, preprocessing, view}}; entries are keyed by the SHA-256 of the image file. Augmented view {@code copy}
 * of an image draws its parameters from {@code seeds.stream("feature-augment", copy, content hash)}, so it depends
 * on the image's content, the seed and the copy index, never on the file's position in a listing. Decoding runs on
 * a thread pool and the next batch is decoded while the network works on the current one.
 * <pre>{@code
 * FeatureExtractor fx = FeatureExtractor.of(backbone, preprocessing, "fc2", Pooling.NONE, FeatureCache.of(dir));
 * FeatureExtractor.Extraction e = fx.extract(split.train(), FeatureExtractor.View.centre(), decoder, log, 2, 32, true);
 * }</pre>
 */
public final class FeatureExtractor {

    /**
     * Seed written into the cut network's configuration. Without one, DL4J's transfer-learning builder stores
     * {@code System.currentTimeMillis()}, which would change the network's identity (and miss the cache) on every
     * run; nothing is initialised randomly here, so a constant is right.
     */
    private static final long CONFIG_SEED = 0L;
    /** A cut holding at least this share of the backbone's parameters is a view of them ({@link #sharedCut}). */
    private static final double SHARED_CUT_FRACTION = 0.5;

    /** Name of the global pooling vertex added after a convolutional feature layer. */
    public static final String POOL_VERTEX = "feature_pool";

    /** What is done to a convolutional feature map. */
    public enum Pooling {
        /** The map is flattened (channels × height × width, in that order). */
        NONE,
        /** Global average pooling: one value per channel. */
        AVG,
        /** Global max pooling: one value per channel. */
        MAX;

        /**
         * @param s {@code none}, {@code avg}, {@code max} or {@code auto}
         * @param convolutional whether the layer's output is a feature map ({@code auto}: avg if so, else none)
         * @throws UsageException naming {@code --pool}
         */
        public static Pooling parse(String s, boolean convolutional) {
            return switch (s == null ? "auto" : s.toLowerCase(Locale.ROOT)) {
                case "auto" -> convolutional ? AVG : NONE;
                case "none" -> NONE;
                case "avg" -> AVG;
                case "max" -> MAX;
                default -> throw new UsageException("--pool " + s + ": unknown pooling. Expected auto, none, avg "
                        + "or max.");
            };
        }
    }

    /**
     * Which picture of an image the network sees.
     *
     * @param augmenter null for the centre view (evaluation preprocessing)
     * @param recipeKey a stable description of the recipe (part of the cache key); null for the centre view
     * @param seed      the root seed of the augmentation
     * @param copy      the index of the augmented copy, from 0
     */
    public record View(Augmenter augmenter, String recipeKey, long seed, int copy) {
        /** @return the centre view */
        public static View centre() {
            return new View(null, null, 0, 0);
        }

        /** @return whether this is an augmented view */
        public boolean isAugmented() {
            return augmenter != null;
        }

        Object key() {
            if (augmenter == null) {
                return "centre";
            }
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("recipe", recipeKey);
            k.put("seed", seed);
            k.put("copy", copy);
            return k;
        }
    }

    /**
     * Counts of one extraction.
     *
     * @param images         images asked for
     * @param fromCache      served from the cache
     * @param computed       run through the network
     * @param bad            left out because they could not be read or decoded
     * @param damaged        cache entries found damaged and recomputed
     * @param forwardPasses  network forward passes (batches)
     * @param computeSeconds wall-clock seconds spent decoding and computing the missing ones
     * @param seconds        wall-clock seconds in all (hashing and cache reads included)
     */
    public record Stats(int images, int fromCache, int computed, int bad, long damaged, long forwardPasses,
                        double computeSeconds, double seconds) {
        /** @return images computed per second of compute time, NaN when nothing was computed */
        public double imagesPerSecond() {
            return computed == 0 || computeSeconds <= 0 ? Double.NaN : computed / computeSeconds;
        }

        /** @return the sum of two extractions' counts */
        public Stats plus(Stats o) {
            return new Stats(images + o.images, fromCache + o.fromCache, computed + o.computed, bad + o.bad,
                    damaged + o.damaged, forwardPasses + o.forwardPasses, computeSeconds + o.computeSeconds,
                    seconds + o.seconds);
        }

        /** @return all zero */
        public static Stats none() {
            return new Stats(0, 0, 0, 0, 0, 0, 0, 0);
        }
    }

    /**
     * @param features      one row per requested image, in order; null for images that could not be used
     * @param contentHashes per requested image, the SHA-256 of its file; null for images that could not be used
     * @param stats    what was cached and computed
     */
    public record Extraction(float[][] features, List<String> contentHashes, Stats stats) {
    }

    /** Marks an output that is on disk but not kept in memory. */
    private static final float[] PRESENT = new float[0];

    private final ComputationGraph network;
    /** The cut network's forward pass, its convolutions in oneDNN's blocked layout (made on first use). */
    private NativeInference inference;
    private final String outputVertex;
    private final String layer;
    private final Pooling pooling;
    private final Preprocessing preprocessing;
    private final InputType outputType;
    private final int dimension;
    private final String modelSha256;
    private final FeatureCache cache;
    private final AtomicLong forwardPasses = new AtomicLong();

    private FeatureExtractor(ComputationGraph network, String outputVertex, String layer, Pooling pooling,
                             Preprocessing preprocessing, InputType outputType, FeatureCache cache) {
        this(network, outputVertex, layer, pooling, preprocessing, outputType, identity(network), cache);
    }

    private FeatureExtractor(ComputationGraph network, String outputVertex, String layer, Pooling pooling,
                             Preprocessing preprocessing, InputType outputType, String modelSha256,
                             FeatureCache cache) {
        this.network = network;
        this.outputVertex = outputVertex;
        this.layer = layer;
        this.pooling = pooling;
        this.preprocessing = preprocessing;
        this.outputType = outputType;
        this.dimension = (int) outputType.arrayElementsPerExample();
        this.modelSha256 = modelSha256;
        this.cache = cache;
    }

    /**
     * The same extractor with its vectors cached elsewhere: it shares this one's network (forward passes on the two
     * take turns) and identity, so it is cheap to make — e.g. one per unit of work, each with its own scratch cache.
     *
     * @param other where the new extractor caches vectors
     * @return an extractor with the same network, layer, pooling, preprocessing and identity
     */
    public FeatureExtractor withCache(FeatureCache other) {
        return new FeatureExtractor(network, outputVertex, layer, pooling, preprocessing, outputType, modelSha256,
                other);
    }

    /**
     * Cuts a backbone after {@code layer}.
     *
     * @param backbone      the whole network (not modified)
     * @param preprocessing its input preprocessing
     * @param layer         the feature layer (a vertex name, e.g. {@code fc2} or {@code block4_pool})
     * @param pool          {@code auto}, {@code none}, {@code avg} or {@code max} ({@code --pool})
     * @param cache         where vectors are cached
     * @throws UsageException for an unknown layer or pooling on a non-convolutional layer
     */
    public static FeatureExtractor of(ComputationGraph backbone, Preprocessing preprocessing, String layer,
                                      String pool, FeatureCache cache) {
        return of(backbone, preprocessing, layer, pool, cache, true);
    }

    /** @param share whether the cut may be a view of the backbone's parameters ({@link #sharedCut}) */
    static FeatureExtractor of(ComputationGraph backbone, Preprocessing preprocessing, String layer, String pool,
                               FeatureCache cache, boolean share) {
        ComputationGraphConfiguration conf = backbone.getConfiguration();
        InputType in = Layout.inputType(preprocessing.input());
        if (!conf.getVertices().containsKey(layer)) {
            Backbones.requireLayer("--layer", layer, "the backbone", LayerInfo.of(conf, in));
        }
        Map<String, InputType> types = conf.getLayerActivationTypes(in);
        InputType layerType = types.get(layer);
        boolean convolutional = layerType.getType() == InputType.Type.CNN;
        Pooling pooling = Pooling.parse(pool, convolutional);
        if (pooling != Pooling.NONE && !convolutional) {
            throw new UsageException("--pool " + pool + ": layer " + layer + " is not convolutional (its output is "
                    + layerType + "). Expected --pool none (or auto) for a fully connected layer, or a conv/pool "
                    + "layer such as the last block's pool.");
        }
        Set<String> keep = Ancestors.andSelf(conf, layer);
        if (share && pooling == Pooling.NONE) {
            ComputationGraph shared = sharedCut(backbone, keep, layer);
            if (shared != null) {
                return new FeatureExtractor(shared, layer, layer, pooling, preprocessing, layerType, cache);
            }
        }
        TransferLearning.GraphBuilder b = new TransferLearning.GraphBuilder(backbone)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().seed(CONFIG_SEED).build());
        for (String v : conf.getVertices().keySet()) {
            if (!keep.contains(v)) {
                b.removeVertexAndConnections(v);
            }
        }
        String out = layer;
        InputType outType = layerType;
        if (pooling != Pooling.NONE) {
            b.addLayer(POOL_VERTEX, new GlobalPoolingLayer.Builder(pooling == Pooling.AVG ? PoolingType.AVG
                    : PoolingType.MAX).poolingDimensions(Layout.spatialDimensions(
                    (InputType.InputTypeConvolutional) layerType)).collapseDimensions(true)
                    .build(), layer);
            out = POOL_VERTEX;
            outType = InputType.feedForward(((InputType.InputTypeConvolutional) layerType).getChannels());
        }
        b.setOutputs(out);
        ComputationGraph cut = b.build();
        return new FeatureExtractor(cut, out, layer, pooling, preprocessing, outType, cache);
    }

    /**
     * The cut network as a view of the backbone's parameters, without copying them, when the kept layers hold most of
     * them and lead the backbone's flat parameter array in the same order (VGG16 cut at {@code fc2}: 97%). Copying
     * them, as {@link TransferLearning} does, briefly held the backbone twice (VGG16: peak resident memory 1.7 GB
     * instead of 0.7 GB); a view keeps the backbone's whole array alive instead, which costs little when the cut holds
     * most of it, and so is not used for small cuts (a prefix up to a pooling layer), whose backbone is dropped.
     * The configuration is the one {@link TransferLearning} makes (same JSON, so the same cache keys; checked by a
     * test).
     *
     * @return the cut, or null when the parameters do not lie that way
     */
    private static ComputationGraph sharedCut(ComputationGraph backbone, Set<String> keep, String layer) {
        INDArray all = backbone.params();
        if (all == null || all.length() == 0 || all.ordering() != 'c' || all.elementWiseStride() != 1) {
            return null;
        }
        long kept = 0;
        boolean leading = true;
        for (int i : backbone.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex v = backbone.getVertices()[i];
            if (v.numParams() == 0) {
                continue;
            }
            boolean k = keep.contains(v.getVertexName());
            if (k && !leading) {
                return null;
            }
            leading &= k;
            kept += k ? v.numParams() : 0;
        }
        if (kept == 0 || kept < SHARED_CUT_FRACTION * all.length()) {
            return null;
        }
        ComputationGraphConfiguration c = backbone.getConfiguration().clone();
        for (String v : new ArrayList<>(c.getVertices().keySet())) {
            if (!keep.contains(v)) {
                c.getVertices().remove(v);
                c.getVertexInputs().remove(v);
            }
        }
        c.setNetworkOutputs(new ArrayList<>(List.of(layer)));
        c.setTopologicalOrder(null);
        c.setTopologicalOrderStr(null);
        // what TransferLearning's FineTuneConfiguration(seed) sets, and the variables of the layers that are left
        c.getDefaultConfiguration().setSeed(CONFIG_SEED);
        List<String> variables = c.getDefaultConfiguration().variables(true);
        c.getDefaultConfiguration().clearVariables();
        for (String var : variables) {
            if (c.getVertices().containsKey(var.substring(0, Math.max(0, var.lastIndexOf('_'))))) {
                c.getDefaultConfiguration().addVariable(var);
            }
        }
        for (org.deeplearning4j.nn.conf.graph.GraphVertex v : c.getVertices().values()) {
            if (v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv) {
                lv.getLayerConf().setSeed(CONFIG_SEED);
            }
        }
        ComputationGraph cut = new ComputationGraph(c);
        long total = all.length();
        cut.init(all.reshape(1, total).get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, kept)).reshape(1, kept), false);
        if (!ArrayIO.sharesParameters(cut, backbone)) {
            return null;   // laid out differently after all: copy instead
        }
        return cut;
    }

    /**
     * The extractor at {@code layer} (no pooling) as a view of {@code graph}'s parameters, when {@link #of} would make
     * it one (the layer and its ancestors hold most of the parameters and lead them); nothing is copied otherwise.
     *
     * @return the extractor, or empty when the cut would be a copy (or the layer is not in the graph)
     */
    public static java.util.Optional<FeatureExtractor> sharing(ComputationGraph graph, Preprocessing preprocessing,
                                                               String layer, FeatureCache cache) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (!conf.getVertices().containsKey(layer)) {
            return java.util.Optional.empty();
        }
        ComputationGraph shared = sharedCut(graph, Ancestors.andSelf(conf, layer), layer);
        return shared == null ? java.util.Optional.empty() : java.util.Optional.of(new FeatureExtractor(shared, layer,
                layer, Pooling.NONE, preprocessing,
                conf.getLayerActivationTypes(Layout.inputType(preprocessing.input())).get(layer), cache));
    }

    /** SHA-256 over the cut network's configuration JSON and its parameters' bytes. */
    private static String identity(ComputationGraph network) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(network.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
            INDArray p = network.params();
            if (p != null && p.length() > 0) {
                // a contiguous view (a cut sharing the backbone's parameters) is hashed in place, not copied
                INDArray flat = p.ordering() != 'c' || p.elementWiseStride() != 1 ? p.dup('c') : p;
                ByteBuffer bb = flat.data().asNio().duplicate();
                long start = flat.offset() * flat.data().getElementSize();
                bb.position((int) start);
                bb.limit((int) (start + flat.length() * flat.data().getElementSize()));
                md.update(bb);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** @return the feature dimension */
    public int dimension() {
        return dimension;
    }

    /** @return the feature layer */
    public String layer() {
        return layer;
    }

    /** @return the pooling applied */
    public Pooling pooling() {
        return pooling;
    }

    /** @return the cut network (feature layer, plus the pooling vertex, as output) */
    public ComputationGraph network() {
        return network;
    }

    /** @return the SHA-256 identifying the cut network (configuration and weights) */
    public String modelSha256() {
        return modelSha256;
    }

    /** @return network forward passes so far, over all extractions */
    public long forwardPasses() {
        return forwardPasses.get();
    }

    /** @return the cache key of a view: model identity, layer, pooling, preprocessing, view */
    public String cacheKey(View view) {
        return cacheKey(view, null);
    }

    private String cacheKey(View view, String context) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("format", 1);
        k.put("model-sha256", modelSha256);
        k.put("layer", layer);
        k.put("pooling", pooling.name().toLowerCase(Locale.ROOT));
        k.put("dimension", dimension);
        k.put("preprocessing", preprocessing);
        k.put("view", view.key());
        if (context != null) {
            k.put("images-and-batches", context);
        }
        return Json.write(k);
    }

    /**
     * Features of images for one view: cached ones are read, the others computed (and cached).
     *
     * @param images    the images
     * @param view      centre or augmented view
     * @param badImages receives images that cannot be read or decoded (their row is null)
     * @param threads   decoding and hashing threads
     * @param batchSize images per forward pass
     * @param progress  show a progress bar on stderr
     */
    public Extraction extract(List<LabeledImage> images, View view, ImageDecoder decoder, BadImageLog badImages,
                              int threads, int batchSize, boolean progress) {
        return run(images, view, null, true, decoder, badImages, threads, batchSize, progress);
    }

    /**
     * Outputs of images for one view, left on disk rather than returned: what fine-tuning trains on when the
     * frozen prefix is cached (read them back with {@link Cached#get(int)}).
     *
     * <p>The cache space is keyed by the image list and the batch size as well ({@code context}): an image's output
     * can differ in the last bits with the batch it ran in, so an entry computed in another run's batches is not
     * used, and a run gives the same numbers whatever ran before it.
     *
     * @param images    the images, in a fixed order (batches are fixed runs of this list)
     * @param view      centre or augmented view
     * @param badImages receives images that cannot be read or decoded
     * @param threads   decoding and hashing threads
     * @param batchSize images per forward pass
     * @param progress  show a progress bar on stderr
     */
    public Cached extractToCache(List<LabeledImage> images, View view, ImageDecoder decoder, BadImageLog badImages,
                                 int threads, int batchSize, boolean progress) {
        StringBuilder list = new StringBuilder().append(batchSize);
        images.forEach(im -> list.append('\n').append(im.relativePath()));
        String context = Fingerprint.sha256(list.toString().getBytes(StandardCharsets.UTF_8));
        Extraction e = run(images, view, context, false, decoder, badImages, threads, batchSize, progress);
        return new Cached(cache.space(cacheKey(view, context)), e.contentHashes(), dimension, e.stats());
    }

    /**
     * Outputs of one view on disk.
     *
     * @param space         where the entries are
     * @param contentHashes per image of the list, the SHA-256 of its file; null for an image that cannot be used
     * @param dimension     values per image
     * @param stats         what was cached and computed
     */
    public record Cached(FeatureCache.Space space, List<String> contentHashes, int dimension, Stats stats) {
        /** @return whether image {@code i} of the list has an output */
        public boolean has(int i) {
            return contentHashes.get(i) != null;
        }

        /**
         * @return the output of image {@code i} of the list
         * @throws IllegalStateException if the entry disappeared or was damaged after the extraction
         */
        public float[] get(int i) {
            float[] f = space.get(contentHashes.get(i), dimension);
            if (f == null) {
                throw new IllegalStateException(space.dir() + ": a cached activation of " + contentHashes.get(i)
                        + " disappeared or was damaged during the run. Run again: the missing entries are "
                        + "recomputed.");
            }
            return f;
        }
    }

    private Extraction run(List<LabeledImage> images, View view, String context, boolean keep, ImageDecoder decoder,
                           BadImageLog badImages, int threads, int batchSize, boolean progress) {
        long started = System.nanoTime();
        FeatureCache.Space space = cache.space(cacheKey(view, context));
        record Lookup(String sha, float[] cached, String badReason) {
        }
        List<Lookup> lookups = ParallelMap.apply(images, threads, "finetune4j-hash", im -> {
            String sha;
            try {
                sha = Fingerprint.sha256(im.file());
            } catch (java.io.UncheckedIOException e) {
                return new Lookup(null, null, "unreadable: " + e.getMessage());
            }
            return new Lookup(sha, keep ? space.get(sha, dimension) : space.has(sha, dimension) ? PRESENT : null,
                    null);
        });
        float[][] out = new float[images.size()][];
        int bad = 0;
        for (int i = 0; i < images.size(); i++) {
            if (lookups.get(i).badReason() != null) {
                badImages.add(new BadImage(images.get(i).relativePath(), lookups.get(i).badReason()));
                bad++;
            }
        }
        // The batches are fixed runs of the image list, and a batch with any image missing from the cache is computed
        // whole. oneDNN's kernels, and so the last bits of an image's features, depend on the batch it runs in: an
        // extraction resumed after a crash must form exactly the batches an uninterrupted one forms (KillAndResumeTest
        // found 519 of the classifier's values changed when only the missing images were batched together).
        List<List<Integer>> batches = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        int fromCache = 0;
        for (int from = 0; from < images.size(); from += batchSize) {
            List<Integer> batch = new ArrayList<>();
            boolean complete = true;
            for (int i = from; i < Math.min(images.size(), from + batchSize); i++) {
                if (lookups.get(i).badReason() == null) {
                    batch.add(i);
                    complete &= lookups.get(i).cached() != null;
                }
            }
            if (complete) {
                for (int i : batch) {
                    out[i] = keep ? lookups.get(i).cached() : PRESENT;
                }
                fromCache += batch.size();
            } else if (!batch.isEmpty()) {
                batches.add(batch);
                missing.addAll(batch);
            }
        }
        long computeStart = System.nanoTime();
        long passesBefore = forwardPasses.get();
        int computed = 0;
        if (!missing.isEmpty()) {
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
                Thread t = new Thread(r, "finetune4j-decode");
                t.setDaemon(true);
                return t;
            });
            String task = "features " + layer + (view.isAugmented() ? " (augmented copy " + (view.copy() + 1) + ")"
                    : "");
            try (Progress bar = Progress.start(task, missing.size(), " img", progress)) {
                long stepped = 0;
                List<String> shas = lookups.stream().map(Lookup::sha).toList();
                CompletableFuture<Prepared> ahead = prepare(batches.get(0), images, shas, view, decoder, pool);
                for (int bi = 0; bi < batches.size(); bi++) {
                    Prepared p = ahead.join();
                    ahead = bi + 1 < batches.size() ? prepare(batches.get(bi + 1), images, shas, view, decoder, pool)
                            : null;
                    for (Map.Entry<Integer, String> e : p.bad().entrySet()) {
                        badImages.add(new BadImage(images.get(e.getKey()).relativePath(), e.getValue()));
                        bad++;
                    }
                    if (!p.indices().isEmpty()) {
                        float[][] f = forward(p.input());
                        for (int r = 0; r < f.length; r++) {
                            int i = p.indices().get(r);
                            out[i] = keep ? f[r] : PRESENT;
                            space.put(lookups.get(i).sha(), f[r]);
                            computed++;
                        }
                    }
                    stepped += batches.get(bi).size();
                    bar.stepTo(stepped);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        double computeSeconds = (System.nanoTime() - computeStart) / 1e9;
        List<String> hashes = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            hashes.add(out[i] == null ? null : lookups.get(i).sha());
        }
        return new Extraction(keep ? out : new float[images.size()][], hashes, new Stats(images.size(), fromCache, computed, bad, space.damaged(),
                forwardPasses.get() - passesBefore, missing.isEmpty() ? 0 : computeSeconds,
                (System.nanoTime() - started) / 1e9));
    }

    private record Prepared(List<Integer> indices, INDArray input, Map<Integer, String> bad) {
    }

    /** An image made ready for the network, or the reason it cannot be used. */
    private sealed interface Picture {
        /** @param image the network's input picture (the caller closes it) */
        record Ready(Mat image) implements Picture {
        }

        /** @param reason why the image cannot be used, as {@code BadImage} reports it */
        record Unusable(String reason) implements Picture {
        }
    }

    private CompletableFuture<Prepared> prepare(List<Integer> batch, List<LabeledImage> images, List<String> shas,
                                                View view, ImageDecoder decoder, ExecutorService pool) {
        List<CompletableFuture<Picture>> futures = new ArrayList<>();
        for (int i : batch) {
            futures.add(CompletableFuture.supplyAsync(() -> picture(images.get(i), shas.get(i), view, decoder),
                    pool));
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).thenApply(done -> {
            List<Integer> ok = new ArrayList<>();
            List<Mat> mats = new ArrayList<>();
            Map<Integer, String> bad = new LinkedHashMap<>();
            for (int k = 0; k < batch.size(); k++) {
                Picture picture = futures.get(k).join();
                if (picture instanceof Picture.Ready r) {
                    ok.add(batch.get(k));
                    mats.add(r.image());
                } else if (picture instanceof Picture.Unusable u) {
                    bad.put(batch.get(k), u.reason());
                }
            }
            INDArray x = mats.isEmpty() ? null : preprocessing.toInput(mats);
            mats.forEach(Mat::close);
            return new Prepared(ok, x, bad);
        });
    }

    /** @return the network's input picture, or the reason the image cannot be used */
    private Picture picture(LabeledImage im, String sha, View view, ImageDecoder decoder) {
        try (Mat decoded = decoder.decode(im.file(), im.relativePath())) {
            if (!view.isAugmented()) {
                return new Picture.Ready(preprocessing.fit(decoded));
            }
            long content = Long.parseUnsignedLong(sha.substring(0, 16), 16);
            return new Picture.Ready(view.augmenter().augment(decoded, org.finetune4j.core.Seeds.of(view.seed())
                    .stream("feature-augment", view.copy(), content)).image());
        } catch (BadImageException e) {
            return new Picture.Unusable(e.reason());
        }
    }

    /** Runs the cut network on a prepared batch. @return one row per image */
    public float[][] forward(INDArray input) {
        forwardPasses.incrementAndGet();
        INDArray y = output(input);
        INDArray flat = y.reshape('c', y.size(0), dimension);
        return flat.castTo(DataType.FLOAT).toFloatMatrix();
    }

    /**
     * The cut network's output for a batch, in inference mode, as {@code network().outputSingle(false, input)} gives
     * it up to floating-point rounding: its leading convolutions and poolings run through {@link NativeInference}.
     * One batch at a time (callers on other threads wait).
     *
     * @param input a batch in the network's input layout
     * @return the output (a feature map, or rows), detached
     */
    public INDArray output(INDArray input) {
        synchronized (network) {
            if (inference == null) {
                inference = NativeInference.of(network);
            }
            return inference.output(input);
        }
    }

    /**
     * Frees the native memory of {@link #output}'s forward pass (its buffers and the weights in oneDNN's layout,
     * about 190 MB for VGG16); the next call makes them again. For callers done with the network for a while.
     */
    public void releaseNative() {
        synchronized (network) {
            if (inference != null) {
                inference.close();
                inference = null;
            }
        }
    }

    /** @return the vertex whose output the features are (the feature layer, or the pooling vertex after it) */
    public String outputVertex() {
        return outputVertex;
    }

    /** @return the type of the features as the network produces them (a feature map before flattening) */
    public InputType outputType() {
        return outputType;
    }

    /**
     * @return the seed written into cut networks' configurations (constant: nothing in them is initialised
     *         randomly, and a changing seed would change the network's identity)
     */
    public static long configSeed() {
        return CONFIG_SEED;
    }
}
