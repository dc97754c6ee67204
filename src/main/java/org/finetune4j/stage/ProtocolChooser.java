package org.finetune4j.stage;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.core.DataException;
import org.finetune4j.core.Progress;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.data.LabeledImage;
import org.finetune4j.eval.CropProtocol;
import org.finetune4j.eval.CropProtocolLoader;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.eval.MultiCropEvaluator;
import org.finetune4j.eval.ProtocolChoice;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.ModelBundle;
import org.finetune4j.model.NativeInference;

/**
 * Chooses a bundle's evaluation protocol on its validation split: one pass per shipped protocol (the crops and
 * forward passes of a pass serve both averaging rules), then {@link ProtocolChoice#choose}.
 */
final class ProtocolChooser {

    private ProtocolChooser() {
    }

    /**
     * What was chosen, with the validation evaluation of the choice (for the reject option's thresholds).
     *
     * @param choice     the choice and every candidate's score
     * @param validation the chosen protocol's evaluation of the validation split
     */
    record Chosen(ProtocolChoice choice, Evaluation validation) {
    }

    /**
     * @param loaded     the bundle
     * @param validation its validation images
     * @param averaging  the only averaging rule to consider, or null for both
     * @param batchSize  most crops per forward pass
     * @param quiet      no progress display
     */
    static Chosen choose(BundleStore.Loaded loaded, List<LabeledImage> validation,
                         MultiCropEvaluator.Averaging averaging, int batchSize, boolean quiet) {
        ModelBundle b = loaded.bundle();
        ImageDecoder decoder = new ImageDecoder(b.preprocessing().input().channels(), ImageDecoder.DEFAULT_MAX_PIXELS);
        List<Evaluation> all = new ArrayList<>();
        try (NativeInference inference = NativeInference.of(loaded.graph())) {
            for (String name : CropProtocolLoader.SHIPPED) {
                all.addAll(evaluate(loaded, validation, averaging, batchSize, quiet, decoder, inference, name));
            }
        }
        if (all.get(0).images().isEmpty()) {
            throw new DataException("none of the " + validation.size() + " validation images could be read. Expected "
                    + "readable images; check the data folder.");
        }
        ProtocolChoice choice = ProtocolChoice.choose(all);
        Evaluation chosen = all.stream().filter(e -> e.protocol().equals(choice.protocol())
                && e.averaging().equals(choice.averaging())).findFirst().orElseThrow();
        return new Chosen(choice, chosen);
    }

    /** @return the validation evaluations of one shipped protocol, under each averaging rule it is tried with */
    private static List<Evaluation> evaluate(BundleStore.Loaded loaded, List<LabeledImage> validation,
                                             MultiCropEvaluator.Averaging averaging, int batchSize, boolean quiet,
                                             ImageDecoder decoder, NativeInference inference, String name) {
        CropProtocol protocol = CropProtocolLoader.load(name);
        List<MultiCropEvaluator.Averaging> rules = averaging != null ? List.of(averaging)
                : protocol.cropCount() == 1 ? List.of(MultiCropEvaluator.Averaging.PROBABILITIES)
                : List.of(MultiCropEvaluator.Averaging.values());
        MultiCropEvaluator ev = new MultiCropEvaluator(loaded.bundle().preprocessing(), protocol,
                MultiCropEvaluator.Averaging.PROBABILITIES, batchSize);
        try (Progress p = Progress.start("choosing the protocol: " + name + " on validation", validation.size(),
                " img", !quiet)) {
            return ev.evaluate(validation, loaded.bundle().labels(), decoder, inference::output, p::step, rules);
        }
    }

    /** @return the choice as the bundle records it */
    static ModelBundle.EvaluationProtocol record(ProtocolChoice c) {
        double top1 = c.candidates().stream().filter(x -> x.protocol().equals(c.protocol())
                && x.averaging().equals(c.averaging())).mapToDouble(ProtocolChoice.Candidate::top1).findFirst()
                .orElse(Double.NaN);
        return new ModelBundle.EvaluationProtocol(c.protocol(), c.averaging(), top1, c.validationImages());
    }
}
