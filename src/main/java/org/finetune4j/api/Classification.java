package org.finetune4j.api;

import java.util.List;

/**
 * The top-k labels of one image.
 *
 * @param source the image's name (a file path, or the name given with the bytes or image)
 * @param top    the most probable labels, most probable first (ties in label order); at least one
 */
public record Classification(String source, List<LabelScore> top) {

    /** Copies the list; rejects an empty one. */
    public Classification {
        top = List.copyOf(top);
        if (top.isEmpty()) {
            throw new IllegalArgumentException("a classification has at least one label");
        }
    }

    /** @return the most probable label */
    public LabelScore best() {
        return top.get(0);
    }
}
