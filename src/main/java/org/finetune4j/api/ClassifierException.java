package org.finetune4j.api;

/**
 * Why the API could not do what it was asked; the message says where, what is wrong and what to do. Unchecked, like
 * the rest of the library's user-facing errors.
 */
public class ClassifierException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message where, what is wrong, and what to do */
    public ClassifierException(String message) {
        super(message);
    }

    /**
     * @param message where, what is wrong, and what to do
     * @param cause   the underlying error
     */
    public ClassifierException(String message, Throwable cause) {
        super(message, cause);
    }
}
