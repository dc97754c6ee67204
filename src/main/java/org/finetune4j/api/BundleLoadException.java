package org.finetune4j.api;

/**
 * A bundle could not be loaded: no such bundle, a built-in backbone instead of a trained bundle, missing or tampered
 * files, or labels that do not match the network. The message is the one {@code finetune4j predict} prints.
 */
public final class BundleLoadException extends ClassifierException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what {@code predict} would say
     * @param cause   the underlying error
     */
    public BundleLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
