package org.finetune4j.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.finetune4j.core.Json;
import org.finetune4j.model.BackboneSpec;
import org.finetune4j.model.Backbones;
import org.finetune4j.model.LayerInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finetune4j layers}: the layers of a backbone or bundle, to pick a freeze point or feature layer. */
@Command(name = "layers",
        description = {"Lists a backbone's or bundle's layers: name, type, output shape, parameter count, and "
                + "whether it is frozen. Built-in backbones need only their architecture (offline, no weights)."})
final class LayersCommand extends ToolCommand {

    @Option(names = "--model", paramLabel = "M", required = true,
            description = "vgg16, vgg19, mini-vgg, a bundle name under models/, or a bundle folder.")
    String model;

    @Option(names = "--json", description = "Print the layers as JSON.")
    boolean json;

    @Override
    public Integer call() {
        List<LayerInfo> layers = Backbones.layers(model, Backbones.MODELS_DIR);
        PrintWriter out = out();
        if (json) {
            out.println(Json.write(layers));
            out.flush();
            return Finetune4j.EXIT_OK;
        }
        Optional<BackboneSpec> builtIn = Backbones.find(model);
        int w = Math.max(5, layers.stream().mapToInt(l -> l.name().length()).max().orElse(5));
        String row = "%-" + w + "s  %-26s %-14s %12s  %s%n";
        out.printf(Locale.ROOT, row, "layer", "type", "output", "params", "");
        long total = 0;
        long trainable = 0;
        for (LayerInfo l : layers) {
            String note = l.frozen() ? "frozen" : "";
            if (builtIn.isPresent() && l.name().equals(builtIn.get().defaultFreezeUntil())) {
                note = "<- default --freeze-until";
            }
            if (builtIn.isPresent() && l.name().equals(builtIn.get().defaultFeatureLayer())) {
                note = "<- default feature --layer";
            }
            out.printf(Locale.ROOT, row, l.name(), l.type(), l.outputShape(), String.format(Locale.ROOT, "%,d",
                    l.params()), note);
            total += l.params();
            trainable += l.frozen() ? 0 : l.params();
        }
        out.printf(Locale.ROOT, "%nparameters: %,d (%,d trainable)%n", total, trainable);
        if (builtIn.isPresent()) {
            out.println("output shapes are channels x height x width, at the "
                    + builtIn.get().preprocessing().input() + " input; `predictions` has 1000 outputs here and is "
                    + "replaced by a head for your classes when you train");
        }
        out.flush();
        return Finetune4j.EXIT_OK;
    }
}
