package org.finetune4j.api;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * An image to classify: a file, the bytes of an encoded image, or a {@link BufferedImage}, with the name used in
 * results and error messages.
 * <pre>{@code
 * ImageInput.of(Path.of("cat.jpg"));
 * ImageInput.of(requestBody, "upload-1");
 * ImageInput.of(bufferedImage, "camera");
 * }</pre>
 * A {@link BufferedImage} is encoded losslessly (PNG) and then decoded like a file, so it gets exactly the decoding
 * and preprocessing a file with the same pixels gets.
 */
public sealed interface ImageInput permits ImageInput.FileInput, ImageInput.BytesInput {

    /** @return the name used in results and messages */
    String name();

    /**
     * An image file.
     *
     * @param file the file
     * @param name how to name it (its path as given, by default)
     */
    record FileInput(Path file, String name) implements ImageInput {
        /** Rejects nulls. */
        public FileInput {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * The bytes of an encoded image (JPEG, PNG, GIF, BMP, TIFF or WebP).
     *
     * @param bytes the encoded image; not copied, do not change it while it is classified
     * @param name  how to name it
     */
    record BytesInput(byte[] bytes, String name) implements ImageInput {
        /** Rejects nulls. */
        public BytesInput {
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(name, "name");
        }
    }

    /** @return the file, named by its path as given */
    static ImageInput of(Path file) {
        return new FileInput(file, file.toString());
    }

    /** @return the bytes of an encoded image, named {@code name} */
    static ImageInput of(byte[] bytes, String name) {
        return new BytesInput(bytes, name);
    }

    /**
     * @return the image's pixels (alpha composited over white, as for a PNG file), named {@code name}
     * @throws ImageRejectedException if the image cannot be encoded (an image type ImageIO cannot write as PNG)
     */
    static ImageInput of(BufferedImage image, String name) {
        Objects.requireNonNull(image, "image");
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", png)) {
                throw new ImageRejectedException(name, "a BufferedImage of type " + image.getType()
                        + " that ImageIO cannot encode; convert it to TYPE_INT_RGB or TYPE_3BYTE_BGR first");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": encoding the image in memory failed", e);
        }
        return new BytesInput(png.toByteArray(), name);
    }
}
