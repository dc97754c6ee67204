package org.finetune4j.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/** Image files made in code for tests: good ones of every kind and bad ones of every kind. */
public final class TestImages {
    private TestImages() {
    }

    /** @return an RGB image of one colour */
    public static BufferedImage solid(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    /** @return a gray image with one red pixel at (x, y): geometry tests can find where it went */
    public static BufferedImage marker(int w, int h, int x, int y) {
        BufferedImage img = solid(w, h, Color.GRAY);
        img.setRGB(x, y, Color.RED.getRGB());
        return img;
    }

    /** @return an RGB image whose pixels differ by a seed (for distinct files) */
    public static BufferedImage pattern(int w, int h, int seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 7 + seed * 31) & 0xFF) << 16 | ((y * 5 + seed * 17) & 0xFF) << 8
                        | ((x + y + seed) & 0xFF));
            }
        }
        return img;
    }

    /** @return an RGB image of seeded random pixels: distinct seeds give distinct images (all 64 bits count) */
    public static BufferedImage noise(int w, int h, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rng.nextInt(1 << 24));
            }
        }
        return img;
    }

    /** Writes an image in a format ImageIO knows ({@code png}, {@code jpg}, {@code bmp}, {@code gif}). */
    public static Path write(Path file, BufferedImage img, String format) {
        return writeBytes(file, encode(img, format));
    }

    /** @return the image encoded in the format */
    public static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format + " and image type " + img.getType());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes raw bytes, creating parent folders. */
    public static Path writeBytes(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a zero-byte file */
    public static Path empty(Path file) {
        return writeBytes(file, new byte[0]);
    }

    /** @return a JPEG cut to a fraction of its bytes (OpenCV decodes such a file silently) */
    public static Path truncatedJpeg(Path file, double keepFraction) {
        byte[] full = encode(pattern(64, 48, 3), "jpg");
        return writeBytes(file, Arrays.copyOf(full, (int) (full.length * keepFraction)));
    }

    /** @return a PNG cut to a fraction of its bytes */
    public static Path truncatedPng(Path file, double keepFraction) {
        byte[] full = encode(pattern(64, 48, 4), "png");
        return writeBytes(file, Arrays.copyOf(full, (int) (full.length * keepFraction)));
    }

    /** @return a text file with an image extension */
    public static Path notAnImage(Path file) {
        return writeBytes(file, "this is not an image, just text with a .jpg name\n".getBytes());
    }

    /** @return a PNG that starts right but whose chunks are garbage after the header */
    public static Path corruptPng(Path file) {
        byte[] full = encode(pattern(64, 48, 5), "png");
        for (int i = 40; i < full.length - 20; i++) {
            full[i] = (byte) (full[i] ^ 0x5A);
        }
        return writeBytes(file, full);
    }

    /**
     * A small file whose PNG header claims {@code w × h} pixels of 8-bit gray (a decompression bomb's header; the
     * pixel data is a few valid rows only, which is never read when the header is refused).
     */
    public static Path hugeDimensionPng(Path file, int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater d = new Deflater();
        d.setInput(new byte[(w + 1) * 4]);
        d.finish();
        byte[] buf = new byte[1 << 16];
        int n = d.deflate(buf);
        chunk(out, "IDAT", Arrays.copyOf(buf, n));
        chunk(out, "IEND", new byte[0]);
        return writeBytes(file, out.toByteArray());
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes();
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** @return an 8-bit grayscale PNG of one gray level */
    public static Path grayscalePng(Path file, int w, int h, int level) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setSample(x, y, 0, level);
            }
        }
        return write(file, img, "png");
    }

    /** @return a 16-bit grayscale PNG of one level in 0..65535 */
    public static Path gray16Png(Path file, int w, int h, int level16) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setSample(x, y, 0, level16);
            }
        }
        return write(file, img, "png");
    }

    /**
     * @return an RGBA PNG: left half opaque {@code color}, right half fully transparent but storing pure black
     */
    public static Path alphaPng(Path file, int w, int h, Color color) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, x < w / 2 ? (0xFF << 24) | (color.getRGB() & 0xFFFFFF) : 0x00000000);
            }
        }
        return write(file, img, "png");
    }

    /** @return a palette (indexed-colour) PNG or GIF: left half palette entry 1 (red), right half entry 2 (blue) */
    public static Path palette(Path file, int w, int h, String format) {
        byte[] r = {0, (byte) 255, 0, 0};
        byte[] g = {0, 0, 0, 0};
        byte[] b = {0, 0, (byte) 255, 0};
        IndexColorModel cm = new IndexColorModel(2, 4, r, g, b);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, cm);
        WritableRaster raster = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setSample(x, y, 0, x < w / 2 ? 1 : 2);
            }
        }
        return write(file, img, format);
    }

    /**
     * A JPEG of {@code w × h} stored pixels with an EXIF Orientation tag (6 = rotate 90° clockwise to display), left
     * half red and right half blue as stored.
     */
    public static Path jpegWithOrientation(Path file, int w, int h, int orientation) {
        BufferedImage img = solid(w, h, Color.BLUE);
        Graphics2D gr = img.createGraphics();
        gr.setColor(Color.RED);
        gr.fillRect(0, 0, w / 2, h);
        gr.dispose();
        byte[] jpeg = encode(img, "jpg");
        byte[] app1 = {
            (byte) 0xFF, (byte) 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0,
            'M', 'M', 0, 42, 0, 0, 0, 8,
            0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0,
            0, 0, 0, 0
        };
        byte[] out = new byte[jpeg.length + app1.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(app1, 0, out, 2, app1.length);
        System.arraycopy(jpeg, 2, out, 2 + app1.length, jpeg.length - 2);
        return writeBytes(file, out);
    }
}
