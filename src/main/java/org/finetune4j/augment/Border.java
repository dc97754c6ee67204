package org.finetune4j.augment;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.BORDER_REFLECT_101;
import static org.bytedeco.opencv.global.opencv_core.BORDER_REPLICATE;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How geometric steps (translate, rotate, shear, distort) fill pixels that come from outside the image. */
public enum Border {
    /** Black ({@code BORDER_CONSTANT} with 0), DataVec's default; shows the model an artificial edge. */
    CONSTANT("constant", BORDER_CONSTANT),
    /** The nearest edge pixel repeated ({@code BORDER_REPLICATE}; Keras' {@code fill_mode="nearest"}). */
    REPLICATE("replicate", BORDER_REPLICATE),
    /** The image mirrored at its edge, without repeating the edge pixel ({@code BORDER_REFLECT_101}). */
    REFLECT("reflect", BORDER_REFLECT_101);

    private final String key;
    private final int openCvCode;

    Border(String key, int openCvCode) {
        this.key = key;
        this.openCvCode = openCvCode;
    }

    /** @return the word used in recipes, e.g. {@code reflect} */
    public String key() {
        return key;
    }

    /** @return the OpenCV border mode */
    int openCvCode() {
        return openCvCode;
    }

    /** @return the border named by a recipe word, if any */
    public static Optional<Border> fromKey(String word) {
        return Arrays.stream(values()).filter(b -> b.key.equals(word.toLowerCase(Locale.ROOT))).findFirst();
    }
}
