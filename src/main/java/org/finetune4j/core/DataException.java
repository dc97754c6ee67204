package org.finetune4j.core;

/**
 * The data is unusable (no images, one class, a bad file under {@code --on-bad-image fail}); the CLI exits with 1.
 *
 * <p>Messages follow the project format: {@code <where>: <what is wrong>. Expected <x>; received <y>. <what to do>.}
 */
public class DataException extends RuntimeException {
    /** @param message the full user-facing message, naming the file or folder */
    public DataException(String message) {
        super(message);
    }

    /**
     * @param message the full user-facing message
     * @param cause   the underlying error, shown only with {@code --debug}
     */
    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
