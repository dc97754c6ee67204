package org.finetune4j.clean;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code clean} on the shapes target set with 5% of the labels flipped (seeded): the flipped images rank high.
 * Measured 2026-12-03 (mini-vgg-shapes fc2, 360 images, 18 flipped): see docs/clean.md.
 */
@Slow
class LabelErrorsTest {

    @TempDir
    Path tmp;

    @Test
    void flippedLabelsRankHighOverSeveralSeeds() throws Exception {
        Path cache = tmp.resolve("cache");
        for (long seed : List.of(1L, 2L, 3L)) {
            Path data = CleanFixtures.shapesTarget(tmp.resolve("seed" + seed));
            Set<String> flipped = new HashSet<>(CleanFixtures.flipLabels(data, 0.05, seed));
            Path out = tmp.resolve("out" + seed);
            Cli.Result r = Cli.run("clean", "--data", data.toString(), "--cache", cache.toString(), "--out",
                    out.toString(), "--quiet");
            assertThat(r.exitCode()).as(r.err()).isZero();
            List<double[]> scored = new ArrayList<>();     // {score, flipped?}
            for (String line : Files.readAllLines(out.resolve("images.csv")).subList(1, 361)) {
                String[] f = line.split(",");
                scored.add(new double[] {Double.parseDouble(f[5]), flipped.contains(f[0]) ? 1 : 0});
            }
            double auroc = auroc(scored);
            Set<String> flagged = new HashSet<>();
            for (String line : Files.readAllLines(out.resolve("label-issues.csv")).subList(1,
                    Files.readAllLines(out.resolve("label-issues.csv")).size())) {
                flagged.add(line.split(",")[1]);
            }
            long hits = flagged.stream().filter(flipped::contains).count();
            System.out.printf(Locale.ROOT, "seed %d: %d flipped, AUROC %.3f, flagged %d, precision %.3f, recall "
                            + "%.3f%n", seed, flipped.size(), auroc, flagged.size(),
                    flagged.isEmpty() ? 0 : (double) hits / flagged.size(), (double) hits / flipped.size());
            assertThat(flipped).hasSize(18);
            assertThat(auroc).as("seed %d", seed).isGreaterThanOrEqualTo(0.85);
            assertThat((double) hits / flipped.size()).as("recall, seed %d", seed).isGreaterThanOrEqualTo(0.5);
        }
        Path clean = CleanFixtures.shapesTarget(tmp.resolve("noflips"));
        Path out = tmp.resolve("out-noflips");
        Cli.Result r = Cli.run("clean", "--data", clean.toString(), "--cache", cache.toString(), "--out",
                out.toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        int flagged = Files.readAllLines(out.resolve("label-issues.csv")).size() - 1;
        System.out.printf(Locale.ROOT, "no flips: %d of 360 flagged%n", flagged);
    }

    /** Area under the ROC curve: the chance a flipped image scores above an unflipped one (ties count half). */
    static double auroc(List<double[]> scored) {
        double sum = 0;
        long pairs = 0;
        for (double[] p : scored) {
            if (p[1] != 1) {
                continue;
            }
            for (double[] q : scored) {
                if (q[1] == 0) {
                    sum += p[0] > q[0] ? 1 : p[0] == q[0] ? 0.5 : 0;
                    pairs++;
                }
            }
        }
        return sum / pairs;
    }
}
