package org.finetune4j.clean;

import static org.bytedeco.opencv.global.opencv_core.BORDER_REPLICATE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.finetune4j.data.ShapesConfig;
import org.finetune4j.data.ShapesGenerator;
import org.finetune4j.data.ShapesSet;
import org.finetune4j.testing.TestFolders;

/** The shapes target set in a temporary folder, with labels flipped or near-duplicate copies planted. */
final class CleanFixtures {

    private CleanFixtures() {
    }

    /** @return a fresh copy of {@code shapes-target} (generated once per folder) under {@code dir} */
    static Path shapesTarget(Path dir) throws IOException {
        Path generated = dir.resolve("generated");
        ShapesGenerator.ensureSet(ShapesConfig.defaults(), generated, ShapesSet.TARGET,
                ShapesGenerator.Listener.NONE);
        Path copy = dir.resolve("shapes-target");
        TestFolders.copyTree(generated.resolve(ShapesSet.TARGET.folderName()), copy);
        return copy;
    }

    /** @return every image, as a path relative to {@code root}, sorted */
    static List<String> images(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".png") || p.toString().endsWith(".jpg"))
                    .map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    /**
     * Moves a seeded {@code fraction} of the images into another class folder, chosen uniformly among the others.
     *
     * @return the relative paths of the moved images after the move
     */
    static List<String> flipLabels(Path root, double fraction, long seed) throws IOException {
        List<String> all = images(root);
        List<String> classes;
        try (Stream<Path> s = Files.list(root)) {
            classes = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> order = new ArrayList<>(all);
        SplittableRandom rng = org.finetune4j.core.Seeds.of(seed).stream("flip-labels");
        org.finetune4j.core.Seeds.shuffle(order, rng);
        int count = (int) Math.round(fraction * all.size());
        List<String> moved = new ArrayList<>();
        for (String rel : order.subList(0, count)) {
            String from = rel.substring(0, rel.indexOf('/'));
            String to;
            do {
                to = classes.get(rng.nextInt(classes.size()));
            } while (to.equals(from));
            String name = rel.substring(rel.indexOf('/') + 1);
            Files.move(root.resolve(rel), root.resolve(to).resolve(name));
            moved.add(to + "/" + name);
        }
        return moved;
    }

    /** Kinds of planted copy. */
    enum Copy { RESIZED, JPEG, SHIFTED }

    /**
     * Writes a copy of an image next to it.
     *
     * @return the copy's relative path
     */
    static String plant(Path root, String rel, Copy kind) {
        Mat m = imread(root.resolve(rel).toString());
        String stem = rel.substring(0, rel.lastIndexOf('.'));
        String out;
        switch (kind) {
            case RESIZED -> {
                Mat small = new Mat();
                resize(m, small, new Size((int) Math.round(m.cols() * 0.7), (int) Math.round(m.rows() * 0.7)), 0, 0,
                        INTER_AREA);
                out = stem + "-resized.png";
                imwrite(root.resolve(out).toString(), small);
            }
            case JPEG -> {
                out = stem + "-recompressed.jpg";
                imwrite(root.resolve(out).toString(), m, new IntPointer(IMWRITE_JPEG_QUALITY, 75));
            }
            default -> {
                Mat shift = new Mat(2, 3, org.bytedeco.opencv.global.opencv_core.CV_64F);
                try (org.bytedeco.javacpp.indexer.DoubleIndexer ix = shift.createIndexer()) {
                    ix.put(0, 0, 1).put(0, 1, 0).put(0, 2, 1).put(1, 0, 0).put(1, 1, 1).put(1, 2, 1);
                }
                Mat moved = new Mat();
                warpAffine(m, moved, shift, m.size(), org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST,
                        BORDER_REPLICATE, new Scalar());
                out = stem + "-shifted.png";
                imwrite(root.resolve(out).toString(), moved);
            }
        }
        return out;
    }
}
