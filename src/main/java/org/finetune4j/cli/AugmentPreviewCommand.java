package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.finetune4j.augment.AugmentPreview;
import org.finetune4j.augment.ImageSize;
import org.finetune4j.augment.Recipe;
import org.finetune4j.augment.RecipeLoader;
import org.finetune4j.core.Json;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImage;
import org.finetune4j.data.ImageFolder;
import org.finetune4j.model.Backbones;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code finetune4j augment-preview}: a PNG grid of what an augmentation recipe does to a few images. */
@Command(name = "augment-preview",
        description = {"Draws a PNG grid: one row per image (taken in turn from each class), the original and then "
                + "the augmented versions the network would see in epochs 0, 1, 2, ... at the input size of "
                + "--model (what `train` would feed it), labelled with the class and the parameters each step drew."})
final class AugmentPreviewCommand extends DataCommand {

    @Mixin
    AugmentOption augment;

    @Option(names = "--out", paramLabel = "GRID.png", required = true, description = "The PNG file to write.")
    Path out;

    @Option(names = "--images", paramLabel = "N", description = "Rows: images to show. Default: ${DEFAULT-VALUE}.")
    int images = AugmentPreview.Config.defaults().images();

    @Option(names = "--versions", paramLabel = "N",
            description = "Augmented versions per image (epochs 0..N-1). Default: ${DEFAULT-VALUE}.")
    int versions = AugmentPreview.Config.defaults().versions();

    @Mixin
    ModelOption model;

    @Option(names = "--input-size", paramLabel = "N",
            description = "Square network input size in pixels, instead of --model's.")
    Integer inputSize;

    @Option(names = "--size", paramLabel = "HxW",
            description = "Network input size as HEIGHTxWIDTH, e.g. 48x64 (instead of --input-size).")
    String size;

    @Override
    public Integer call() {
        AugmentPreview.Config config = new AugmentPreview.Config(images, versions, inputSize(), data.onBadImage);
        Recipe recipe = RecipeLoader.load(augment.augment);          // the recipe is validated before any work
        Path dir = resolveData();
        ImageFolder folder = ImageFolder.scan(dir);
        AugmentPreview.Result result = AugmentPreview.write(out, folder, recipe, config, common.seeds());
        PrintWriter stdout = out();
        if (common.json) {
            stdout.println(Json.write(result));
        } else {
            stdout.printf(Locale.ROOT, "%s: %d x %d px, %d image(s) x %d version(s) of recipe %s at input %s "
                            + "(seed %d)%n", out, result.widthPx(), result.heightPx(), result.rows().size(), versions,
                    result.recipe(), result.inputSize(), common.seed);
            for (AugmentPreview.Row row : result.rows()) {
                stdout.printf(Locale.ROOT, "  %s (%s, %d x %d px, w x h)%n", row.image(), row.className(),
                        row.imageSize().width(), row.imageSize().height());
                for (int v = 0; v < row.versions().size(); v++) {
                    stdout.printf(Locale.ROOT, "    epoch %d: %s%n", v, row.versions().get(v).isEmpty()
                            ? "(no step)" : String.join(", ", row.versions().get(v)));
                }
            }
            for (BadImage b : result.skipped()) {
                stdout.println("  skipped " + b.relativePath() + ": " + b.reason());
            }
        }
        stdout.flush();
        return Finetune4j.EXIT_OK;
    }

    private ImageSize inputSize() {
        if (size != null && inputSize != null) {
            throw new UsageException("--size " + size + ": given together with --input-size " + inputSize
                    + ". Expected one of the two; received both. Drop one.");
        }
        if (size != null) {
            return ImageSize.parse(size, "--size");
        }
        if (inputSize == null) {
            org.finetune4j.model.InputShape input = Backbones.input(model.resolve(data.data, data.given(), true, err()),
                    Backbones.MODELS_DIR);
            return new ImageSize(input.height(), input.width());
        }
        int side = inputSize;
        if (side < 1 || side > ImageSize.MAX_SIDE) {
            throw new UsageException("--input-size " + side + ": out of range. Expected 1 to " + ImageSize.MAX_SIDE
                    + " px; received " + side + ". Give the network's input side, e.g. 64 or 224.");
        }
        return ImageSize.square(side);
    }
}
