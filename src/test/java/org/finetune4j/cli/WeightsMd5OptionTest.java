package org.finetune4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.finetune4j.model.WeightsSource;
import org.finetune4j.testing.Cli;
import org.finetune4j.testing.TestFolders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --weights FILE --weights-md5 HASH|any} on every command that takes {@code --weights}. The file here is not
 * HDF5, so a run whose checksum test passes stops right after it, at the HDF5 check, before any network is built.
 */
class WeightsMd5OptionTest {

    @TempDir
    Path tmp;

    private Path data;
    private Path file;
    private String fileMd5;

    @BeforeEach
    void dataAndAWeightsFileOfOurOwn() throws Exception {
        data = TestFolders.imageFolder(tmp.resolve("photos"), Map.of("cat", 4, "dog", 4));
        byte[] bytes = "not the published vgg16 weights".getBytes(StandardCharsets.US_ASCII);
        file = Files.write(tmp.resolve("my_vgg16.h5"), bytes);
        fileMd5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    private Cli.Result run(String command, String... extra) {
        List<String> a = new ArrayList<>(List.of(command, "--data", data.toString(), "--model", "vgg16",
                "--weights", file.toString(), "--models-dir", tmp.resolve("models").toString()));
        if (!command.equals("features")) {
            a.addAll(List.of("--reports-dir", tmp.resolve("reports").toString()));
        }
        a.addAll(List.of(extra));
        return Cli.run(a.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "features", "check", "lr-find", "search"})
    void anyLoadsTheFileUncheckedWithAWarningNamingItsMd5(String command) {
        Cli.Result r = run(command, "--weights-md5", "any");
        assertThat(r.err()).as(r.err())
                .contains("warning: --weights " + file + ": checksum not checked (--weights-md5 any); its MD5 is "
                        + fileMd5)
                .contains(file + ": not an HDF5 file");
        assertThat(r.exitCode()).isEqualTo(2);
    }

    @Test
    void theFilesOwnMd5PassesTheCheckWithoutAWarning() {
        Cli.Result r = run("train", "--weights-md5", fileMd5.toUpperCase(java.util.Locale.ROOT));
        assertThat(r.err()).as(r.err()).doesNotContain("warning: --weights").contains(file + ": not an HDF5 file");
        assertThat(r.exitCode()).isEqualTo(2);
    }

    @Test
    void anotherMd5IsRefusedNamingTheFileAndBothHashes() {
        String other = "0123456789abcdef0123456789abcdef";
        Cli.Result r = run("train", "--weights-md5", other);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("--weights " + file + ": its MD5 is not the one given by --weights-md5")
                .contains("Expected MD5 " + other + "; received MD5 " + fileMd5)
                .doesNotContain("not an HDF5 file");
    }

    @Test
    void withoutWeightsMd5TheFileMustBeThePublishedOne() {
        Cli.Result r = run("train");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("--weights " + file + ": not the expected vgg16 weights")
                .contains("Expected " + WeightsSource.kerasVgg16(true).checksum() + "; received MD5 " + fileMd5)
                .contains("--weights-md5 HASH");
    }

    @Test
    void aMalformedHashOrOneWithoutWeightsIsAUsageError() {
        Cli.Result bad = run("train", "--weights-md5", "12345");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--weights-md5 12345: not an MD5 checksum");

        Cli.Result alone = Cli.run("features", "--data", data.toString(), "--model", "vgg16", "--weights-md5", "any");
        assertThat(alone.exitCode()).isEqualTo(2);
        assertThat(alone.err()).contains("--weights-md5 any: applies only to a weights file passed with --weights");
    }
}
