package org.finetune4j.model;

/**
 * The image size a network takes.
 *
 * @param height   rows in pixels
 * @param width    columns in pixels
 * @param channels 3 for colour (BGR or RGB, see {@link Preprocessing}), 1 for gray
 */
public record InputShape(int height, int width, int channels) {
    public InputShape {
        if (height < 1 || width < 1 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("bad input shape " + height + "x" + width + "x" + channels);
        }
    }

    @Override
    public String toString() {
        return height + "x" + width + "x" + channels;
    }
}
