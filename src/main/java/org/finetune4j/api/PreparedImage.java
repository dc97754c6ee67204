package org.finetune4j.api;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * An image decoded and brought to the network's input (short side, centre crop), ready for a forward pass: the work
 * of {@link ImageClassifier#prepare} that can run on the caller's thread, so that a batch gathered from several
 * callers ({@link ImageClassifier#classifyPrepared}) costs one forward pass. Holds native memory until closed;
 * {@link ImageClassifier#classifyPrepared} does not close it.
 */
public final class PreparedImage implements AutoCloseable {

    private final String name;
    private final Mat fitted;
    private boolean closed;

    PreparedImage(String name, Mat fitted) {
        this.name = name;
        this.fitted = fitted;
    }

    /** @return the image's name */
    public String name() {
        return name;
    }

    Mat fitted() {
        if (closed) {
            throw new IllegalStateException(name + ": prepared image already closed");
        }
        return fitted;
    }

    /** Releases the native memory; idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            fitted.close();
        }
    }
}
