package org.finetune4j.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.core.Seeds;

/**
 * Two or more models evaluated on the same images, compared: each model's scores with intervals, and for each pair
 * McNemar's exact test on the images exactly one of them gets right, a paired bootstrap interval of the accuracy
 * difference (the same resampled images for both, so what they share cancels), and the difference in recall per
 * class.
 * <pre>{@code
 * Comparison c = Comparison.of(List.of("a", "b"), List.of(evaluationA, evaluationB), Seeds.of(12345));
 * c.pairs().get(0).pValue();
 * }</pre>
 *
 * @param names   the models' names, in the order given
 * @param labels  class names in output order (the same for every model)
 * @param images  images every model was scored on
 * @param metrics each model's metrics on those images, in {@code names} order
 * @param pairs   every pair (i &lt; j), in order
 */
public record Comparison(List<String> names, List<String> labels, int images, List<Metrics> metrics,
                         List<Pair> pairs) {

    public Comparison {
        names = List.copyOf(names);
        labels = List.copyOf(labels);
        metrics = List.copyOf(metrics);
        pairs = List.copyOf(pairs);
    }

    /**
     * One pair of models.
     *
     * @param a                  the first model's name
     * @param b                  the second model's name
     * @param bothRight          images both get right
     * @param onlyA              images only A gets right
     * @param onlyB              images only B gets right
     * @param bothWrong          images both get wrong
     * @param difference         accuracy of A minus accuracy of B
     * @param differenceInterval 95% paired bootstrap interval of the difference
     * @param pValue             McNemar's exact two-sided p-value
     * @param perClass           recall differences per class, in label order
     */
    public record Pair(String a, String b, int bothRight, int onlyA, int onlyB, int bothWrong, double difference,
                       Interval differenceInterval, double pValue, List<ClassDifference> perClass) {
        public Pair {
            perClass = List.copyOf(perClass);
        }
    }

    /**
     * How two models differ on one class.
     *
     * @param label      the class
     * @param images     its images
     * @param recallA    A's recall on it
     * @param recallB    B's recall on it
     * @param difference {@code recallA - recallB}
     */
    public record ClassDifference(String label, long images, double recallA, double recallB, double difference) {
    }

    /**
     * @param names       the models' names
     * @param evaluations one evaluation per model of the same images (matched by relative path; images one model
     *                    could not read are left out for all); the protocol's predictions are compared
     * @param seeds       where the paired bootstrap's resamples come from
     * @throws IllegalArgumentException with fewer than two models or labels that differ
     */
    public static Comparison of(List<String> names, List<Evaluation> evaluations, Seeds seeds) {
        if (names.size() < 2 || names.size() != evaluations.size()) {
            throw new IllegalArgumentException("need two or more named evaluations; received " + names.size()
                    + " names and " + evaluations.size() + " evaluations");
        }
        List<String> labels = evaluations.get(0).labels();
        for (Evaluation e : evaluations) {
            if (!e.labels().equals(labels)) {
                throw new IllegalArgumentException("labels differ: " + labels + " vs " + e.labels());
            }
        }
        // The images every model has a prediction for, in the first evaluation's order.
        List<Map<String, Evaluation.ImageResult>> byPath = new ArrayList<>();
        for (Evaluation e : evaluations) {
            Map<String, Evaluation.ImageResult> m = new HashMap<>();
            e.images().forEach(r -> m.put(r.relativePath(), r));
            byPath.add(m);
        }
        List<String> common = evaluations.get(0).images().stream().map(Evaluation.ImageResult::relativePath)
                .filter(p -> byPath.stream().allMatch(m -> m.containsKey(p))).toList();
        int n = common.size();
        int models = names.size();
        int[] truth = new int[n];
        int[][] predicted = new int[models][n];
        List<Metrics> metrics = new ArrayList<>();
        for (int k = 0; k < models; k++) {
            double[][] probs = new double[n][];
            for (int i = 0; i < n; i++) {
                Evaluation.ImageResult r = byPath.get(k).get(common.get(i));
                truth[i] = r.trueClass();
                probs[i] = r.probabilities();
                predicted[k][i] = r.predicted();
            }
            metrics.add(Metrics.of(labels, truth, probs));
        }
        List<Pair> pairs = new ArrayList<>();
        for (int a = 0; a < models; a++) {
            for (int b = a + 1; b < models; b++) {
                pairs.add(pair(names.get(a), names.get(b), predicted[a], predicted[b], truth, metrics.get(a),
                        metrics.get(b), seeds));
            }
        }
        return new Comparison(names, labels, n, metrics, pairs);
    }

    private static Pair pair(String a, String b, int[] pa, int[] pb, int[] truth, Metrics ma, Metrics mb,
                             Seeds seeds) {
        int n = truth.length;
        int both = 0;
        int onlyA = 0;
        int onlyB = 0;
        int neither = 0;
        double[] diff = new double[n];   // per image: 1 if only A right, -1 if only B, else 0
        for (int i = 0; i < n; i++) {
            boolean ra = pa[i] == truth[i];
            boolean rb = pb[i] == truth[i];
            if (ra && rb) {
                both++;
            } else if (ra) {
                onlyA++;
                diff[i] = 1;
            } else if (rb) {
                onlyB++;
                diff[i] = -1;
            } else {
                neither++;
            }
        }
        Interval ci = Statistics.bootstrap(n, idx -> {
            double s = 0;
            for (int i : idx) {
                s += diff[i];
            }
            return s / idx.length;
        }, seeds, "accuracy-difference-" + a + "-" + b);
        List<ClassDifference> perClass = new ArrayList<>();
        for (int c = 0; c < ma.perClass().size(); c++) {
            Metrics.ClassMetrics ca = ma.perClass().get(c);
            Metrics.ClassMetrics cb = mb.perClass().get(c);
            perClass.add(new ClassDifference(ca.label(), ca.support(), ca.recall(), cb.recall(),
                    ca.recall() - cb.recall()));
        }
        return new Pair(a, b, both, onlyA, onlyB, neither, n == 0 ? 0 : (onlyA - onlyB) / (double) n, ci,
                Statistics.mcNemarExact(onlyA, onlyB), perClass);
    }
}
