package org.finetune4j.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.finetune4j.data.ShapesGenerator;

/**
 * The backbone a run takes when {@code --model} is not given, and why. The synthetic sample sets (no {@code --data},
 * or a folder {@code finetune4j sample-data} wrote, recognised by its {@value ShapesGenerator#COMPLETE_MARKER} file)
 * keep the shipped offline demo {@value TrainConfig#DEFAULT_MODEL}, which was pretrained on shapes and carries
 * nothing to photos; any other folder gets {@value #FOR_PHOTOS} with ImageNet weights (fetched once into the cache).
 * <pre>{@code
 * DefaultBackbone d = DefaultBackbone.forData(Path.of("photos"), true);   // vgg16, "…your own images…"
 * }</pre>
 *
 * @param model  the backbone ({@code --model} value)
 * @param reason why, in a few words for the first line of the run
 */
public record DefaultBackbone(String model, String reason) {

    /** The default backbone for a folder of the user's own images. */
    public static final String FOR_PHOTOS = "vgg16";

    /**
     * @param folder    the data folder ({@code --data}, or the default sample set)
     * @param dataGiven whether the user named the folder ({@code --data})
     */
    public static DefaultBackbone forData(Path folder, boolean dataGiven) {
        if (!dataGiven) {
            return new DefaultBackbone(TrainConfig.DEFAULT_MODEL, "the default for the synthetic sample data (an "
                    + "offline demo; --model vgg16 for photos)");
        }
        if (Files.isRegularFile(folder.resolve(ShapesGenerator.COMPLETE_MARKER))) {
            return new DefaultBackbone(TrainConfig.DEFAULT_MODEL, "the default for a synthetic sample set made by "
                    + "`finetune4j sample-data`");
        }
        return new DefaultBackbone(FOR_PHOTOS, "the default for a folder of your own images: ImageNet weights, "
                + "fetched once; --model mini-vgg-shapes tries the pipeline offline");
    }
}
