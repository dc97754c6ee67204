package org.finetune4j.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.finetune4j.core.EditDistance;
import org.finetune4j.core.UsageException;

/**
 * The registry of names {@code --model} accepts: built-in backbones ({@code vgg16}, {@code vgg19},
 * {@code mini-vgg}), bundle folders, and bundle names under {@code models/} (such as the shipped
 * {@code mini-vgg-shapes}). Unknown names are an error that lists the valid ones.
 * <pre>{@code
 * Optional<BackboneSpec> spec = Backbones.find("vgg16");
 * List<LayerInfo> layers = Backbones.layers("vgg16", Path.of("models"));   // offline: architecture only
 * }</pre>
 */
public final class Backbones {

    /** Where bundles are looked up by name, relative to the working folder. */
    public static final Path MODELS_DIR = Path.of("models");

    private static final Map<String, BackboneSpec> BUILT_IN = new LinkedHashMap<>();

    static {
        InputShape imagenet = new InputShape(224, 224, 3);
        register(new BackboneSpec("vgg16", "VGG16 (Simonyan & Zisserman 2014) with ImageNet weights, 224x224 BGR "
                + "input minus the ImageNet mean; weights downloaded once and cached (553 MB)",
                (classes, a) -> VggArchitecture.vgg16(classes), Preprocessing.vgg(imagenet), false, "block4_pool",
                "fc2", new BackboneSpec.PretrainedWeights(WeightsSource.kerasVgg16(true), WeightsSource.dl4jVgg16())));
        register(new BackboneSpec("vgg19", "VGG19 with ImageNet weights, 224x224 BGR input minus the ImageNet mean; "
                + "weights downloaded once and cached (575 MB)",
                (classes, a) -> VggArchitecture.vgg19(classes), Preprocessing.vgg(imagenet), false, "block4_pool",
                "fc2", new BackboneSpec.PretrainedWeights(WeightsSource.kerasVgg19(true), WeightsSource.dl4jVgg19())));
        InputShape mini = new InputShape(64, 64, 3);
        register(new BackboneSpec("mini-vgg", "the project's small VGG (4 blocks, batch norm, 64x64 input), randomly "
                + "initialised: for training from scratch (`finetune4j pretrain`)",
                (classes, a) -> VggArchitecture.miniVgg(a.inputSize(), classes, a.batchNorm()),
                Preprocessing.vgg(mini), true, "block3_pool", "fc2", null));
    }

    private Backbones() {
    }

    private static void register(BackboneSpec spec) {
        BUILT_IN.put(spec.name(), spec);
    }

    /** @return the built-in backbones in registration order */
    public static List<BackboneSpec> builtIn() {
        return List.copyOf(BUILT_IN.values());
    }

    /** @return the built-in backbone of that name, if any */
    public static Optional<BackboneSpec> find(String name) {
        return Optional.ofNullable(BUILT_IN.get(name));
    }

    /**
     * Finds the bundle folder a {@code --model} value names: a path to a bundle folder, or a bundle name under
     * {@code modelsDir}.
     */
    public static Optional<Path> findBundle(String model, Path modelsDir) {
        Path direct = Path.of(model);
        if (BundleStore.isBundle(direct)) {
            return Optional.of(direct);
        }
        Path named = modelsDir.resolve(model);
        if (!model.contains("/") && BundleStore.isBundle(named)) {
            return Optional.of(named);
        }
        return Optional.empty();
    }

    /**
     * Resolves the {@code --model} of a command that needs a trained bundle ({@code predict}, {@code serve}, the
     * library API): a bundle name under {@code modelsDir} or a bundle folder.
     *
     * @param command the command, for the message
     * @return the bundle folder
     * @throws UsageException for a built-in backbone (it knows no labels of the user's) or a name that is no bundle
     */
    public static Path requireBundle(String model, Path modelsDir, String command) {
        if (find(model).isPresent()) {
            throw new UsageException("--model " + model + ": a backbone, not a trained bundle; it knows no labels of "
                    + "yours. Train a bundle first (`finetune4j train`), then " + command + " with it.");
        }
        return findBundle(model, modelsDir).orElseThrow(() -> unknownBundle(model, modelsDir, command));
    }

    /** @return the names of the bundles under {@code modelsDir}, sorted */
    public static List<String> bundleNames(Path modelsDir) {
        if (!Files.isDirectory(modelsDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(modelsDir)) {
            return s.filter(BundleStore::isBundle).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    /** @return the error for a name that is neither built in nor a bundle, listing what is valid */
    public static UsageException unknown(String model, Path modelsDir) {
        List<String> valid = new ArrayList<>(BUILT_IN.keySet());
        valid.addAll(bundleNames(modelsDir));
        return new UsageException("--model " + model + ": no such backbone or bundle. Expected one of "
                + String.join(", ", valid) + ", or the path of a bundle folder (with bundle.json). "
                + "models/README.md lists them.");
    }

    /**
     * The error for a {@code --model} of {@code predict} or {@code evaluate} that names no bundle: these commands
     * need a trained bundle, so only bundles are offered, the closest name first.
     *
     * @param command the command, for the message
     */
    public static UsageException unknownBundle(String model, Path modelsDir, String command) {
        List<String> bundles = bundleNames(modelsDir);
        if (bundles.isEmpty()) {
            return new UsageException("--model " + model + ": no such bundle. Expected a trained bundle's name under "
                    + modelsDir + "/ or its folder; received " + model + ", and " + modelsDir + "/ holds no bundles. "
                    + "Train one first (`finetune4j train`), then " + command + " with it.");
        }
        Optional<String> closest = EditDistance.closest(model, bundles, Math.max(2, model.length() / 3));
        return new UsageException("--model " + model + ": no such bundle."
                + closest.map(c -> " Did you mean " + c + "?").orElse("") + " Expected a trained bundle's name under "
                + modelsDir + "/ or its folder; the bundles there: " + String.join(", ", bundles) + ".");
    }

    /**
     * The input a backbone or bundle takes, read from the registry or the bundle's {@code bundle.json} (the network
     * is not loaded).
     *
     * @throws UsageException for an unknown name
     */
    public static InputShape input(String model, Path modelsDir) {
        Optional<BackboneSpec> spec = find(model);
        if (spec.isPresent()) {
            return spec.get().preprocessing().input();
        }
        Path bundle = findBundle(model, modelsDir).orElseThrow(() -> unknown(model, modelsDir));
        return BundleStore.readMeta(bundle).preprocessing().input();
    }

    /**
     * Lists the layers of a backbone or bundle. Built-in backbones need only their architecture (no weights, no
     * network access); a bundle is loaded (and validated) to show which layers are frozen.
     *
     * @throws UsageException for an unknown name
     */
    public static List<LayerInfo> layers(String model, Path modelsDir) {
        Optional<BackboneSpec> spec = find(model);
        if (spec.isPresent()) {
            VggArchitecture a = spec.get().architecture().build(1000, ArchitectureSettings.defaults());
            return LayerInfo.of(a.configuration(0), Layout.inputType(a.input()));
        }
        Path bundle = findBundle(model, modelsDir).orElseThrow(() -> unknown(model, modelsDir));
        BundleStore.Loaded loaded = BundleStore.load(bundle);
        ComputationGraphConfiguration conf = loaded.graph().getConfiguration();
        return LayerInfo.of(conf, Layout.inputType(loaded.bundle().preprocessing().input()));
    }

    /**
     * Checks that a layer name exists, for {@code --freeze-until} and {@code --layer}.
     *
     * @throws UsageException naming the option and listing the valid layers
     */
    public static void requireLayer(String option, String layer, String model, List<LayerInfo> layers) {
        if (layers.stream().noneMatch(l -> l.name().equals(layer))) {
            throw new UsageException(option + " " + layer + ": no such layer in " + model + ". Valid layers: "
                    + String.join(", ", layers.stream().map(LayerInfo::name).toList()) + " (run `finetune4j layers "
                    + "--model " + model + "`).");
        }
    }
}
