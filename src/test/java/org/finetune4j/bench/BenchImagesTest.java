package org.finetune4j.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.data.ImageDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchImagesTest {

    @TempDir
    Path dir;

    @Test
    void sameSeedGivesTheSameJpegsOfMixedSizes() throws Exception {
        List<Path> first = BenchImages.ensure(dir.resolve("a"), 3, 7L);
        List<Path> second = BenchImages.ensure(dir.resolve("b"), 3, 7L);
        List<Path> other = BenchImages.ensure(dir.resolve("c"), 3, 8L);

        Set<String> sizes = new HashSet<>();
        for (int i = 0; i < first.size(); i++) {
            assertThat(Files.readAllBytes(first.get(i))).isEqualTo(Files.readAllBytes(second.get(i)));
            assertThat(Files.readAllBytes(first.get(i))).isNotEqualTo(Files.readAllBytes(other.get(i)));
            try (Mat m = ImageDecoder.defaults().decode(first.get(i), first.get(i).getFileName().toString())) {
                sizes.add(m.cols() + "x" + m.rows());
                assertThat(Math.min(m.cols(), m.rows())).isGreaterThanOrEqualTo(256);
            }
        }
        assertThat(sizes).containsExactlyInAnyOrder("500x375", "375x500", "500x333");
        assertThat(BenchImages.list(dir.resolve("a"))).isEqualTo(first);
    }

    @Test
    void vgg16CostsAbout31GflopPerImageToFc2() {
        // 15.35 G multiply-adds in the convolutions, 0.12 G in fc1 + fc2 (Simonyan & Zisserman's 15.5 GMAC)
        assertThat(PerfBench.VggFlops.toFc2() / 1e9).isCloseTo(30.93, within(0.01));
        assertThat(PerfBench.VggFlops.trainBlock5()).isGreaterThan(PerfBench.VggFlops.trainHead());
    }
}
