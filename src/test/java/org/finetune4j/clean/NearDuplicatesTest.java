package org.finetune4j.clean;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.core.Json;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clean} on the shapes target set with planted near-duplicates: all found, no distinct images joined. */
@Slow
class NearDuplicatesTest {

    @TempDir
    Path tmp;

    @Test
    void findsEveryPlantedCopyAndJoinsNoTwoDistinctImages() throws Exception {
        Path data = CleanFixtures.shapesTarget(tmp);
        List<String> originals = CleanFixtures.images(data);
        Map<String, String> originalOf = new HashMap<>();
        CleanFixtures.Copy[] kinds = CleanFixtures.Copy.values();
        for (int i = 0; i < 10; i++) {
            String source = originals.get(i * 36 + 3 * i);     // one image in each class, at different positions
            for (CleanFixtures.Copy kind : kinds) {
                originalOf.put(CleanFixtures.plant(data, source, kind), source);
            }
        }
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("clean", "--data", data.toString(), "--cache", tmp.resolve("cache").toString(),
                "--out", out.toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = Json.mapper().readTree(out.resolve("clean.json").toFile());
        Map<String, Integer> groupOf = new HashMap<>();
        List<List<String>> groups = new ArrayList<>();
        long leaks = 0;
        for (JsonNode g : json.get("duplicates")) {
            List<String> files = new ArrayList<>();
            g.get("files").forEach(f -> files.add(f.asText()));
            files.forEach(f -> groupOf.put(f, groups.size()));
            groups.add(files);
            leaks += g.get("leak").asBoolean() ? 1 : 0;
            System.out.println("group " + files + " cosine " + g.get("max-cosine") + " bits " + g.get("min-hash-bits"));
        }
        for (Map.Entry<String, String> e : originalOf.entrySet()) {
            assertThat(groupOf).as("copy %s", e.getKey()).containsKey(e.getKey());
            assertThat(groupOf.get(e.getKey())).as("copy %s with %s", e.getKey(), e.getValue())
                    .isEqualTo(groupOf.get(e.getValue()));
        }
        for (List<String> g : groups) {
            long distinct = g.stream().map(f -> originalOf.getOrDefault(f, f)).distinct().count();
            assertThat(distinct).as("group %s holds distinct images", g).isEqualTo(1);
        }
        assertThat(groups).hasSize(10);
        assertThat(leaks).as("groups across the split").isPositive();
    }
}
