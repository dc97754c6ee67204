package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.Adler32;
import org.finetune4j.core.DataException;
import org.finetune4j.core.UsageException;
import org.finetune4j.testing.LoopbackHttpServer;
import org.finetune4j.testing.LoopbackHttpServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsCacheTest {

    private static final String FILE = "tiny_weights.h5";

    @TempDir
    Path tmp;

    private LoopbackHttpServer server;
    private Path cacheDir;
    private WeightsCache cache;
    private byte[] body;

    @BeforeEach
    void setUp() {
        server = LoopbackHttpServer.start();
        cacheDir = tmp.resolve("cache");
        cache = new WeightsCache(cacheDir, Duration.ofSeconds(2), Duration.ofSeconds(2));
        body = new byte[200_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31 + i / 7);
        }
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private WeightsSource source(URI uri, FileChecksum checksum) {
        return new WeightsSource("tiny weights", uri, FILE, checksum);
    }

    private static FileChecksum md5Of(byte[] bytes) throws NoSuchAlgorithmException {
        return FileChecksum.md5(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes)));
    }

    private List<Path> cacheFiles() throws Exception {
        if (!Files.isDirectory(cacheDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(cacheDir)) {
            return s.toList();
        }
    }

    @Test
    void downloadsOnceVerifiesAndReportsProgress() throws Exception {
        server.serve("/w.h5", Response.ok(body));
        WeightsSource source = source(server.uri("/w.h5"), md5Of(body));
        List<long[]> calls = new ArrayList<>();

        Path file = cache.fetch(source, (done, total) -> calls.add(new long[] {done, total}));

        assertThat(file).isEqualTo(cacheDir.resolve(FILE)).hasBinaryContent(body);
        assertThat(cacheFiles()).containsExactly(file);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(calls.get(0)).containsExactly(0, body.length);
        assertThat(calls.get(calls.size() - 1)).containsExactly(body.length, body.length);
    }

    @Test
    void usesAVerifiedCachedFileWithoutAnyRequest() throws Exception {
        Files.createDirectories(cacheDir);
        Files.write(cacheDir.resolve(FILE), body);
        WeightsSource source = source(server.uri("/w.h5"), md5Of(body));
        List<Long> calls = new ArrayList<>();

        Path file = cache.fetch(source, (done, total) -> calls.add(done));

        assertThat(file).hasBinaryContent(body);
        assertThat(server.requestCount()).isZero();
        assertThat(calls).isEmpty();
    }

    @Test
    void replacesACachedFileWithTheWrongChecksum() throws Exception {
        Files.createDirectories(cacheDir);
        Files.write(cacheDir.resolve(FILE), new byte[] {1, 2, 3});
        server.serve("/w.h5", Response.ok(body));

        Path file = cache.fetch(source(server.uri("/w.h5"), md5Of(body)), DownloadListener.NONE);

        assertThat(file).hasBinaryContent(body);
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void keepsAndReportsABadCachedFileWhenTheNewDownloadFails() throws Exception {
        Files.createDirectories(cacheDir);
        Path cached = Files.write(cacheDir.resolve(FILE), new byte[] {1, 2, 3});
        WeightsSource source = source(server.uri("/gone.h5"), md5Of(body));

        assertThatThrownBy(() -> cache.fetch(source, DownloadListener.NONE))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("(HTTP 404")
                .hasMessageEndingWith("The file already at " + cached + " is not it (MD5 "
                        + "5289df737df57326fcdd22597afb1fac) and was left in place; replace it.");
        assertThat(cacheFiles()).containsExactly(cached);
        assertThat(cached).hasBinaryContent(new byte[] {1, 2, 3});
    }

    @Test
    void verifiesAdler32LikeTheDl4jZoo() {
        server.serve("/vgg16_dl4j_inference.zip", Response.ok(body));
        Adler32 adler = new Adler32();
        adler.update(body);
        WeightsSource zoo = WeightsSource.dl4jVgg16();
        WeightsSource mirror = new WeightsSource(zoo.name(), zoo.url(), zoo.fileName(),
                FileChecksum.adler32(adler.getValue())).withUrl(server.uri("/vgg16_dl4j_inference.zip").toString());

        Path file = cache.fetch(mirror, DownloadListener.NONE);

        assertThat(file.getFileName()).hasToString("vgg16_dl4j_inference.zip");
        assertThat(file).hasBinaryContent(body);
    }

    @Test
    void discardsADownloadWithTheWrongChecksum() throws Exception {
        server.serve("/w.h5", Response.ok(body));
        WeightsSource source = source(server.uri("/w.h5"), FileChecksum.md5("0123456789abcdef0123456789abcdef"));

        assertThatThrownBy(() -> cache.fetch(source, DownloadListener.NONE))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("tiny weights: the file downloaded from " + server.uri("/w.h5"))
                .hasMessageContaining("wrong checksum")
                .hasMessageContaining("Expected MD5 0123456789abcdef0123456789abcdef; received MD5 ")
                .hasMessageContaining("place it at " + cacheDir.resolve(FILE))
                .hasMessageContaining("--weights FILE");
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void reportsHttp404AndLeavesNothing() throws Exception {
        WeightsSource source = source(server.uri("/missing.h5"), md5Of(body));

        assertThatThrownBy(() -> cache.fetch(source, DownloadListener.NONE))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("tiny weights: cannot download " + server.uri("/missing.h5") + " (HTTP 404")
                .hasMessageContaining("Expected HTTP 200; received 404")
                .hasMessageContaining("place it at " + cacheDir.resolve(FILE) + " (MD5 ")
                .hasMessageContaining("or pass --weights FILE.");
        assertThat(cacheFiles()).isEmpty();
        assertThat(server.requestCount("/missing.h5")).isEqualTo(1);
    }

    @Test
    void reportsARefusedConnectionLikeBeingOffline() throws Exception {
        URI closed = LoopbackHttpServer.closedPortUri("/w.h5");
        FileChecksum md5 = md5Of(body);
        WeightsSource source = source(closed, md5);

        assertThatThrownBy(() -> cache.fetch(source, DownloadListener.NONE))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("tiny weights: cannot download " + closed + " (ConnectException: Connection refused). "
                        + "Download it on a machine with internet access and place it at " + cacheDir.resolve(FILE)
                        + " (" + md5 + "), or pass --weights FILE.");
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void discardsATruncatedTransfer() throws Exception {
        server.serve("/cut.h5", Response.truncated(Arrays.copyOf(body, 50_000), body.length));
        WeightsSource source = source(server.uri("/cut.h5"), md5Of(body));

        assertThatThrownBy(() -> cache.fetch(source, DownloadListener.NONE))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("tiny weights: the download of " + server.uri("/cut.h5") + " ended early")
                .hasMessageContaining("Expected " + body.length + " bytes; received ")
                .hasMessageContaining("--weights FILE");
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void givesUpOnAServerThatDoesNotAnswerWithinTheReadTimeout() throws Exception {
        server.serve("/slow.h5", Response.slow(Duration.ofSeconds(30), body));
        WeightsCache impatient = cache.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300));
        WeightsSource source = source(server.uri("/slow.h5"), md5Of(body));

        long start = System.nanoTime();
        assertThatThrownBy(() -> impatient.fetch(source, DownloadListener.NONE))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("tiny weights: cannot download " + server.uri("/slow.h5"))
                .hasMessageContaining("SocketTimeoutException")
                .hasMessageContaining("read timeout 0.300 s")
                .hasMessageContaining("place it at " + cacheDir.resolve(FILE));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void givesUpOnATransferThatStallsMidway() throws Exception {
        server.serve("/stall.h5", Response.stalling(body, 70_000));
        WeightsCache impatient = cache.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300));
        WeightsSource source = source(server.uri("/stall.h5"), md5Of(body));

        assertThatThrownBy(() -> impatient.fetch(source, DownloadListener.NONE))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("tiny weights: the download of " + server.uri("/stall.h5") + " stalled")
                .hasMessageContaining("of " + body.length + " bytes")
                .hasMessageContaining("--weights FILE");
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void acceptsAUserFileWithTheRightChecksumAndNamesAWrongOne() throws Exception {
        Path good = Files.write(tmp.resolve("good.h5"), body);
        Path bad = Files.write(tmp.resolve("bad.h5"), new byte[] {9});
        WeightsSource source = source(server.uri("/w.h5"), md5Of(body));

        assertThat(WeightsCache.verified(good, source)).isEqualTo(good);
        assertThatThrownBy(() -> WeightsCache.verified(bad, source))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--weights " + bad + ": not the expected tiny weights")
                .hasMessageContaining("Expected " + source.checksum() + "; received MD5 ");
        assertThatThrownBy(() -> WeightsCache.verified(tmp.resolve("absent.h5"), source))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("does not exist");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void weightsMd5HashAcceptsTheUsersFileAndNamesBothHashesOnAMismatch() throws Exception {
        Path own = Files.write(tmp.resolve("own.h5"), body);
        WeightsSource published = source(server.uri("/w.h5"), FileChecksum.md5("0".repeat(32)));
        String ownMd5 = md5Of(body).value();
        List<String> warnings = new ArrayList<>();

        assertThat(WeightsCache.verified(own, published, ownMd5, warnings::add)).isEqualTo(own);
        assertThat(warnings).isEmpty();

        String otherMd5 = "f".repeat(32);
        assertThatThrownBy(() -> WeightsCache.verified(own, published, otherMd5, warnings::add))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--weights " + own + ": its MD5 is not the one given by --weights-md5")
                .hasMessageContaining("Expected MD5 " + otherMd5 + "; received MD5 " + ownMd5)
                .hasMessageContaining("--weights-md5 any");
        assertThatThrownBy(() -> WeightsCache.verified(tmp.resolve("absent.h5"), published, ownMd5, warnings::add))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("does not exist");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void weightsMd5AnySkipsTheCheckAndWarnsWithTheFileAndItsMd5() throws Exception {
        Path own = Files.write(tmp.resolve("own.h5"), body);
        WeightsSource published = source(server.uri("/w.h5"), FileChecksum.md5("0".repeat(32)));
        List<String> warnings = new ArrayList<>();

        assertThat(WeightsCache.verified(own, published, WeightsSettings.ANY_MD5, warnings::add)).isEqualTo(own);
        assertThat(warnings).singleElement().asString()
                .startsWith("warning: --weights " + own + ": checksum not checked (--weights-md5 any)")
                .contains("its MD5 is " + md5Of(body).value());
    }

    @Test
    void withoutWeightsMd5TheFileMustStillHaveThePublishedChecksum() throws Exception {
        Path own = Files.write(tmp.resolve("own.h5"), body);
        WeightsSource published = source(server.uri("/w.h5"), FileChecksum.md5("0".repeat(32)));
        List<String> warnings = new ArrayList<>();

        assertThatThrownBy(() -> WeightsCache.verified(own, published, null, warnings::add))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--weights " + own + ": not the expected tiny weights")
                .hasMessageContaining("Expected MD5 " + "0".repeat(32) + "; received MD5 " + md5Of(body).value())
                .hasMessageContaining("--weights-md5 HASH");
        assertThat(warnings).isEmpty();
    }

    @Test
    void weightsMd5IsAHashOrAnyAndNeedsAWeightsFile() {
        assertThat(new WeightsSettings("w.h5", null, null, " ANY ").md5()).isEqualTo(WeightsSettings.ANY_MD5);
        assertThat(new WeightsSettings("w.h5", null, null, "ABCDEF0123456789ABCDEF0123456789").md5())
                .isEqualTo("abcdef0123456789abcdef0123456789");
        assertThat(WeightsSettings.defaults().md5()).isNull();
        assertThatThrownBy(() -> new WeightsSettings("w.h5", null, null, "md5:1234"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--weights-md5 md5:1234: not an MD5 checksum")
                .hasMessageContaining("Expected 32 hex digits");
        assertThatThrownBy(() -> new WeightsSettings(null, null, null, "any"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--weights-md5 any: applies only to a weights file passed with --weights");
    }

    @Test
    void cacheFolderComesFromTheEnvironmentOrTheHomeFolder() {
        assertThat(WeightsCache.defaultFolder(Map.of(), "/home/u"))
                .isEqualTo(Path.of("/home/u", ".finetune4j", "weights"));
        assertThat(WeightsCache.defaultFolder(Map.of(WeightsCache.CACHE_ENV, "/data/w"), "/home/u"))
                .isEqualTo(Path.of("/data/w"));
        assertThat(WeightsCache.defaultFolder(Map.of(WeightsCache.CACHE_ENV, " "), "/home/u"))
                .isEqualTo(Path.of("/home/u", ".finetune4j", "weights"));
    }

    @Test
    void publishedSourcesAreKerasAndDl4jFiles() {
        WeightsSource vgg16 = WeightsSource.kerasVgg16(true);
        assertThat(vgg16.url()).hasToString("https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
                + "vgg16_weights_tf_dim_ordering_tf_kernels.h5");
        assertThat(vgg16.fileName()).isEqualTo("vgg16_weights_tf_dim_ordering_tf_kernels.h5");
        assertThat(vgg16.checksum()).isEqualTo(FileChecksum.md5("64373286793e3c8b2b4e3219cbf3544b"));
        assertThat(WeightsSource.kerasVgg16(false).checksum().value()).isEqualTo("6d6bbae143d832006294945121d1f1fc");
        assertThat(WeightsSource.kerasVgg19(true).checksum().value()).isEqualTo("cbe5617147190e668d6c5d5026f83318");
        assertThat(WeightsSource.kerasVgg19(false).checksum().value()).isEqualTo("253f8cb515780f3b799900260a226db6");
        assertThat(WeightsSource.dl4jVgg16().checksum()).hasToString("Adler32 3501732770");
        assertThat(WeightsSource.dl4jVgg19().checksum()).hasToString("Adler32 2782932419");
    }

    @Test
    void rejectsBadUrlsAndChecksumsWithTheOptionName() {
        assertThatThrownBy(() -> WeightsSource.kerasVgg16(true).withUrl("ftp://mirror/x.h5"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--weights-url ftp://mirror/x.h5: not an http or https URL");
        assertThatThrownBy(() -> FileChecksum.md5("xyz"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("Expected 32 hex digits; received \"xyz\"");
        assertThatThrownBy(() -> FileChecksum.adler32(1L << 32))
                .isInstanceOf(UsageException.class);
    }
}
