package org.finetune4j.data;

import org.finetune4j.core.DataException;

/**
 * One image file cannot be used; carries the file and the reason so that runs can skip it and list it at the end.
 */
public final class BadImageException extends DataException {
    private final String file;
    private final String reason;

    /**
     * @param file   the file as the user knows it (relative to the data root where possible)
     * @param reason what is wrong, e.g. {@code "truncated JPEG (no end-of-image marker)"}
     */
    public BadImageException(String file, String reason) {
        super(file + ": " + reason + ". Fix or remove the file, or run with --on-bad-image skip.");
        this.file = file;
        this.reason = reason;
    }

    /** @return the file as the user knows it */
    public String file() {
        return file;
    }

    /** @return what is wrong with it */
    public String reason() {
        return reason;
    }
}
