package org.finetune4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.finetune4j.core.UsageException;
import org.finetune4j.model.InputShape;
import org.finetune4j.model.Preprocessing;

/**
 * A multi-crop evaluation protocol, as read from {@code eval/*.yaml} by {@link CropProtocolLoader}: at which scales an
 * image is looked at, which windows are cut at each scale, and whether each window is also seen mirrored. The
 * network's predictions over all these crops are averaged ({@link MultiCropEvaluator}).
 * <pre>{@code
 * CropProtocol p = CropProtocolLoader.load("ten-crop");
 * List<Crop> crops = p.crops(bundle.preprocessing());     // 10 crops at the bundle's evaluation scale
 * }</pre>
 * Scales are given at a reference input size and scale with the actual input: a short side of 256 px at a 224-px
 * reference is 37 px for a 32-px network, so one protocol file serves every backbone.
 *
 * @param name             how the protocol is named in reports ({@code ten-crop}, or the file name)
 * @param source           where it was read from ({@code eval/ten-crop.yaml} or the user's path)
 * @param scales           the scales, in the order crops are listed; non-empty
 * @param referenceInputPx the input size (short side, px) the scales are given for; positive
 * @param positions        the windows cut at each scale; non-empty, no repeats
 * @param flip             whether every window is also taken mirrored left-right
 */
public record CropProtocol(String name, String source, List<Scale> scales, int referenceInputPx,
                           List<Crop.Position> positions, boolean flip) {

    /**
     * One scale: the short side the image is resized to before cutting windows.
     *
     * @param shortSidePx the short side in pixels at the reference input size, or null for the bundle's own
     *                    evaluation short side ({@code resize-short-side-px} in {@code bundle.json}; written
     *                    {@code default} in protocol files)
     */
    public record Scale(Integer shortSidePx) {
        public Scale {
            if (shortSidePx != null && shortSidePx < 1) {
                throw new IllegalArgumentException("shortSidePx must be positive, got " + shortSidePx);
            }
        }

        /** @return the bundle's own evaluation scale */
        public static Scale bundleDefault() {
            return new Scale(null);
        }

        /** @return whether this is the bundle's own evaluation scale */
        public boolean isBundleDefault() {
            return shortSidePx == null;
        }

        /**
         * @return the short side in pixels for this preprocessing: the bundle's own for {@code default}, otherwise
         *         {@code shortSidePx × inputShortSide / referenceInputPx}, rounded
         */
        public int resolve(Preprocessing pre, int referenceInputPx) {
            if (shortSidePx == null) {
                return pre.resizeShortSidePx();
            }
            InputShape in = pre.input();
            return (int) Math.round(shortSidePx * (double) Math.min(in.height(), in.width()) / referenceInputPx);
        }

        @Override
        public String toString() {
            return shortSidePx == null ? "default" : shortSidePx.toString();
        }
    }

    public CropProtocol {
        scales = List.copyOf(scales);
        positions = List.copyOf(positions);
        if (scales.isEmpty() || positions.isEmpty()) {
            throw new IllegalArgumentException("a protocol needs at least one scale and one position");
        }
        if (referenceInputPx < 1) {
            throw new IllegalArgumentException("referenceInputPx must be positive, got " + referenceInputPx);
        }
    }

    /** @return the number of crops per image: scales × positions × (2 with flip, else 1) */
    public int cropCount() {
        return scales.size() * positions.size() * (flip ? 2 : 1);
    }

    /**
     * The crops for a bundle's preprocessing: for each scale, for each position, the window and then (with
     * {@link #flip}) its mirror.
     *
     * @throws UsageException if a scale is smaller than the input, so that a window would not fit
     */
    public List<Crop> crops(Preprocessing pre) {
        InputShape in = pre.input();
        int need = Math.max(in.height(), in.width());
        List<Crop> out = new ArrayList<>();
        for (Scale s : scales) {
            int px = s.resolve(pre, referenceInputPx);
            if (px < need) {
                throw new UsageException(String.format(Locale.ROOT, "%s: scale %s (short side %d px at a %d-px "
                        + "input) is smaller than the network's input %dx%d. Expected scales of at least %d px at "
                        + "the reference input of %d px; received %s. Raise the scale or the reference-input-px.",
                        source, s, px, Math.min(in.height(), in.width()), in.width(), in.height(),
                        (int) Math.ceil(need * (double) referenceInputPx / Math.min(in.height(), in.width())),
                        referenceInputPx, s));
            }
            for (Crop.Position p : positions) {
                out.add(new Crop(px, p, false));
                if (flip) {
                    out.add(new Crop(px, p, true));
                }
            }
        }
        return out;
    }

    /** @return the single centre crop at the bundle's evaluation scale: exactly {@code Preprocessing.fit} */
    public static Crop centerCrop(Preprocessing pre) {
        return new Crop(pre.resizeShortSidePx(), Crop.Position.CENTER, false);
    }

    /** @return whether this protocol is just the single centre crop at the bundle's evaluation scale */
    public boolean isSingleCenterCrop(Preprocessing pre) {
        List<Crop> all = crops(pre);
        return all.size() == 1 && all.get(0).equals(centerCrop(pre));
    }
}
