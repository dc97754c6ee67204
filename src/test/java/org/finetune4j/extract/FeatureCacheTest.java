package org.finetune4j.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureCacheTest {

    @TempDir
    Path tmp;

    private static final String SHA = "ab" + "0".repeat(62);

    @Test
    void entriesRoundTripAndAnotherKeyIsAnotherSpace() throws Exception {
        FeatureCache cache = FeatureCache.of(tmp);
        FeatureCache.Space a = cache.space("{\"layer\":\"fc2\"}");
        a.put(SHA, new float[] {1.5f, -2f, 0f});
        assertThat(cache.space("{\"layer\":\"fc2\"}").get(SHA, 3)).containsExactly(1.5f, -2f, 0f);
        assertThat(cache.space("{\"layer\":\"fc1\"}").get(SHA, 3)).isNull();
        assertThat(a.get(SHA, 4)).as("another dimension is a miss").isNull();
        assertThat(Files.readString(a.dir().resolve("key.json"))).isEqualTo("{\"layer\":\"fc2\"}");
    }

    @Test
    void aDamagedEntryIsAMissAndIsDeleted() throws Exception {
        FeatureCache.Space s = FeatureCache.of(tmp).space("k");
        s.put(SHA, new float[] {1, 2, 3, 4});
        Path entry = s.dir().resolve("ab").resolve(SHA + ".f32");
        byte[] bytes = Files.readAllBytes(entry);
        bytes[14] ^= 1;   // one bit of the payload
        Files.write(entry, bytes);
        assertThat(s.get(SHA, 4)).isNull();
        assertThat(entry).doesNotExist();
        assertThat(s.damaged()).isEqualTo(1);
        s.put(SHA, new float[] {1, 2, 3, 4});
        Files.write(entry, java.util.Arrays.copyOf(Files.readAllBytes(entry), 10));   // truncated
        assertThat(s.get(SHA, 4)).isNull();
    }

    @Test
    void aWriteInterruptedByACrashLeavesAMissNotACorruptEntry() throws Exception {
        FeatureCache.Space s = FeatureCache.of(tmp).space("k");
        Path dir = s.dir().resolve("ab");
        Files.createDirectories(dir);
        // what a crash during AtomicFiles.write leaves: a hidden temporary sibling with part of the bytes
        byte[] whole = FeatureCache.encode(new float[] {1, 2, 3, 4});
        Files.write(dir.resolve("." + SHA + ".f32.12345.tmp"), java.util.Arrays.copyOf(whole, 9));
        assertThat(s.get(SHA, 4)).isNull();
        assertThat(s.damaged()).isZero();
        s.put(SHA, new float[] {1, 2, 3, 4});
        assertThat(s.get(SHA, 4)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void writesLeaveNoTemporaryFilesAndClearSaysWhatItFreed() throws Exception {
        FeatureCache cache = FeatureCache.of(tmp.resolve("c"));
        for (int i = 0; i < 5; i++) {
            cache.space("k" + (i % 2)).put(String.format("%064d", i), new float[8]);
        }
        try (var files = Files.walk(cache.root())) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .allMatch(n -> n.endsWith(".f32") || n.equals("key.json"));
        }
        FeatureCache.Stats before = cache.stats();
        assertThat(before.entries()).isEqualTo(5);
        assertThat(before.spaces()).isEqualTo(2);
        FeatureCache.Stats freed = cache.clear();
        assertThat(freed.entries()).isEqualTo(5);
        assertThat(freed.bytes()).isEqualTo(before.bytes()).isPositive();
        assertThat(cache.stats().entries()).isZero();
    }

    @Test
    void defaultFolderSitsNextToTheWeightsCache() {
        assertThat(FeatureCache.defaultFolder(Map.of("FINETUNE4J_CACHE", "/c"), "/home/u"))
                .isEqualTo(Path.of("/c", "features"));
        assertThat(FeatureCache.defaultFolder(Map.of(), "/home/u"))
                .isEqualTo(Path.of("/home/u", ".finetune4j", "features"));
    }
}
