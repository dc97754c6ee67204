package org.finetune4j.data;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYCOLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYDEPTH;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.datavec.image.loader.NativeImageLoader;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Validates and decodes image files into 8-bit BGR (or grayscale) OpenCV matrices, with reasons a person can act on.
 *
 * <p>Decoding goes through JavaCPP's OpenCV, as DataVec's {@link NativeImageLoader} does, but closes the holes that
 * loader leaves: truncated JPEGs (which OpenCV decodes silently with a gray tail) are caught by their missing
 * end-of-image marker; 16-bit images are scaled to 0–255 (OpenCV keeps 0–65535); GIFs (listed by DataVec but not
 * decodable by its OpenCV build) are read with {@link ImageIO}; alpha is composited over white (transparent pixels
 * would otherwise keep whatever colour they store); grayscale and palette images are expanded to three channels; and
 * dimensions are checked from the header <em>before</em> decoding, so a decompression bomb is refused without
 * allocating it. EXIF orientation is honoured (OpenCV applies it when decoding JPEG).
 * <pre>{@code
 * ImageDecoder decoder = ImageDecoder.defaults();
 * ImageInfo info = decoder.probe(file, "cat/a.jpg");        // header only: cheap
 * try (Mat bgr = decoder.decode(file, "cat/a.jpg")) { ... }  // 8-bit, 3 channels, BGR
 * }</pre>
 * One instance may be shared by threads: it holds no mutable state.
 */
public final class ImageDecoder {

    /**
     * Largest image accepted, in pixels: Pillow's decompression-bomb threshold (about 9459 × 9459), well above any
     * photo a classifier needs.
     */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    private final int channels;
    private final long maxPixels;

    /**
     * @param channels  channels of decoded images: 3 (BGR) or 1 (gray)
     * @param maxPixels largest accepted width × height
     */
    public ImageDecoder(int channels, long maxPixels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        this.channels = channels;
        this.maxPixels = maxPixels;
    }

    /** @return a decoder for 3-channel BGR images with {@link #DEFAULT_MAX_PIXELS} */
    public static ImageDecoder defaults() {
        return new ImageDecoder(3, DEFAULT_MAX_PIXELS);
    }

    /** @return the channel count of decoded images */
    public int channels() {
        return channels;
    }

    /**
     * Checks a file without decoding its pixels: readable, not empty, a known image format by content, not truncated
     * (JPEG end-of-image marker, PNG {@code IEND}, GIF trailer) and of sane dimensions.
     *
     * @param file the file
     * @param name how to name the file in messages (its path relative to the data root)
     * @return what the header says
     * @throws BadImageException with the reason if the file cannot be used
     */
    public ImageInfo probe(Path file, String name) {
        return probe(read(file, name), name);
    }

    /**
     * Decodes a file to an 8-bit matrix with {@link #channels()} channels (BGR order for 3), after {@link #probe}.
     * The caller closes the returned matrix.
     *
     * @throws BadImageException with the reason if the file cannot be used
     */
    public Mat decode(Path file, String name) {
        return decode(read(file, name), name);
    }

    /**
     * Decodes an encoded image held in memory (the bytes of a file), exactly as {@link #decode(Path, String)} decodes
     * a file with those bytes. The caller closes the returned matrix.
     *
     * @param bytes the encoded image (JPEG, PNG, GIF, BMP, TIFF or WebP)
     * @param name  how to name the image in messages
     * @throws BadImageException with the reason if the bytes cannot be used
     */
    public Mat decode(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new BadImageException(name, "empty file (0 bytes)");
        }
        ImageInfo info = probe(bytes, name);
        Mat decoded = "gif".equals(info.format()) ? decodeWithImageIo(bytes, name) : decodeWithOpenCv(bytes, info,
                name);
        try {
            return normalise(decoded, name);
        } finally {
            decoded.close();
        }
    }

    /**
     * Converts a decoded matrix to an NCHW float array {@code [1, c, h, w]} with values 0–255, through DataVec's
     * {@link NativeImageLoader} (no resizing: the matrix's own size is kept).
     */
    public INDArray toArray(Mat image) {
        NativeImageLoader loader = new NativeImageLoader(image.rows(), image.cols(), image.channels());
        try {
            return loader.asMatrix(image);
        } catch (IOException e) {
            throw new IllegalStateException("converting a decoded image to an array failed", e);
        }
    }

    private static byte[] read(Path file, String name) {
        try {
            if (Files.isDirectory(file)) {
                throw new BadImageException(name, "is a folder, not an image file");
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length == 0) {
                throw new BadImageException(name, "empty file (0 bytes)");
            }
            return bytes;
        } catch (AccessDeniedException e) {
            throw new BadImageException(name, "cannot read: permission denied");
        } catch (NoSuchFileException e) {
            throw new BadImageException(name, "cannot read: the file does not exist (a broken link?)");
        } catch (IOException e) {
            throw new BadImageException(name, "cannot read: " + e.getMessage());
        }
    }

    private ImageInfo probe(byte[] b, String name) {
        String format = sniff(b);
        if (format == null) {
            throw new BadImageException(name, "not an image (the first bytes match no supported format: "
                    + "JPEG, PNG, GIF, BMP, TIFF, WebP)");
        }
        switch (format) {
            case "jpeg" -> checkJpegComplete(b, name);
            case "png" -> {
                if (indexOf(b, new byte[] {'I', 'E', 'N', 'D'}, Math.max(0, b.length - 64)) < 0) {
                    throw new BadImageException(name, "truncated PNG (no IEND chunk at the end)");
                }
            }
            case "gif" -> {
                if (b[b.length - 1] != 0x3B) {
                    throw new BadImageException(name, "truncated GIF (no trailer byte at the end)");
                }
            }
            default -> {
                // BMP, TIFF and WebP have no cheap end marker; a damaged file fails when decoded
            }
        }
        int[] size = "webp".equals(format) ? webpSize(b) : headerSize(b);
        if (size == null || size[0] <= 0 || size[1] <= 0) {
            throw new BadImageException(name, "corrupt " + format.toUpperCase(Locale.ROOT)
                    + " header (no readable width and height)");
        }
        checkPixels(size[0], size[1], name);
        return new ImageInfo(format, size[0], size[1], b.length);
    }

    private void checkPixels(long w, long h, String name) {
        if (w * h > maxPixels) {
            throw new BadImageException(name, String.format(Locale.ROOT, "absurd dimensions %d×%d (%.0f megapixels; "
                    + "the limit is %.0f megapixels), refused before decoding as a possible decompression bomb",
                    w, h, w * h / 1e6, maxPixels / 1e6));
        }
    }

    static String sniff(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return "jpeg";
        }
        if (startsWith(b, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})) {
            return "png";
        }
        if (startsWith(b, "GIF87a".getBytes()) || startsWith(b, "GIF89a".getBytes())) {
            return "gif";
        }
        if (b.length >= 26 && b[0] == 'B' && b[1] == 'M') {
            return "bmp";
        }
        if (startsWith(b, new byte[] {'I', 'I', 42, 0}) || startsWith(b, new byte[] {'M', 'M', 0, 42})) {
            return "tiff";
        }
        if (b.length >= 16 && startsWith(b, "RIFF".getBytes()) && b[8] == 'W' && b[9] == 'E' && b[10] == 'B'
                && b[11] == 'P') {
            return "webp";
        }
        return null;
    }

    /**
     * A complete JPEG has an end-of-image marker (FF D9) after the start of its last scan (FF DA). Thumbnails in the
     * EXIF block carry their own FF D9 before the main scan, so looking only for "some FF D9" would pass truncated
     * photos.
     */
    private static void checkJpegComplete(byte[] b, String name) {
        int lastSos = lastIndexOf(b, (byte) 0xDA, b.length);
        if (lastSos < 0) {
            throw new BadImageException(name, "truncated JPEG (no image data: start-of-scan marker missing)");
        }
        if (lastIndexOf(b, (byte) 0xD9, b.length) <= lastSos) {
            throw new BadImageException(name, "truncated JPEG (no end-of-image marker after the image data)");
        }
    }

    /** Last index of the two-byte marker FF {@code second} before {@code end}, or -1. */
    private static int lastIndexOf(byte[] b, byte second, int end) {
        for (int i = end - 2; i >= 2; i--) {
            if ((b[i] & 0xFF) == 0xFF && b[i + 1] == second) {
                return i;
            }
        }
        return -1;
    }

    private static int[] headerSize(byte[] b) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(b))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Canvas size from a WebP header (lossy VP8, lossless VP8L or extended VP8X), or null. */
    static int[] webpSize(byte[] b) {
        if (b.length < 30) {
            return null;
        }
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
        switch (chunk) {
            case "VP8 " -> {
                int w = ((b[26] & 0xFF) | (b[27] & 0xFF) << 8) & 0x3FFF;
                int h = ((b[28] & 0xFF) | (b[29] & 0xFF) << 8) & 0x3FFF;
                return new int[] {w, h};
            }
            case "VP8L" -> {
                int bits = (b[21] & 0xFF) | (b[22] & 0xFF) << 8 | (b[23] & 0xFF) << 16 | (b[24] & 0xFF) << 24;
                return new int[] {(bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1};
            }
            case "VP8X" -> {
                int w = ((b[24] & 0xFF) | (b[25] & 0xFF) << 8 | (b[26] & 0xFF) << 16) + 1;
                int h = ((b[27] & 0xFF) | (b[28] & 0xFF) << 8 | (b[29] & 0xFF) << 16) + 1;
                return new int[] {w, h};
            }
            default -> {
                return null;
            }
        }
    }

    private Mat decodeWithOpenCv(byte[] bytes, ImageInfo info, String name) {
        // JPEG: ANYCOLOR|ANYDEPTH applies EXIF orientation. Other formats: UNCHANGED keeps alpha so that it can be
        // composited (ANYCOLOR drops it and leaves the colour stored under transparent pixels).
        int flags = "jpeg".equals(info.format()) ? IMREAD_ANYCOLOR | IMREAD_ANYDEPTH : IMREAD_UNCHANGED;
        Mat decoded;
        try (Mat buf = new Mat(bytes)) {
            decoded = imdecode(buf, flags);
        } catch (RuntimeException e) {
            throw new BadImageException(name, "corrupt " + info.format().toUpperCase(Locale.ROOT) + " data ("
                    + e.getMessage() + ")");
        }
        if (decoded == null || decoded.empty()) {
            if (decoded != null) {
                decoded.close();
            }
            throw new BadImageException(name, "corrupt or unsupported " + info.format().toUpperCase(Locale.ROOT)
                    + " data (the decoder produced no image)");
        }
        checkPixels(decoded.cols(), decoded.rows(), name);
        return decoded;
    }

    /** GIF (first frame) through ImageIO, drawn over white so that transparency is handled like PNG alpha. */
    private static Mat decodeWithImageIo(byte[] bytes, String name) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new BadImageException(name, "corrupt GIF data (" + e.getMessage() + ")");
        }
        if (img == null) {
            throw new BadImageException(name, "corrupt GIF data (no frame could be read)");
        }
        BufferedImage bgr = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = bgr.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.drawImage(img, 0, 0, null);
        g.dispose();
        byte[] pixels = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        Mat mat = new Mat(img.getHeight(), img.getWidth(), CV_8UC3);
        mat.data().put(pixels);
        return mat;
    }

    /** To 8 bits, alpha composited over white, then to the wanted channel count. */
    private Mat normalise(Mat in, String name) {
        Mat img8 = to8Bit(in, name);
        try {
            int c = img8.channels();
            Mat bgr;
            if (c == 4 || c == 2) {
                bgr = overWhite(img8);
            } else if (c == 3) {
                bgr = img8.clone();
            } else if (c == 1) {
                bgr = new Mat();
                cvtColor(img8, bgr, COLOR_GRAY2BGR);
            } else {
                throw new BadImageException(name, "unsupported channel count " + c);
            }
            if (channels == 3) {
                return bgr;
            }
            Mat gray = new Mat();
            cvtColor(bgr, gray, COLOR_BGR2GRAY);
            bgr.close();
            return gray;
        } finally {
            img8.close();
        }
    }

    private static Mat to8Bit(Mat in, String name) {
        int depth = in.depth();
        Mat out = new Mat();
        if (depth == CV_8U) {
            in.copyTo(out);
        } else if (depth == CV_16U) {
            in.convertTo(out, CV_8U, 1.0 / 257.0, 0);       // 65535 → 255
        } else if (depth == CV_32F || depth == CV_64F) {
            in.convertTo(out, CV_8U, 255.0, 0);            // float images are taken to be in [0, 1]
        } else {
            out.close();
            throw new BadImageException(name, "unsupported pixel depth (OpenCV depth code " + depth + ")");
        }
        return out;
    }

    /**
     * Composites an 8-bit image whose last channel is alpha (gray + alpha, or BGRA) over white: each colour value v
     * becomes (v·a + 255·(255 - a)) / 255, rounded; gray is repeated into all three BGR channels.
     */
    private static Mat overWhite(Mat withAlpha) {
        int rows = withAlpha.rows();
        int cols = withAlpha.cols();
        int alpha = withAlpha.channels() - 1;
        Mat out = new Mat(rows, cols, CV_8UC3);
        try (UByteIndexer src = withAlpha.createIndexer(); UByteIndexer dst = out.createIndexer()) {
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    int a = src.get(y, x, alpha);
                    for (int ch = 0; ch < 3; ch++) {
                        int v = src.get(y, x, alpha == 1 ? 0 : ch);
                        dst.put(y, x, ch, (v * a + 255 * (255 - a) + 127) / 255);
                    }
                }
            }
        }
        return out;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, byte[] needle, int from) {
        outer:
        for (int i = from; i <= b.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (b[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
