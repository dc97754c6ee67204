package org.finetune4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.Predictor;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.testing.TestBundles;
import org.finetune4j.testing.TestImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class ImageClassifierTest {

    private static final List<String> LABELS = List.of("a", "b", "c", "d", "e");

    @TempDir
    static Path tmp;

    private static Path bundleDir;
    private static List<Path> images;

    @BeforeAll
    static void bundleAndImages() {
        // mean/std normalisation and a non-square source: every step of the preprocessing matters
        bundleDir = TestBundles.saveBackbone(tmp.resolve("tiny"), TestBundles.tinyVgg(LABELS.size(), false), 7L,
                LABELS, Preprocessing.meanStd(TestBundles.INPUT, new double[] {100, 110, 120},
                        new double[] {50, 60, 70}));
        images = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            images.add(TestImages.write(tmp.resolve("img/p" + i + ".png"), TestImages.noise(40 + i, 30, i), "png"));
        }
        images.add(TestImages.write(tmp.resolve("img/j.jpg"), TestImages.pattern(50, 64, 3), "jpg"));
        images.add(TestImages.palette(tmp.resolve("img/g.gif"), 20, 24, "gif"));
        images.add(TestImages.grayscalePng(tmp.resolve("img/gray.png"), 30, 20, 90));
        images.add(TestImages.alphaPng(tmp.resolve("img/alpha.png"), 24, 18, Color.GREEN));
        images.add(TestImages.gray16Png(tmp.resolve("img/g16.png"), 20, 20, 40000));
    }

    private static List<Classification> viaApi(ImageClassifier c, int topK) {
        return c.classify(images.stream().map(ImageInput::of).toList(), topK);
    }

    @Test
    void givesExactlyWhatPredictGivesForTheSameFiles() {
        BundleStore.Loaded loaded = BundleStore.load(bundleDir);
        List<Predictor.Prediction> predicted = new Predictor(loaded, ImageDecoder.defaults()).predict(images,
                images.stream().map(Path::toString).toList(), LABELS.size(), 16);
        try (ImageClassifier c = ImageClassifier.load(bundleDir)) {
            List<Classification> got = viaApi(c, LABELS.size());
            assertThat(got).hasSize(images.size());
            for (int i = 0; i < images.size(); i++) {
                assertThat(got.get(i).source()).isEqualTo(predicted.get(i).file());
                assertThat(got.get(i).top()).containsExactlyElementsOf(predicted.get(i).top().stream()
                        .map(s -> new LabelScore(s.label(), s.probability())).toList());
            }
        }
    }

    @Test
    void givesWhatEvaluatesCentreCropGives() {
        // evaluate's single-crop path (eval.MultiCropEvaluator): decode, Preprocessing.fit, toInput, the network
        BundleStore.Loaded loaded = BundleStore.load(bundleDir);
        Preprocessing pre = loaded.bundle().preprocessing();
        try (ImageClassifier c = ImageClassifier.load(bundleDir)) {
            for (Path f : images) {
                double[] expected;
                try (Mat decoded = ImageDecoder.defaults().decode(f, f.toString()); Mat fitted = pre.fit(decoded)) {
                    INDArray probs = loaded.graph().outputSingle(pre.toInput(fitted));
                    expected = probs.toDoubleVector();
                }
                Classification got = c.classify(f);
                for (LabelScore s : c.classify(List.of(ImageInput.of(f)), LABELS.size()).get(0).top()) {
                    assertThat(s.probability()).as("%s %s", f, s.label())
                            .isCloseTo(expected[LABELS.indexOf(s.label())], within(1e-6));
                }
                assertThat(got.top()).hasSize(5);   // defaults: top 5
            }
        }
    }

    @Test
    void bytesAndBufferedImagesGiveWhatTheirFilesGive() throws Exception {
        BufferedImage img = TestImages.noise(37, 29, 99);
        Path file = TestImages.write(tmp.resolve("img/b.png"), img, "png");
        try (ImageClassifier c = ImageClassifier.load(bundleDir)) {
            Classification fromFile = c.classify(file);
            assertThat(c.classify(Files.readAllBytes(file), "b").top()).isEqualTo(fromFile.top());
            assertThat(c.classify(img, "b").top()).isEqualTo(fromFile.top());
            // an ARGB image with alpha goes through the same compositing as an alpha PNG file
            Path alpha = tmp.resolve("img/alpha.png");
            BufferedImage argb = javax.imageio.ImageIO.read(alpha.toFile());
            assertThat(c.classify(argb, "alpha").top()).isEqualTo(c.classify(alpha).top());
        }
    }

    @Test
    void sixteenThreadsGiveWhatOneThreadGives() throws Exception {
        try (ImageClassifier c = ImageClassifier.load(bundleDir, ClassifierOptions.defaults().withCopies(2))) {
            List<Classification> single = images.stream().map(c::classify).toList();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<List<Classification>>> futures = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    int offset = t;
                    futures.add(pool.submit(() -> IntStream.range(0, images.size() * 3)
                            .mapToObj(i -> c.classify(images.get((i + offset) % images.size()))).toList()));
                }
                for (int t = 0; t < 16; t++) {
                    List<Classification> got = futures.get(t).get(120, TimeUnit.SECONDS);
                    for (int i = 0; i < got.size(); i++) {
                        Classification expected = single.get((i + t) % images.size());
                        assertClose(got.get(i), expected);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static void assertClose(Classification got, Classification expected) {
        assertThat(got.source()).isEqualTo(expected.source());
        assertThat(got.top()).hasSameSizeAs(expected.top());
        for (int k = 0; k < got.top().size(); k++) {
            assertThat(got.top().get(k).label()).isEqualTo(expected.top().get(k).label());
            assertThat(got.top().get(k).probability()).isCloseTo(expected.top().get(k).probability(), within(1e-6));
        }
    }

    @Test
    void badImagesRaiseATypedExceptionWithPredictsReason() throws Exception {
        List<Path> bad = List.of(TestImages.empty(tmp.resolve("bad/empty.jpg")),
                TestImages.notAnImage(tmp.resolve("bad/text.jpg")),
                TestImages.truncatedJpeg(tmp.resolve("bad/cut.jpg"), 0.5),
                TestImages.truncatedPng(tmp.resolve("bad/cut.png"), 0.5),
                TestImages.hugeDimensionPng(tmp.resolve("bad/bomb.png"), 30000, 30000),
                tmp.resolve("bad/missing.png"));
        List<Predictor.Prediction> predicted = new Predictor(BundleStore.load(bundleDir), ImageDecoder.defaults())
                .predict(bad, bad.stream().map(Path::toString).toList(), 1, 4);
        try (ImageClassifier c = ImageClassifier.load(bundleDir)) {
            for (int i = 0; i < bad.size(); i++) {
                Path f = bad.get(i);
                String reason = predicted.get(i).error();
                assertThat(reason).as(f.toString()).isNotNull();
                assertThatThrownBy(() -> c.classify(f)).isInstanceOf(ImageRejectedException.class)
                        .hasMessage(f + ": cannot classify: " + reason + ".")
                        .satisfies(e -> assertThat(((ImageRejectedException) e).reason()).isEqualTo(reason));
                if (Files.exists(f)) {
                    byte[] bytes = Files.readAllBytes(f);
                    assertThatThrownBy(() -> c.classify(bytes, "upload")).isInstanceOf(ImageRejectedException.class)
                            .satisfies(e -> assertThat(((ImageRejectedException) e).reason()).isEqualTo(reason));
                }
            }
            // a batch with one bad image names it; the classifier goes on working
            List<ImageInput> batch = List.of(ImageInput.of(images.get(0)), ImageInput.of(bad.get(2)));
            assertThatThrownBy(() -> c.classify(batch)).isInstanceOf(ImageRejectedException.class)
                    .hasMessageContaining("cut.jpg").hasMessageContaining("truncated JPEG");
            assertThat(c.classify(images.get(0)).top()).isNotEmpty();
        }
    }

    @Test
    void loadingExplainsWhatIsWrong() {
        assertThatThrownBy(() -> ImageClassifier.load(tmp.resolve("nowhere")))
                .isInstanceOf(BundleLoadException.class).hasMessageContaining("not a bundle folder");
        assertThatThrownBy(() -> ImageClassifier.load("vgg16")).isInstanceOf(BundleLoadException.class)
                .hasMessageContaining("a backbone, not a trained bundle");
        assertThatThrownBy(() -> ImageClassifier.load("no-such-bundle-xyz")).isInstanceOf(BundleLoadException.class)
                .hasMessageContaining("no such bundle");
        assertThat(ImageClassifier.load(bundleDir.toString()).model().labels()).isEqualTo(LABELS);
    }

    @Test
    void describesTheModel() {
        try (ImageClassifier c = ImageClassifier.load(bundleDir)) {
            ModelInfo m = c.model();
            assertThat(m.labels()).isEqualTo(LABELS);
            assertThat(List.of(m.height(), m.width(), m.channels())).containsExactly(16, 16, 3);
            assertThat(m.mode()).isEqualTo("scratch");
        }
    }
}
