package org.finetune4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.finetune4j.core.Fingerprint;
import org.finetune4j.core.Json;
import org.finetune4j.core.RunInfo;
import org.finetune4j.core.UsageException;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BundleStoreTest {

    @TempDir
    Path tmp;

    static ComputationGraph tinyNet(long seed) {
        return TestBundles.tinyVgg(3, false).build(seed);
    }

    static ModelBundle meta() {
        return new ModelBundle(ModelBundle.FORMAT_VERSION, "x", List.of("a", "b", "c"), Preprocessing.vgg(new InputShape(16, 16, 3)),
                new ModelBundle.Origin("tiny", "block1_pool", null, "finetune", Json.mapper().createObjectNode().put("epochs", 3)),
                new ModelBundle.DataOrigin(null, null, List.of()), Map.of("test-accuracy", 0.5), RunInfo.current(1), null);
    }

    @Test
    void roundTripGivesBitIdenticalOutputsAndTheSameMetadata() throws Exception {
        ComputationGraph g = tinyNet(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 16, 16, 3);
        ModelBundle written = BundleStore.save(tmp.resolve("b1"), g, meta());
        BundleStore.Loaded loaded = BundleStore.load(tmp.resolve("b1"));
        assertThat(loaded.graph().outputSingle(x)).isEqualTo(g.outputSingle(x));
        assertThat(loaded.bundle()).isEqualTo(written);
        assertThat(written.name()).isEqualTo("b1");
        assertThat(written.modelSha256()).isEqualTo(Fingerprint.sha256(tmp.resolve("b1/model.zip")));
        // loadable by plain DL4J too: the same parameters, bit for bit, and the same outputs
        ComputationGraph plain = ModelSerializer.restoreComputationGraph(tmp.resolve("b1/model.zip").toFile(), false);
        assertThat(plain.params().toFloatVector()).containsExactly(g.params().toFloatVector());
        assertThat(plain.outputSingle(x)).isEqualTo(g.outputSingle(x));
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("b1");   // no temp leftovers
        }
    }

    @Test
    void aDeflatedZipWrittenByDl4jItselfLoadsWithTheSameParameters() throws Exception {
        // bundles written before the zip was stored uncompressed, and zips users write with ModelSerializer
        ComputationGraph g = tinyNet(4);
        BundleStore.save(tmp.resolve("b"), g, meta());
        Path zip = tmp.resolve("b/model.zip");
        ModelSerializer.writeModel(g, zip.toFile(), false);
        BundleStore.saveMeta(tmp.resolve("b"), BundleStore.readMeta(tmp.resolve("b")).withModelSha256(Fingerprint.sha256(zip)));
        ComputationGraph loaded = BundleStore.load(tmp.resolve("b")).graph();
        assertThat(loaded.params().toFloatVector()).containsExactly(g.params().toFloatVector());
        assertThat(loaded.getConfiguration().toJson()).isEqualTo(g.getConfiguration().toJson());
    }

    @Test
    void aBundleWrittenNchwByAnEarlierVersionLoadsNhwcWithTheSameOutputs() {
        ComputationGraph old = TestBundles.tinyVgg(3, true).build(6, org.deeplearning4j.nn.conf.CNN2DFormat.NCHW);
        BundleStore.save(tmp.resolve("old"), old, meta());
        ComputationGraph loaded = BundleStore.load(tmp.resolve("old")).graph();
        assertThat(Layout.of(loaded.getConfiguration())).isEqualTo(Layout.FORMAT);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
        assertThat(loaded.outputSingle(x.permute(0, 2, 3, 1).dup()).ravel().toDoubleVector())
                .containsExactly(old.outputSingle(x).ravel().toDoubleVector(), org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void aFailedSaveLeavesThePreviousBundleIntact() throws Exception {
        BundleStore.save(tmp.resolve("b"), tinyNet(1), meta());
        String before = Files.readString(tmp.resolve("b/bundle.json"));
        ComputationGraph failing = new ComputationGraph(tinyNet(2).getConfiguration()) {
            @Override
            public INDArray params() {
                throw new IllegalStateException("disk full (simulated)");
            }
        };
        failing.init();
        assertThatThrownBy(() -> BundleStore.save(tmp.resolve("b"), failing, meta()))
                .isInstanceOf(RuntimeException.class);
        assertThat(Files.readString(tmp.resolve("b/bundle.json"))).isEqualTo(before);
        assertThat(BundleStore.load(tmp.resolve("b")).bundle().modelSha256()).isNotNull();
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("b");
        }
    }

    @Test
    void missingFolderMissingFilesAndWrongVersionAreExplained() throws Exception {
        assertThatThrownBy(() -> BundleStore.load(tmp.resolve("nope"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("no such bundle folder");
        Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> BundleStore.load(tmp.resolve("empty"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("bundle.json is missing");
        BundleStore.save(tmp.resolve("b"), tinyNet(1), meta());
        Path json = tmp.resolve("b/bundle.json");
        String text = Files.readString(json);
        Files.writeString(json, text.replace("\"format-version\" : 1", "\"format-version\" : 99"));
        assertThatThrownBy(() -> BundleStore.load(tmp.resolve("b"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("format version 99 is not supported");
        Files.writeString(json, "{ not json");
        assertThatThrownBy(() -> BundleStore.load(tmp.resolve("b"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("not a valid bundle description");
        Files.writeString(json, text);
        Files.delete(tmp.resolve("b/model.zip"));
        assertThatThrownBy(() -> BundleStore.load(tmp.resolve("b"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("model.zip: missing");
    }

    @Test
    void labelsThatDoNotMatchTheOutputsAreRejected() throws Exception {
        BundleStore.save(tmp.resolve("b"), tinyNet(1), meta());
        Path json = tmp.resolve("b/bundle.json");
        Files.writeString(json, Files.readString(json).replace("\"c\"", "\"c\", \"d\""));
        assertThatThrownBy(() -> BundleStore.load(tmp.resolve("b"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("4 labels do not match the network's 3 outputs");
    }

    @Test
    void aChangedModelFileIsRejectedByItsChecksum() throws Exception {
        BundleStore.save(tmp.resolve("b"), tinyNet(1), meta());
        Path zip = tmp.resolve("b/model.zip");
        byte[] bytes = Files.readAllBytes(zip);
        bytes[bytes.length / 2] ^= 1;
        Files.write(zip, bytes);
        assertThatThrownBy(() -> BundleStore.load(tmp.resolve("b"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("checksum mismatch");
    }

    /** Records whether Java deserialization ran it: a stand-in for a gadget chain in a crafted model.zip. */
    public static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean ran;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            ran = true;
        }
    }

    @Test
    void aPlantedPreprocessorEntryIsRejectedBeforeAnythingIsDeserialized() throws Exception {
        BundleStore.save(tmp.resolve("b"), tinyNet(1), meta());
        Path zip = tmp.resolve("b/model.zip");
        Path crafted = tmp.resolve("crafted.zip");
        addEntry(zip, crafted, "preprocessor.bin", serialize(new Gadget()));

        // the planted entry really is dangerous: plain DL4J runs its readObject on restore
        Gadget.ran = false;
        try {
            ModelSerializer.restoreComputationGraph(crafted.toFile(), false);
        } catch (Exception ignored) {
            // whether the restore succeeds after deserializing does not matter
        }
        assertThat(Gadget.ran).as("DL4J deserializes preprocessor.bin").isTrue();

        // ... even with a matching checksum in bundle.json, finetune4j refuses the zip and runs nothing
        Files.copy(crafted, zip, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path json = tmp.resolve("b/bundle.json");
        ModelBundle m = Json.mapper().readValue(json.toFile(), ModelBundle.class);
        Files.writeString(json, Json.write(m.withModelSha256(Fingerprint.sha256(zip))));
        Gadget.ran = false;
        assertThatThrownBy(() -> BundleStore.load(tmp.resolve("b"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("unexpected entries [preprocessor.bin]");
        assertThat(Gadget.ran).isFalse();
    }

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
        }
        return b.toByteArray();
    }

    private static void addEntry(Path src, Path dst, String name, byte[] content) throws IOException {
        try (InputStream in = Files.newInputStream(src); ZipInputStream zin = new ZipInputStream(in);
             OutputStream out = Files.newOutputStream(dst); ZipOutputStream zout = new ZipOutputStream(out)) {
            ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                zout.putNextEntry(new ZipEntry(e.getName()));
                zin.transferTo(zout);
                zout.closeEntry();
            }
            zout.putNextEntry(new ZipEntry(name));
            zout.write(content);
            zout.closeEntry();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
