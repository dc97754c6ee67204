package org.finetune4j.eval;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.finetune4j.data.BadImage;

/**
 * What {@link MultiCropEvaluator} found: per-image predictions and the metrics of the protocol and, from the same
 * pass, of the single centre crop.
 *
 * @param protocol                the protocol's name ({@code ten-crop}, ...)
 * @param protocolSource          where the protocol was read from ({@code eval/ten-crop.yaml} or a path)
 * @param averaging               how crop predictions were combined: {@code probs} or {@code log-probs}
 * @param crops                   the protocol's crops, in order
 * @param labels                  class names in output order
 * @param images                  one result per evaluated image, in input order
 * @param protocolMetrics         metrics of the averaged predictions
 * @param centerMetrics           metrics of the single centre crop at the bundle's evaluation scale
 * @param protocolImagesPerSecond images per second for the protocol: decoding, cropping and the forward passes
 * @param centerImagesPerSecond   images per second for the centre crop alone: decoding, its crop, its forward
 *                                passes (measured in the same pass)
 * @param seconds                 wall-clock seconds of the whole pass
 * @param badImages               files that could not be decoded, left out
 */
public record Evaluation(String protocol, String protocolSource, String averaging, List<Crop> crops,
                         List<String> labels, List<ImageResult> images, Metrics protocolMetrics, Metrics centerMetrics,
                         double protocolImagesPerSecond, double centerImagesPerSecond, double seconds,
                         List<BadImage> badImages) {

    /**
     * The predictions for one image.
     *
     * @param relativePath         the image, relative to the data root
     * @param file                 the image file as found on disk (for thumbnails; not written to reports)
     * @param trueClass            index of its class
     * @param probabilities        the protocol's averaged probabilities, one per class
     * @param centerProbabilities  the single centre crop's probabilities
     */
    public record ImageResult(String relativePath, Path file, int trueClass, double[] probabilities,
                              double[] centerProbabilities) {

        /** @return the protocol's predicted class */
        public int predicted() {
            return Metrics.argmax(probabilities);
        }

        /** @return the centre crop's predicted class */
        public int centerPredicted() {
            return Metrics.argmax(centerProbabilities);
        }
    }

    public Evaluation {
        crops = List.copyOf(crops);
        labels = List.copyOf(labels);
        images = List.copyOf(images);
        badImages = List.copyOf(badImages);
    }

    /** @return crops per image in the protocol */
    public int cropsPerImage() {
        return crops.size();
    }

    /**
     * @param n at most this many
     * @return the wrongly classified images (by the protocol) whose wrong class had the highest probability, most
     *         confident first; ties by path
     */
    public List<ImageResult> mostConfidentlyWrong(int n) {
        return images.stream().filter(r -> r.predicted() != r.trueClass())
                .sorted(Comparator.comparingDouble((ImageResult r) -> -r.probabilities()[r.predicted()])
                        .thenComparing(ImageResult::relativePath))
                .limit(Math.max(0, n)).toList();
    }
}
