package org.finetune4j.core;

/**
 * The user's options, files or configuration are wrong; the CLI exits with code 2.
 *
 * <p>Messages follow the project format: {@code <where>: <what is wrong>. Expected <x>; received <y>. <what to do>.}
 */
public class UsageException extends RuntimeException {
    /** @param message the full user-facing message, naming the option or file */
    public UsageException(String message) {
        super(message);
    }

    /**
     * @param message the full user-facing message
     * @param cause   the underlying error, shown only with {@code --debug}
     */
    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
