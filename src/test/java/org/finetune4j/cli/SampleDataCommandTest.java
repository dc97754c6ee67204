package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.finetune4j.core.Fingerprint;
import org.finetune4j.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleDataCommandTest {

    @TempDir
    Path tmp;

    private static List<String> hashes(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted()
                    .map(p -> dir.relativize(p) + " " + Fingerprint.sha256(p)).toList();
        }
    }

    @Test
    void writesBothSetsByteIdenticallyForTheSameSeedAndReusesCompleteSets() throws Exception {
        String[] small = {"--source-per-class", "2", "--target-per-class", "3", "--quiet"};
        Cli.Result a = Cli.run(concat(new String[] {"sample-data", "--out", tmp.resolve("a").toString()}, small));
        Cli.Result b = Cli.run(concat(new String[] {"sample-data", "--out", tmp.resolve("b").toString()}, small));
        assertThat(a.exitCode()).as(a.err()).isZero();
        assertThat(a.out()).contains("shapes-source: 20 classes x 2 images (40 written)")
                .contains("shapes-target: 10 classes x 3 images (30 written)");
        assertThat(hashes(tmp.resolve("b"))).isEqualTo(hashes(tmp.resolve("a")));

        Cli.Result again = Cli.run(concat(new String[] {"sample-data", "--out", tmp.resolve("a").toString()}, small));
        assertThat(again.out()).contains("already complete, reused");

        Cli.Result other = Cli.run(concat(new String[] {"sample-data", "--out", tmp.resolve("c").toString(),
            "--seed", "7"}, small));
        assertThat(other.exitCode()).isZero();
        assertThat(hashes(tmp.resolve("c"))).isNotEqualTo(hashes(tmp.resolve("a")));
    }

    @Test
    void namingAMissingSampleSetGeneratesItFirst() {
        Path target = tmp.resolve("shapes-target");
        Cli.Result r = Cli.run("inspect", "--data", target.toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("generating the sample set");
        assertThat(r.out()).contains("360 image files in 10 classes").contains("bad files: none")
                .contains("duplicates: none");
        assertThat(tmp.resolve("shapes-source")).doesNotExist();   // only the named set is made
    }

    @Test
    void aCompleteSetMadeWithOtherCountsIsUsedAsItIsNotRegenerated() {
        Cli.Result made = Cli.run("sample-data", "--out", tmp.toString(), "--source-per-class", "1",
                "--target-per-class", "4", "--quiet");
        assertThat(made.exitCode()).isZero();
        Cli.Result r = Cli.run("inspect", "--data", tmp.resolve("shapes-target").toString(), "--quiet");
        assertThat(r.err()).doesNotContain("generating");
        assertThat(r.out()).contains("40 image files in 10 classes");
    }

    @Test
    void invalidCountsAreUsageErrorsNamingTheOption() {
        Cli.Result r = Cli.run("sample-data", "--out", tmp.toString(), "--target-per-class", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--target-per-class");
        assertThat(tmp.resolve("shapes-target")).doesNotExist();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
