package org.finetune4j.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.finetune4j.core.UsageException;

/**
 * Where a pretrained weights file comes from, what it is called in the cache, and the checksum it must have.
 * <pre>{@code
 * WeightsSource keras = WeightsSource.kerasVgg16(true);            // Keras's ImageNet VGG16, MD5-checked
 * WeightsSource zoo = WeightsSource.dl4jVgg16().withUrl("https://mirror.example.org/vgg16_dl4j_inference.zip");
 * Path file = WeightsCache.defaults().fetch(keras, DownloadListener.NONE);
 * }</pre>
 * The Keras URLs and MD5s are those of {@code keras/applications/vgg16.py} and {@code vgg19.py} ({@code WEIGHTS_PATH},
 * {@code WEIGHTS_PATH_NO_TOP} and the {@code file_hash} of their {@code get_file} calls); the DL4J zoo zips are those
 * of DL4J 1.0.0-M2.1's {@code VGG16}/{@code VGG19} zoo models ({@code pretrainedUrl}, {@code pretrainedChecksum}),
 * whose host has been answering 403 since 2024 — use a mirror through {@link #withUrl}.
 *
 * @param name     what the weights are, used as the subject of messages, e.g. {@code vgg16 weights}
 * @param url      an http or https URL to download the file from
 * @param fileName the file's name in the cache folder: a plain name, no folders
 * @param checksum the checksum the file must have
 */
public record WeightsSource(String name, URI url, String fileName, FileChecksum checksum) {

    private static final String KERAS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/";
    private static final String DL4J_BASE = "https://dl4jdata.blob.core.windows.net/models/";

    /**
     * @throws UsageException if the URL is not http(s) or the file name names a folder
     */
    public WeightsSource {
        if (name == null || name.isBlank() || checksum == null) {
            throw new UsageException("weights source: a name and a checksum are required. Expected e.g. "
                    + "\"vgg16 weights\" and an MD5; received " + name + " and " + checksum + ". Give both.");
        }
        checkUrl(name, url);
        if (fileName == null || fileName.isBlank() || fileName.contains("/") || fileName.contains("\\")
                || fileName.equals(".") || fileName.equals("..")) {
            throw new UsageException(name + ": the cache file name must be a plain file name. Expected e.g. "
                    + "vgg16_weights_tf_dim_ordering_tf_kernels.h5; received \"" + fileName + "\". Drop the folders.");
        }
    }

    /**
     * Keras's ImageNet VGG16 (TensorFlow dim ordering, HDF5, for {@link KerasVggWeights}).
     *
     * @param includeTop true: the whole network, 1000 classes (about 553 MB); false: the convolutional base only
     *                   ({@code _notop}, about 59 MB)
     */
    public static WeightsSource kerasVgg16(boolean includeTop) {
        return kerasVgg("vgg16", includeTop ? "64373286793e3c8b2b4e3219cbf3544b" : "6d6bbae143d832006294945121d1f1fc",
                includeTop);
    }

    /**
     * Keras's ImageNet VGG19 (TensorFlow dim ordering, HDF5, for {@link KerasVggWeights}).
     *
     * @param includeTop true: the whole network, 1000 classes; false: the convolutional base only ({@code _notop})
     */
    public static WeightsSource kerasVgg19(boolean includeTop) {
        return kerasVgg("vgg19", includeTop ? "cbe5617147190e668d6c5d5026f83318" : "253f8cb515780f3b799900260a226db6",
                includeTop);
    }

    /**
     * Keras's ImageNet weights of a VGG, named the way Keras publishes them: {@code vgg16/vgg16_weights_tf_dim_
     * ordering_tf_kernels.h5}, with {@code _notop} before {@code .h5} for the convolutional base.
     */
    private static WeightsSource kerasVgg(String network, String md5, boolean includeTop) {
        String noTop = includeTop ? "" : "_notop";
        return keras(network + " weights" + (includeTop ? "" : " (no top)"),
                network + "/" + network + "_weights_tf_dim_ordering_tf_kernels" + noTop + ".h5", md5);
    }

    /** DL4J's zoo VGG16 with ImageNet weights, a {@code ModelSerializer} zip checked with Adler32. */
    public static WeightsSource dl4jVgg16() {
        return new WeightsSource("vgg16 weights (DL4J zoo)", URI.create(DL4J_BASE + "vgg16_dl4j_inference.zip"),
                "vgg16_dl4j_inference.zip", FileChecksum.adler32(3501732770L));
    }

    /** DL4J's zoo VGG19 with ImageNet weights, a {@code ModelSerializer} zip checked with Adler32. */
    public static WeightsSource dl4jVgg19() {
        return new WeightsSource("vgg19 weights (DL4J zoo)", URI.create(DL4J_BASE + "vgg19_dl4j_inference.zip"),
                "vgg19_dl4j_inference.zip", FileChecksum.adler32(2782932419L));
    }

    private static WeightsSource keras(String name, String path, String md5) {
        URI url = URI.create(KERAS_BASE + path);
        return new WeightsSource(name, url, path.substring(path.lastIndexOf('/') + 1), FileChecksum.md5(md5));
    }

    /**
     * The same file from another place ({@code --weights-url}, e.g. a mirror or an intranet copy); the cache file
     * name and checksum stay, so a mirror cannot substitute a different file.
     *
     * @param newUrl an http or https URL
     * @throws UsageException naming {@code --weights-url} if the URL is malformed or not http(s)
     */
    public WeightsSource withUrl(String newUrl) {
        URI parsed;
        try {
            parsed = new URI(newUrl == null ? "" : newUrl.strip());
        } catch (URISyntaxException e) {
            throw new UsageException("--weights-url " + newUrl + ": not a valid URL (" + e.getReason()
                    + "). Expected e.g. https://mirror.example.org/" + fileName + "; received \"" + newUrl
                    + "\". Fix the URL.", e);
        }
        try {
            checkUrl(name, parsed);
        } catch (UsageException e) {
            throw new UsageException("--weights-url " + newUrl + ": not an http or https URL. Expected e.g. "
                    + "https://mirror.example.org/" + fileName + "; received \"" + newUrl + "\". Fix the URL, or "
                    + "pass a local copy with --weights FILE.", e);
        }
        return new WeightsSource(name, parsed, fileName, checksum);
    }

    private static void checkUrl(String name, URI url) {
        String scheme = url == null || url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new UsageException(name + ": the download URL must be http or https with a host. Expected e.g. "
                    + "https://storage.googleapis.com/...; received \"" + url + "\". Fix the URL.");
        }
    }
}
