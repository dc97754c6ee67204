package org.finetune4j.examples;

import java.nio.file.Path;
import org.finetune4j.api.Classification;
import org.finetune4j.api.ImageClassifier;
import org.finetune4j.api.LabelScore;

/** Classifies one image with a trained bundle: {@code ClassifyImage BUNDLE IMAGE} (a bundle name or folder). */
public final class ClassifyImage {
    public static void main(String[] args) {
        try (ImageClassifier classifier = ImageClassifier.load(args[0])) {
            Classification result = classifier.classify(Path.of(args[1]));
            for (LabelScore s : result.top()) {
                System.out.printf("%-12s %.3f%n", s.label(), s.probability());
            }
        }
    }
}
