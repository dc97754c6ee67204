package org.finetune4j.data;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.util.SplittableRandom;

/**
 * Paints one synthetic shape image from one random stream: textured background, clutter, the posed and coloured
 * shape, an optional occluder, blur and noise.
 *
 * <p>Everything random is drawn from the given generator in a fixed order, and all pixel work is plain Java (the
 * background, blur and noise are computed on the pixel array; Java2D only fills outlines, with fixed rendering
 * hints), so the same stream gives the same pixels. Nothing about colour, background, size or pose depends on the
 * class: only the outline does.
 */
final class ShapePainter {

    /** Smallest RGB distance between the shape colour and any background colour; keeps the shape visible. */
    static final double MIN_CONTRAST = 80;
    /** Largest fraction of the shape an occluder may hide, so the class stays recognisable. */
    static final double MAX_OCCLUDED_FRACTION = 0.35;
    /** Smallest fraction of the shape an accepted occluder hides; a miss is not an occlusion. */
    static final double MIN_OCCLUDED_FRACTION = 0.04;

    private static final double TWO_PI = 2 * Math.PI;

    /**
     * One painted image.
     *
     * @param image     the RGB image
     * @param shapeMask row-major, {@code true} where the shape is visible (inside its outline and not occluded)
     */
    record Painted(BufferedImage image, boolean[] shapeMask) {
    }

    private ShapePainter() {
    }

    /**
     * Paints one image of {@code kind}.
     *
     * @param kind      the shape class
     * @param rng       the image's own stream, e.g. {@code Seeds.forSample("shapes-source", classIndex, imageIndex)}
     * @param minSidePx smallest width or height
     * @param maxSidePx largest width or height
     * @return the image and the mask of visible shape pixels
     */
    static Painted paint(ShapeKind kind, SplittableRandom rng, int minSidePx, int maxSidePx) {
        int w = rng.nextInt(minSidePx, maxSidePx + 1);
        int h = rng.nextInt(minSidePx, maxSidePx + 1);
        int c1 = randomColour(rng);
        int c2 = rng.nextDouble() < 0.3 ? blend(c1, randomColour(rng), 0.3) : randomColour(rng);

        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        paintBackground(px, w, h, c1, c2, rng);

        boolean[] mask;
        Graphics2D g = image.createGraphics();
        try {
            setHints(g, true);
            paintClutter(g, w, h, rng);

            Shape unit = kind.build(rng);
            double radius = u(rng, 0.55, 0.95) * Math.min(w, h) / 2;
            Shape shape = pose(unit, radius, w, h, rng);
            int fill = contrastingColour(rng, c1, c2);
            double style = rng.nextDouble();
            if (style < 0.6) {
                g.setColor(new Color(fill));
                g.fill(shape);
            } else if (style < 0.8) {
                int fill2 = contrastingColour(rng, c1, c2);
                Rectangle2D b = shape.getBounds2D();
                double a = u(rng, 0, TWO_PI);
                double cx = b.getCenterX();
                double cy = b.getCenterY();
                double dx = StrictMath.cos(a) * radius;
                double dy = StrictMath.sin(a) * radius;
                g.setPaint(new GradientPaint((float) (cx - dx), (float) (cy - dy), new Color(fill),
                        (float) (cx + dx), (float) (cy + dy), new Color(fill2)));
                g.fill(shape);
            } else {
                g.setColor(new Color(fill));
                g.fill(shape);
                g.setStroke(new BasicStroke((float) u(rng, 1.0, 2.2), BasicStroke.CAP_ROUND,
                        BasicStroke.JOIN_ROUND));
                g.setColor(new Color(farFrom(rng, fill, 60)));
                g.draw(shape);
            }

            mask = mask(shape, w, h);
            if (rng.nextDouble() < 0.5) {
                Shape occluder = occluder(shape, mask, radius, w, h, rng);
                if (occluder != null) {
                    g.setColor(new Color(farFrom(rng, fill, MIN_CONTRAST)));
                    g.fill(occluder);
                    boolean[] hidden = mask(occluder, w, h);
                    for (int i = 0; i < mask.length; i++) {
                        mask[i] &= !hidden[i];
                    }
                }
            }
        } finally {
            g.dispose();
        }
        if (rng.nextDouble() < 0.3) {
            boxBlur(px, w, h);
        }
        if (rng.nextDouble() < 0.8) {
            addNoise(px, u(rng, 2, 14), rng);
        }
        return new Painted(image, mask);
    }

    /**
     * Fixed rendering hints, so the rasteriser never picks a platform default; antialiasing only for visible
     * drawing, not for masks.
     */
    private static void setHints(Graphics2D g, boolean antialias) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING,
                antialias ? RenderingHints.VALUE_ANTIALIAS_ON : RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_DITHERING, RenderingHints.VALUE_DITHER_DISABLE);
        g.setRenderingHint(RenderingHints.KEY_ALPHA_INTERPOLATION, RenderingHints.VALUE_ALPHA_INTERPOLATION_QUALITY);
    }

    /** Random mirror, slight aspect change, rotation, scale and position; the shape may overhang a border a little. */
    private static Shape pose(Shape unit, double radius, int w, int h, SplittableRandom rng) {
        double mirror = rng.nextBoolean() ? -1 : 1;
        double aspect = u(rng, 0.92, 1.08);
        double angle = u(rng, 0, TWO_PI);
        double cos = StrictMath.cos(angle);
        double sin = StrictMath.sin(angle);
        double sx = mirror * radius;
        double sy = aspect * radius;
        AffineTransform rotateScale = new AffineTransform(cos * sx, sin * sx, -sin * sy, cos * sy, 0, 0);
        Shape posed = rotateScale.createTransformedShape(unit);
        Rectangle2D b = posed.getBounds2D();
        double cx = place(rng, b.getMinX(), b.getWidth(), w);
        double cy = place(rng, b.getMinY(), b.getHeight(), h);
        return AffineTransform.getTranslateInstance(cx, cy).createTransformedShape(posed);
    }

    /** A random offset so that a box starting at {@code min} with {@code size} lies in [0, side], 8 % overhang. */
    private static double place(SplittableRandom rng, double min, double size, int side) {
        double overhang = 0.08 * size;
        double lo = -min - overhang;
        double hi = side - (min + size) + overhang;
        return lo < hi ? u(rng, lo, hi) : (lo + hi) / 2;
    }

    /**
     * An opaque bar or blob over part of the shape, hiding between {@link #MIN_OCCLUDED_FRACTION} and
     * {@link #MAX_OCCLUDED_FRACTION} of it; {@code null} if four tries found none.
     */
    private static Shape occluder(Shape shape, boolean[] mask, double radius, int w, int h, SplittableRandom rng) {
        int area = count(mask);
        Rectangle2D b = shape.getBounds2D();
        for (int attempt = 0; attempt < 4; attempt++) {
            double dir = u(rng, 0, TWO_PI);
            double dist = u(rng, 0.45, 1.0) * radius;
            double ox = b.getCenterX() + StrictMath.cos(dir) * dist;
            double oy = b.getCenterY() + StrictMath.sin(dir) * dist;
            Shape candidate;
            if (rng.nextBoolean()) {
                double thickness = u(rng, 0.15, 0.32) * radius;
                double length = 3.0 * Math.max(w, h);
                double a = u(rng, 0, TWO_PI);
                double cos = StrictMath.cos(a);
                double sin = StrictMath.sin(a);
                AffineTransform t = new AffineTransform(cos, sin, -sin, cos, ox, oy);
                candidate = t.createTransformedShape(
                        new Rectangle2D.Double(-length / 2, -thickness / 2, length, thickness));
            } else {
                int n = rng.nextInt(6, 11);
                double base = u(rng, 0.22, 0.42) * radius;
                Path2D.Double blob = new Path2D.Double();
                for (int i = 0; i < n; i++) {
                    double a = TWO_PI * i / n;
                    double r = base * u(rng, 0.7, 1.3);
                    double x = ox + r * StrictMath.cos(a);
                    double y = oy + r * StrictMath.sin(a);
                    if (i == 0) {
                        blob.moveTo(x, y);
                    } else {
                        blob.lineTo(x, y);
                    }
                }
                blob.closePath();
                candidate = blob;
            }
            boolean[] hidden = mask(candidate, w, h);
            int overlap = 0;
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] && hidden[i]) {
                    overlap++;
                }
            }
            double fraction = area == 0 ? 0 : (double) overlap / area;
            if (fraction >= MIN_OCCLUDED_FRACTION && fraction <= MAX_OCCLUDED_FRACTION) {
                return candidate;
            }
        }
        return null;
    }

    /** Zero to three thin lines or dots in random colours, behind the shape. */
    private static void paintClutter(Graphics2D g, int w, int h, SplittableRandom rng) {
        int n = rng.nextInt(4);
        for (int i = 0; i < n; i++) {
            g.setColor(new Color(randomColour(rng)));
            if (rng.nextBoolean()) {
                g.setStroke(new BasicStroke((float) u(rng, 0.8, 2.0)));
                g.draw(new Line2D.Double(u(rng, 0, w), u(rng, 0, h), u(rng, 0, w), u(rng, 0, h)));
            } else {
                double r = u(rng, 1.0, 2.5);
                g.fill(new Ellipse2D.Double(u(rng, 0, w) - r, u(rng, 0, h) - r, 2 * r, 2 * r));
            }
        }
    }

    /** One of five backgrounds between colours {@code c1} and {@code c2}: linear, radial, striped, cloudy, checked. */
    private static void paintBackground(int[] px, int w, int h, int c1, int c2, SplittableRandom rng) {
        int kind = rng.nextInt(5);
        double a = u(rng, 0, TWO_PI);
        double cos = StrictMath.cos(a);
        double sin = StrictMath.sin(a);
        double pMin = Math.min(Math.min(0, w * cos), Math.min(h * sin, w * cos + h * sin));
        double pMax = Math.max(Math.max(0, w * cos), Math.max(h * sin, w * cos + h * sin));
        switch (kind) {
            case 0 -> {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        px[y * w + x] = blend(c1, c2, (x * cos + y * sin - pMin) / (pMax - pMin));
                    }
                }
            }
            case 1 -> {
                double cx = u(rng, 0, w);
                double cy = u(rng, 0, h);
                double r = u(rng, 0.5, 1.2) * Math.max(w, h);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double d = Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) / r;
                        px[y * w + x] = blend(c1, c2, Math.min(1, d));
                    }
                }
            }
            case 2 -> {
                double period = u(rng, 4, 16);
                double amplitude = u(rng, 8, 30);
                double phase = u(rng, 0, TWO_PI);
                double b = u(rng, 0, TWO_PI);
                double bc = StrictMath.cos(b);
                double bs = StrictMath.sin(b);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int base = blend(c1, c2, (x * cos + y * sin - pMin) / (pMax - pMin));
                        double wave = amplitude * StrictMath.sin(TWO_PI * (x * bc + y * bs) / period + phase);
                        px[y * w + x] = shift(base, (int) Math.round(wave));
                    }
                }
            }
            case 3 -> {
                int cell = rng.nextInt(6, 21);
                int gw = w / cell + 2;
                int gh = h / cell + 2;
                double[] grid = new double[gw * gh];
                for (int i = 0; i < grid.length; i++) {
                    grid[i] = rng.nextDouble();
                }
                for (int y = 0; y < h; y++) {
                    int gy = y / cell;
                    double fy = (double) (y % cell) / cell;
                    for (int x = 0; x < w; x++) {
                        int gx = x / cell;
                        double fx = (double) (x % cell) / cell;
                        double top = lerp(grid[gy * gw + gx], grid[gy * gw + gx + 1], fx);
                        double bottom = lerp(grid[(gy + 1) * gw + gx], grid[(gy + 1) * gw + gx + 1], fx);
                        px[y * w + x] = blend(c1, c2, lerp(top, bottom, fy));
                    }
                }
            }
            default -> {
                double cell = u(rng, 3, 10);
                int other = blend(c1, c2, u(rng, 0.2, 0.5));
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double pu = (x * cos + y * sin) / cell;
                        double pv = (-x * sin + y * cos) / cell;
                        boolean odd = ((long) Math.floor(pu) + (long) Math.floor(pv)) % 2 != 0;
                        px[y * w + x] = odd ? other : c1;
                    }
                }
            }
        }
    }

    /** Pixels whose centre lies inside {@code shape} (no antialiasing), row-major. */
    static boolean[] mask(Shape shape, int w, int h) {
        BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = m.createGraphics();
        try {
            setHints(g, false);
            g.setColor(Color.WHITE);
            g.fill(shape);
        } finally {
            g.dispose();
        }
        byte[] bytes = ((DataBufferByte) m.getRaster().getDataBuffer()).getData();
        boolean[] mask = new boolean[w * h];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = bytes[i] != 0;
        }
        return mask;
    }

    private static int count(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            if (b) {
                n++;
            }
        }
        return n;
    }

    /** 3x3 box blur with clamped edges. */
    private static void boxBlur(int[] px, int w, int h) {
        int[] src = px.clone();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = 0;
                int g = 0;
                int b = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    int yy = Math.min(h - 1, Math.max(0, y + dy));
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = Math.min(w - 1, Math.max(0, x + dx));
                        int c = src[yy * w + xx];
                        r += (c >> 16) & 0xFF;
                        g += (c >> 8) & 0xFF;
                        b += c & 0xFF;
                    }
                }
                px[y * w + x] = rgb((r + 4) / 9, (g + 4) / 9, (b + 4) / 9);
            }
        }
    }

    /** Independent Gaussian noise per pixel and channel, standard deviation {@code sigma} on the 0-255 scale. */
    private static void addNoise(int[] px, double sigma, SplittableRandom rng) {
        for (int i = 0; i < px.length; i++) {
            int c = px[i];
            int r = ((c >> 16) & 0xFF) + (int) Math.round(sigma * rng.nextGaussian());
            int g = ((c >> 8) & 0xFF) + (int) Math.round(sigma * rng.nextGaussian());
            int b = (c & 0xFF) + (int) Math.round(sigma * rng.nextGaussian());
            px[i] = rgb(r, g, b);
        }
    }

    /** A colour uniform in hue, with saturation and brightness spread over most of their range. */
    private static int randomColour(SplittableRandom rng) {
        float hue = (float) rng.nextDouble();
        float saturation = (float) rng.nextDouble();
        float brightness = (float) u(rng, 0.12, 1.0);
        return Color.HSBtoRGB(hue, saturation, brightness) & 0xFFFFFF;
    }

    /** A random colour at least {@link #MIN_CONTRAST} from every blend of {@code c1} and {@code c2}. */
    private static int contrastingColour(SplittableRandom rng, int c1, int c2) {
        int best = 0;
        double bestDistance = -1;
        for (int attempt = 0; attempt < 64; attempt++) {
            int c = randomColour(rng);
            double d = distanceToSegment(c, c1, c2);
            if (d >= MIN_CONTRAST) {
                return c;
            }
            if (d > bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int black = 0x000000;
        int white = 0xFFFFFF;
        double toBlack = distanceToSegment(black, c1, c2);
        double toWhite = distanceToSegment(white, c1, c2);
        double extreme = Math.max(toBlack, toWhite);
        if (extreme > bestDistance) {
            return toBlack >= toWhite ? black : white;
        }
        return best;
    }

    /** A random colour at least {@code minDistance} from {@code other}, or black/white if none was found. */
    private static int farFrom(SplittableRandom rng, int other, double minDistance) {
        for (int attempt = 0; attempt < 64; attempt++) {
            int c = randomColour(rng);
            if (distanceToSegment(c, other, other) >= minDistance) {
                return c;
            }
        }
        return luminance(other) > 127 ? 0x000000 : 0xFFFFFF;
    }

    private static double distanceToSegment(int c, int a, int b) {
        double[] p = channels(c);
        double[] s = channels(a);
        double[] e = channels(b);
        double[] d = {e[0] - s[0], e[1] - s[1], e[2] - s[2]};
        double len2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        double t = 0;
        if (len2 > 0) {
            t = ((p[0] - s[0]) * d[0] + (p[1] - s[1]) * d[1] + (p[2] - s[2]) * d[2]) / len2;
            t = Math.max(0, Math.min(1, t));
        }
        double dr = p[0] - (s[0] + t * d[0]);
        double dg = p[1] - (s[1] + t * d[1]);
        double db = p[2] - (s[2] + t * d[2]);
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    private static double[] channels(int c) {
        return new double[] {(c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF};
    }

    private static double luminance(int c) {
        return 0.299 * ((c >> 16) & 0xFF) + 0.587 * ((c >> 8) & 0xFF) + 0.114 * (c & 0xFF);
    }

    private static int blend(int a, int b, double t) {
        int r = (int) Math.round(lerp((a >> 16) & 0xFF, (b >> 16) & 0xFF, t));
        int g = (int) Math.round(lerp((a >> 8) & 0xFF, (b >> 8) & 0xFF, t));
        int bl = (int) Math.round(lerp(a & 0xFF, b & 0xFF, t));
        return rgb(r, g, bl);
    }

    private static int shift(int c, int delta) {
        return rgb(((c >> 16) & 0xFF) + delta, ((c >> 8) & 0xFF) + delta, (c & 0xFF) + delta);
    }

    private static int rgb(int r, int g, int b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }

    private static double u(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }
}
