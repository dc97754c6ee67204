package org.finetune4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.finetune4j.run.DefaultBackbone;
import picocli.CommandLine.Option;

/** {@code --model}: the backbone a command starts from (train's wording; {@link HelpLayout} words it per command). */
public final class ModelOption {

    /** What {@code --help} says of the default, which follows the data ({@link DefaultBackbone}). */
    static final String DEFAULT_WORDING = "vgg16 (ImageNet weights) for a folder of your own images, mini-vgg-shapes "
            + "(offline demo) for the synthetic sample data";

    @Option(names = "--model", paramLabel = "M", description = "The backbone: vgg16, vgg19, a bundle name under "
            + "models/ (e.g. mini-vgg-shapes), a bundle folder, or mini-vgg (with --mode scratch). Default: "
            + DEFAULT_WORDING + ".")
    String model;

    /**
     * The backbone named, or the default for this data; when it is the default, says so first, with the reason.
     *
     * @param dataDir   the data folder, resolved (sample sets generated)
     * @param dataGiven whether {@code --data} was given
     * @param quiet     print nothing
     * @param err       where the line goes
     */
    String resolve(Path dataDir, boolean dataGiven, boolean quiet, PrintWriter err) {
        if (model != null) {
            return model;
        }
        DefaultBackbone d = DefaultBackbone.forData(dataDir, dataGiven);
        if (!quiet) {
            err.println("finetune4j: backbone " + d.model() + ": " + d.reason());
            err.flush();
        }
        return d.model();
    }
}
