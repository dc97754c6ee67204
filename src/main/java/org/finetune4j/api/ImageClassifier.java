package org.finetune4j.api;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.core.DataException;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.NativeInference;
import org.finetune4j.model.Predictor;

/**
 * A trained bundle ready to classify images from Java code: the same decoding, preprocessing (short side, centre crop,
 * the bundle's normalisation) and network as {@code finetune4j predict} and {@code evaluate}'s centre crop, so the
 * same image gets the same probabilities.
 * <pre>{@code
 * try (ImageClassifier classifier = ImageClassifier.load(Path.of("models/my-photos"))) {
 *     Classification c = classifier.classify(Path.of("cat.jpg"));
 *     List<Classification> batch = classifier.classify(List.of(ImageInput.of(bytes, "upload"),
 *             ImageInput.of(bufferedImage, "camera")));
 * } catch (ImageRejectedException e) {
 *     System.err.println(e.getMessage());   // e.g. "cat.jpg: cannot classify: truncated JPEG (...)."
 * }
 * }</pre>
 * <p>Safe to use from many threads at once: decoding runs on the calling thread, and each forward pass borrows one of
 * {@link ClassifierOptions#copies()} copies of the network (a DL4J network is not safe for concurrent forward passes).
 * The result does not depend on which thread or copy ran it.
 */
public final class ImageClassifier implements AutoCloseable {

    private final ModelInfo info;
    private final ClassifierOptions options;
    private final Predictor predictor;
    private final BlockingQueue<NativeInference> idle;
    private volatile boolean closed;

    private ImageClassifier(BundleStore.Loaded loaded, ClassifierOptions options) {
        this.options = options;
        ModelBundle b = loaded.bundle();
        this.info = new ModelInfo(b.name(), loaded.dir(), b.labels(), b.preprocessing().input().height(),
                b.preprocessing().input().width(), b.preprocessing().input().channels(), b.backbone(), b.mode(),
                b.metrics() == null ? java.util.Map.of() : b.metrics());
        this.predictor = new Predictor(loaded, new ImageDecoder(b.preprocessing().input().channels(),
                options.maxPixels()));
        this.idle = new ArrayBlockingQueue<>(options.copies());
        idle.add(NativeInference.of(loaded.graph()));
        for (int i = 1; i < options.copies(); i++) {
            idle.add(NativeInference.of(loaded.graph().clone()));
        }
    }

    /**
     * Loads a bundle folder with {@link ClassifierOptions#defaults()}.
     *
     * @param bundleDir a bundle folder (with {@code bundle.json} and {@code model.zip})
     * @throws BundleLoadException if it is no valid bundle
     */
    public static ImageClassifier load(Path bundleDir) {
        return load(bundleDir, ClassifierOptions.defaults());
    }

    /**
     * Loads a bundle folder.
     *
     * @param bundleDir a bundle folder (with {@code bundle.json} and {@code model.zip})
     * @param options   top-k, copies, batch size, pixel limit
     * @throws BundleLoadException if it is no valid bundle
     */
    public static ImageClassifier load(Path bundleDir, ClassifierOptions options) {
        try {
            if (!BundleStore.isBundle(bundleDir)) {
                throw new UsageException(bundleDir + ": not a bundle folder (no " + BundleStore.META_FILE + "). "
                        + "Expected a folder written by `finetune4j train`; give its path or its name under models/.");
            }
            return new ImageClassifier(BundleStore.load(bundleDir), options);
        } catch (UsageException | DataException e) {
            throw new BundleLoadException(e.getMessage(), e);
        }
    }

    /**
     * Loads a bundle by name (a folder under {@code models/} in the working directory) or by the path of its folder,
     * with {@link ClassifierOptions#defaults()}.
     *
     * @param model a bundle name such as {@code mini-vgg-shapes}, or a bundle folder
     * @throws BundleLoadException if it names no bundle (the message lists the bundles there are) or a backbone
     */
    public static ImageClassifier load(String model) {
        return load(model, ClassifierOptions.defaults());
    }

    /**
     * Loads a bundle by name (a folder under {@code models/} in the working directory) or by the path of its folder.
     *
     * @param model   a bundle name such as {@code mini-vgg-shapes}, or a bundle folder
     * @param options top-k, copies, batch size, pixel limit
     * @throws BundleLoadException if it names no bundle (the message lists the bundles there are) or a backbone
     */
    public static ImageClassifier load(String model, ClassifierOptions options) {
        Path dir;
        try {
            dir = Backbones.requireBundle(model, Backbones.MODELS_DIR, "classify");
        } catch (UsageException e) {
            throw new BundleLoadException(e.getMessage(), e);
        }
        return load(dir, options);
    }

    /**
     * Describes the loaded bundle.
     *
     * @return labels, input size, backbone, mode and the metrics measured when it was trained
     */
    public ModelInfo model() {
        return info;
    }

    /**
     * The options this classifier was loaded with.
     *
     * @return top-k, copies, batch size and pixel limit
     */
    public ClassifierOptions options() {
        return options;
    }

    /**
     * Classifies an image file.
     *
     * @throws ImageRejectedException with the reason {@code predict} gives if the file cannot be classified
     */
    public Classification classify(Path file) {
        return classify(List.of(ImageInput.of(file))).get(0);
    }

    /**
     * Classifies the bytes of an encoded image.
     *
     * @param name how to name the image in the result and in errors
     * @throws ImageRejectedException with the reason {@code predict} gives for a file with these bytes
     */
    public Classification classify(byte[] bytes, String name) {
        return classify(List.of(ImageInput.of(bytes, name))).get(0);
    }

    /**
     * Classifies an image in memory (alpha composited over white, as for a PNG file).
     *
     * @param name how to name the image in the result and in errors
     */
    public Classification classify(BufferedImage image, String name) {
        return classify(List.of(ImageInput.of(image, name))).get(0);
    }

    /**
     * Classifies a batch with the options' top-k, {@link ClassifierOptions#batchSize()} images per forward pass.
     *
     * @return one classification per input, in order
     * @throws ImageRejectedException for the first input that cannot be classified (nothing is classified then)
     */
    public List<Classification> classify(List<? extends ImageInput> inputs) {
        return classify(inputs, options.topK());
    }

    /**
     * Classifies a batch, {@link ClassifierOptions#batchSize()} images per forward pass.
     *
     * @param topK labels per image, at least 1 (capped at the number of classes)
     * @return one classification per input, in order
     * @throws ImageRejectedException for the first input that cannot be classified (nothing is classified then)
     */
    public List<Classification> classify(List<? extends ImageInput> inputs, int topK) {
        List<Classification> out = new ArrayList<>(inputs.size());
        for (int from = 0; from < inputs.size(); from += options.batchSize()) {
            List<PreparedImage> prepared = new ArrayList<>();
            try {
                for (ImageInput in : inputs.subList(from, Math.min(inputs.size(), from + options.batchSize()))) {
                    prepared.add(prepare(in));
                }
                out.addAll(classifyPrepared(prepared, topK));
            } finally {
                prepared.forEach(PreparedImage::close);
            }
        }
        return out;
    }

    /**
     * Decodes an image and brings it to the network's input, on the calling thread. Together with
     * {@link #classifyPrepared} this lets a server decode each request on its own thread and classify the images of
     * several requests in one forward pass.
     *
     * @return the prepared image; the caller closes it
     * @throws ImageRejectedException with the reason {@code predict} gives if the image cannot be classified
     */
    public PreparedImage prepare(ImageInput input) {
        requireOpen();
        try {
            Mat fitted = input instanceof ImageInput.FileInput f
                    ? predictor.fit(f.file(), f.name())
                    : predictor.fit(((ImageInput.BytesInput) input).bytes(), input.name());
            return new PreparedImage(input.name(), fitted);
        } catch (BadImageException e) {
            throw new ImageRejectedException(e.file(), e.reason());
        }
    }

    /**
     * Classifies prepared images in one forward pass (split into {@link ClassifierOptions#batchSize()} only if
     * longer), on one of the network copies. Does not close the images.
     *
     * @param topK labels per image, at least 1 (capped at the number of classes)
     * @return one classification per image, in order
     */
    public List<Classification> classifyPrepared(List<PreparedImage> images, int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK " + topK + ": expected at least 1.");
        }
        requireOpen();
        if (images.isEmpty()) {
            return List.of();
        }
        List<Mat> mats = images.stream().map(PreparedImage::fitted).toList();
        List<List<Predictor.Scored>> tops = new ArrayList<>(mats.size());
        NativeInference network = borrow();
        try {
            for (int from = 0; from < mats.size(); from += options.batchSize()) {
                tops.addAll(predictor.classify(network, mats.subList(from, Math.min(mats.size(),
                        from + options.batchSize())), topK));
            }
        } finally {
            idle.add(network);
        }
        List<Classification> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            out.add(new Classification(images.get(i).name(), tops.get(i).stream()
                    .map(s -> new LabelScore(s.label(), s.probability())).toList()));
        }
        return out;
    }

    private NativeInference borrow() {
        try {
            return idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClassifierException(info.name() + ": interrupted while waiting for a copy of the network", e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(info.name() + ": this classifier is closed");
        }
    }

    /**
     * Marks the classifier closed; later calls fail. Calls already running finish. Frees the native memory of the
     * idle network copies' forward passes now rather than at garbage collection.
     */
    @Override
    public void close() {
        closed = true;
        idle.forEach(NativeInference::close);
    }
}
