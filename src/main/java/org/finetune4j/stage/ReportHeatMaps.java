package org.finetune4j.stage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.finetune4j.core.UsageException;
import org.finetune4j.data.BadImageException;
import org.finetune4j.data.ImageDecoder;
import org.finetune4j.eval.Evaluation;
import org.finetune4j.model.BundleStore;
import org.finetune4j.model.GradCam;
import org.finetune4j.model.Preprocessing;
import org.finetune4j.report.HeatMaps;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Grad-CAM pictures a report shows: for the most confidently wrong images (the heat map of the wrong answer) and
 * the most confidently right ones, the picture the network saw beside its heat map.
 */
final class ReportHeatMaps {

    /** Right images shown with their heat maps. */
    static final int RIGHT = 6;
    /** Images per Grad-CAM pass (bounds the activations held for the backward pass). */
    private static final int BATCH = 6;
    /** Short side of each picture in pixels. */
    private static final int SIDE_PX = 112;

    private ReportHeatMaps() {
    }

    /**
     * @param loaded   the evaluated bundle
     * @param e        its evaluation
     * @param topWrong the number of wrong images the report shows
     * @return data URIs by relative path; empty when the network has no convolutional layer to explain
     */
    static Map<String, String> of(BundleStore.Loaded loaded, Evaluation e, int topWrong) {
        Preprocessing pre = loaded.bundle().preprocessing();
        // the evaluation passes left this thread's inference workspaces (for VGG16 at batch 16 over a gigabyte) to
        // the network; Grad-CAM, which runs without workspaces, took 2.5 times as long beside them (VGG16, 18 images:
        // 15 s against 6 s). The next pass of the network, if any, makes them again.
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        GradCam cam;
        try {
            cam = GradCam.of(loaded.graph(), null, pre.input());
        } catch (UsageException noConvolution) {
            return Map.of();
        }
        try (cam) {
            List<Evaluation.ImageResult> right = e.images().stream().filter(r -> r.predicted() == r.trueClass())
                    .sorted(Comparator.comparingDouble((Evaluation.ImageResult r) -> -r.probabilities()[r.predicted()])
                            .thenComparing(Evaluation.ImageResult::relativePath)).limit(RIGHT).toList();
            ImageDecoder decoder = new ImageDecoder(pre.input().channels(), ImageDecoder.DEFAULT_MAX_PIXELS);
            List<Evaluation.ImageResult> shown = new ArrayList<>(e.mostConfidentlyWrong(topWrong));
            shown.addAll(right);
            Map<String, String> out = new LinkedHashMap<>();
            // a few images per pass: one forward and one backward pass for them all (GradCam.maps)
            for (int from = 0; from < shown.size(); from += BATCH) {
                List<Evaluation.ImageResult> batch = shown.subList(from, Math.min(shown.size(), from + BATCH));
                List<Mat> fitted = new ArrayList<>();
                List<Evaluation.ImageResult> readable = new ArrayList<>();
                try {
                    for (Evaluation.ImageResult r : batch) {
                        if (r.file() == null) {
                            continue;
                        }
                        try (Mat decoded = decoder.decode(r.file(), r.relativePath())) {
                            fitted.add(pre.fit(decoded));
                            readable.add(r);
                        } catch (BadImageException ex) {
                            continue;
                        }
                    }
                    if (readable.isEmpty()) {
                        continue;
                    }
                    List<GradCam.HeatMap> maps = cam.maps(pre.toInput(fitted),
                            readable.stream().mapToInt(Evaluation.ImageResult::predicted).toArray());
                    for (int i = 0; i < readable.size(); i++) {
                        String uri = HeatMaps.dataUri(fitted.get(i), maps.get(i).heat(), SIDE_PX);
                        if (uri != null) {
                            out.put(readable.get(i).relativePath(), uri);
                        }
                    }
                } finally {
                    fitted.forEach(Mat::close);
                }
            }
            return out;
        }
    }
}
