package org.finetune4j.data;

import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Arc2D;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.PathIterator;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Registry of the shape classes of the synthetic sample sets: class name to outline builder.
 *
 * <p>Each builder draws its proportions (star depth, ring width, arm thickness, ...) from the given generator, so
 * one class varies within itself, and returns the outline {@linkplain #build normalised}: centred on its bounding
 * box and fitting in the unit circle. Pose (rotation, mirror, scale, position) is added by {@link ShapePainter}.
 */
enum ShapeKind {
    /** A block arrow: shaft and triangular head. */
    ARROW("arrow", r -> {
        double shaft = u(r, 0.13, 0.24);
        double head = u(r, 0.42, 0.6);
        double neck = u(r, 0.0, 0.35);
        return poly(-1, -shaft, neck, -shaft, neck, -head, 1, 0, neck, head, neck, shaft, -1, shaft);
    }),
    /** A dart: a triangle with a notch cut into its back. */
    ARROWHEAD("arrowhead", r -> {
        double half = u(r, 0.55, 0.8);
        double notch = u(r, 0.35, 0.65);
        return poly(0, -1, half, 0.8, 0, 0.8 - notch, -half, 0.8);
    }),
    /** A thick "^": a triangle minus a copy of itself shifted along its axis. */
    CHEVRON("chevron", r -> {
        double band = u(r, 0.35, 0.55);
        Area a = new Area(poly(-1, 0.45, 1, 0.45, 0, -0.55));
        a.subtract(new Area(poly(-1, 0.45 + band, 1, 0.45 + band, 0, -0.55 + band)));
        return a;
    }),
    /** A disc. */
    CIRCLE("circle", r -> new Ellipse2D.Double(-1, -1, 2, 2)),
    /** A disc minus an overlapping, offset disc. */
    CRESCENT("crescent", r -> {
        double offset = u(r, 0.3, 0.55);
        double inner = u(r, 0.8, 0.95);
        Area a = new Area(new Ellipse2D.Double(-1, -1, 2, 2));
        a.subtract(new Area(new Ellipse2D.Double(offset - inner, -inner, 2 * inner, 2 * inner)));
        return a;
    }),
    /** A plus sign with equal arms. */
    CROSS("cross", r -> {
        double t = u(r, 0.2, 0.34);
        return poly(-t, -1, t, -1, t, -t, 1, -t, 1, t, t, t, t, 1, -t, 1, -t, t, -1, t, -1, -t, -t, -t);
    }),
    /** A rhombus clearly longer than wide, so that no rotation makes it a square. */
    DIAMOND("diamond", r -> {
        double half = u(r, 0.5, 0.68);
        return poly(0, -1, half, 0, 0, 1, -half, 0);
    }),
    /** An ellipse with axis ratio in [0.42, 0.65], well away from a circle. */
    ELLIPSE("ellipse", r -> {
        double b = u(r, 0.42, 0.65);
        return new Ellipse2D.Double(-1, -b, 2, 2 * b);
    }),
    /** The classic heart curve {@code x = 16 sin^3 t, y = 13 cos t - 5 cos 2t - 2 cos 3t - cos 4t}. */
    HEART("heart", r -> {
        Path2D.Double p = new Path2D.Double();
        int n = 72;
        for (int i = 0; i < n; i++) {
            double t = 2 * Math.PI * i / n;
            double sin = StrictMath.sin(t);
            double x = 16 * sin * sin * sin;
            double y = -(13 * StrictMath.cos(t) - 5 * StrictMath.cos(2 * t) - 2 * StrictMath.cos(3 * t)
                    - StrictMath.cos(4 * t));
            if (i == 0) {
                p.moveTo(x, y);
            } else {
                p.lineTo(x, y);
            }
        }
        p.closePath();
        return p;
    }),
    /** A regular heptagon with slightly jittered vertices. */
    HEPTAGON("heptagon", r -> regular(r, 7, 0)),
    /** A regular hexagon with slightly jittered vertices. */
    HEXAGON("hexagon", r -> regular(r, 6, 0)),
    /** Two triangles meeting at a narrow waist. */
    HOURGLASS("hourglass", r -> {
        double half = u(r, 0.55, 0.8);
        double waist = u(r, 0.06, 0.2);
        return poly(-half, -1, half, -1, waist, 0, half, 1, -half, 1, -waist, 0);
    }),
    /** A kite: a quadrilateral with its wide point off-centre. */
    KITE("kite", r -> {
        double half = u(r, 0.5, 0.7);
        double shoulder = u(r, 0.2, 0.45);
        return poly(0, -1, half, -shoulder, 0, 1, -half, -shoulder);
    }),
    /** An "L": two bars at a right angle. */
    L_SHAPE("l-shape", r -> {
        double w = u(r, 0.6, 0.9);
        double t = u(r, 0.25, 0.38);
        return poly(0, 0, t, 0, t, 1 - t, w, 1 - t, w, 1, 0, 1);
    }),
    /** A zig-zag lightning bolt. */
    LIGHTNING("lightning", r -> jittered(r, 0.05,
            0.15, -1, -0.45, 0.1, -0.02, 0.1, -0.2, 1, 0.5, -0.18, 0.08, -0.18)),
    /** A regular octagon with slightly jittered vertices. */
    OCTAGON("octagon", r -> regular(r, 8, 0)),
    /** A slanted quadrilateral with parallel opposite sides. */
    PARALLELOGRAM("parallelogram", r -> {
        double h = u(r, 0.4, 0.62);
        double skew = u(r, 0.2, 0.4);
        double w = 0.75;
        return poly(-w + skew, -h, w + skew, -h, w - skew, h, -w - skew, h);
    }),
    /** A regular pentagon with slightly jittered vertices. */
    PENTAGON("pentagon", r -> regular(r, 5, 0)),
    /** An annulus. */
    RING("ring", r -> {
        double inner = u(r, 0.45, 0.72);
        Area a = new Area(new Ellipse2D.Double(-1, -1, 2, 2));
        a.subtract(new Area(new Ellipse2D.Double(-inner, -inner, 2 * inner, 2 * inner)));
        return a;
    }),
    /** A square with rounded corners. */
    ROUNDED_SQUARE("rounded-square", r -> {
        double arc = u(r, 0.6, 1.2);
        return new RoundRectangle2D.Double(-1, -1, 2, 2, arc, arc);
    }),
    /** Half a disc. */
    SEMICIRCLE("semicircle", r -> new Arc2D.Double(-1, -1, 2, 2, 0, 180, Arc2D.CHORD)),
    /** A square with slightly jittered corners. */
    SQUARE("square", r -> regular(r, 4, Math.PI / 4)),
    /** A square frame: a square minus a centred square. */
    SQUARE_RING("square-ring", r -> {
        double inner = u(r, 0.45, 0.7);
        Area a = new Area(new Rectangle2D.Double(-1, -1, 2, 2));
        a.subtract(new Area(new Rectangle2D.Double(-inner, -inner, 2 * inner, 2 * inner)));
        return a;
    }),
    /** A four-pointed star. */
    STAR4("star4", r -> star(r, 4, u(r, 0.3, 0.48))),
    /** A five-pointed star. */
    STAR5("star5", r -> star(r, 5, u(r, 0.38, 0.55))),
    /** A six-pointed star. */
    STAR6("star6", r -> star(r, 6, u(r, 0.45, 0.62))),
    /** An eight-pointed star. */
    STAR8("star8", r -> star(r, 8, u(r, 0.48, 0.66))),
    /** A "T": a top bar and a centred stem. */
    T_SHAPE("t-shape", r -> {
        double half = u(r, 0.45, 0.6);
        double t = u(r, 0.22, 0.34);
        double s = t / 2;
        return poly(-half, 0, half, 0, half, t, s, t, s, 1, -s, 1, -s, t, -half, t);
    }),
    /** An isosceles trapezoid. */
    TRAPEZOID("trapezoid", r -> {
        double top = u(r, 0.35, 0.62);
        double h = u(r, 0.45, 0.7);
        return poly(-1, h, 1, h, top, -h, -top, -h);
    }),
    /** A regular triangle with slightly jittered vertices. */
    TRIANGLE("triangle", r -> regular(r, 3, -Math.PI / 2));

    // StrictMath throughout: Math.sin and friends may differ in the last bit between JVMs and CPUs, and the files
    // must be byte-identical for a seed.

    /** Flattening tolerance when measuring an outline, in unit-shape coordinates. */
    private static final double FLATNESS = 0.005;

    private final String className;
    private final Function<SplittableRandom, Shape> outline;

    ShapeKind(String className, Function<SplittableRandom, Shape> outline) {
        this.className = className;
        this.outline = outline;
    }

    /** @return the class name: lower-case kebab, also the folder name */
    String className() {
        return className;
    }

    /**
     * Draws this kind's proportions from {@code rng} and returns the outline, centred on its bounding box and
     * scaled so that its farthest point lies on the unit circle.
     */
    Shape build(SplittableRandom rng) {
        return normalise(outline.apply(rng));
    }

    /**
     * @param className a class name such as {@code "star5"}
     * @return the kind of that name
     * @throws IllegalArgumentException if no kind has that name (a programming error: class lists are constants)
     */
    static ShapeKind of(String className) {
        for (ShapeKind kind : values()) {
            if (kind.className.equals(className)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "no shape kind named \"%s\"", className));
    }

    private static Shape normalise(Shape shape) {
        Rectangle2D b = shape.getBounds2D();
        AffineTransform centre = AffineTransform.getTranslateInstance(-b.getCenterX(), -b.getCenterY());
        Shape centred = centre.createTransformedShape(shape);
        double maxDist = 0;
        double[] c = new double[6];
        for (PathIterator it = centred.getPathIterator(null, FLATNESS); !it.isDone(); it.next()) {
            int type = it.currentSegment(c);
            if (type == PathIterator.SEG_MOVETO || type == PathIterator.SEG_LINETO) {
                maxDist = Math.max(maxDist, StrictMath.hypot(c[0], c[1]));
            }
        }
        return AffineTransform.getScaleInstance(1 / maxDist, 1 / maxDist).createTransformedShape(centred);
    }

    private static double u(SplittableRandom r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    private static Path2D poly(double... xy) {
        Path2D.Double p = new Path2D.Double(Path2D.WIND_NON_ZERO);
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }

    private static Path2D jittered(SplittableRandom r, double amount, double... xy) {
        double[] moved = xy.clone();
        for (int i = 0; i < moved.length; i++) {
            moved[i] += u(r, -amount, amount);
        }
        return poly(moved);
    }

    /** A regular n-gon whose vertex radii and angles are jittered by a few percent, so no two are congruent. */
    private static Path2D regular(SplittableRandom r, int n, double startAngle) {
        double[] xy = new double[2 * n];
        double step = 2 * Math.PI / n;
        for (int i = 0; i < n; i++) {
            double angle = startAngle + i * step + u(r, -0.04, 0.04);
            double radius = 1 + u(r, -0.04, 0.04);
            xy[2 * i] = radius * StrictMath.cos(angle);
            xy[2 * i + 1] = radius * StrictMath.sin(angle);
        }
        return poly(xy);
    }

    private static Path2D star(SplittableRandom r, int points, double innerRatio) {
        double[] xy = new double[4 * points];
        double step = Math.PI / points;
        for (int i = 0; i < 2 * points; i++) {
            double radius = (i % 2 == 0 ? 1 : innerRatio) * (1 + u(r, -0.03, 0.03));
            double angle = i * step - Math.PI / 2;
            xy[2 * i] = radius * StrictMath.cos(angle);
            xy[2 * i + 1] = radius * StrictMath.sin(angle);
        }
        return poly(xy);
    }
}
