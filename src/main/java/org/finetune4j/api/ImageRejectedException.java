package org.finetune4j.api;

/**
 * An image cannot be classified: empty, not an image, truncated, corrupt, or of absurd dimensions (a possible
 * decompression bomb, refused before decoding). The {@link #reason()} is the reason {@code finetune4j predict} gives
 * for a file with the same bytes.
 */
public final class ImageRejectedException extends ClassifierException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final String reason;

    /**
     * @param source the image's name (a file path, or the name given with the bytes)
     * @param reason what is wrong with it, e.g. {@code "truncated JPEG (no end-of-image marker after the image data)"}
     */
    public ImageRejectedException(String source, String reason) {
        super(source + ": cannot classify: " + reason + ".");
        this.source = source;
        this.reason = reason;
    }

    /** @return the image's name, as given */
    public String source() {
        return source;
    }

    /** @return what is wrong with the image, in {@code predict}'s words */
    public String reason() {
        return reason;
    }
}
