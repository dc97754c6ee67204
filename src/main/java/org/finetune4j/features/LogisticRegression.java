package org.finetune4j.features;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Multinomial logistic regression (softmax regression) on feature vectors, minimising
 * {@code (1/n) Σ_i -log softmax(W x_i + b)_{y_i} + λ R(W)} with {@code λ = 1 / (c n)} — the same optimum as
 * scikit-learn's {@code LogisticRegression(C=c, multi_class="multinomial")}; the bias is not penalised.
 * <ul>
 *   <li>L2 ({@code R = ½‖W‖²}): L-BFGS (Nocedal &amp; Wright 2006, Algorithm 7.4, memory 10) with a backtracking
 *       Armijo line search, to a gradient tolerance of 1e-5 (max norm).</li>
 *   <li>L1 ({@code R = ‖W‖₁}): FISTA, the accelerated proximal gradient method (Beck &amp; Teboulle 2009) with
 *       backtracking and adaptive restart (O'Donoghue &amp; Candès 2015); the proximal step is soft thresholding.</li>
 * </ul>
 * Deterministic: no randomness is involved, and the passes over the data (parallel for large problems, on the
 * common fork-join pool) sum fixed chunks of rows in a fixed order, so the result does not depend on the threads.
 * <pre>{@code
 * LinearModel m = new LogisticRegression(LinearClassifier.Penalty.L2, 1000).fit(x, y, 10, 1.0);
 * }</pre>
 */
public final class LogisticRegression implements LinearClassifier {

    private static final Logger log = LoggerFactory.getLogger(LogisticRegression.class);

    private static final int MEMORY = 10;
    private static final double GRADIENT_TOLERANCE = 1e-5;
    /** Rows per partial sum of the loss and gradient (fixed, so results do not depend on the thread count). */
    private static final int CHUNK_ROWS = 256;
    /** Multiply-adds (rows × features × classes) from which a pass over the data runs in parallel. */
    private static final double PARALLEL_WORK = 4e6;

    private final Penalty penalty;
    private final int maxIterations;

    /**
     * @param penalty       L2 or L1
     * @param maxIterations optimiser iterations, at least 1 (each is one or a few passes over the data)
     */
    public LogisticRegression(Penalty penalty, int maxIterations) {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be at least 1");
        }
        this.penalty = penalty;
        this.maxIterations = maxIterations;
    }

    @Override
    public String describe() {
        return "logreg (" + penalty.name() + ")";
    }

    @Override
    public LinearModel fit(double[][] x, int[] y, int classes, double c) {
        return fit(x, y, classes, c, null);
    }

    @Override
    public LinearModel fit(double[][] x, int[] y, int classes, double c, LinearModel start) {
        Problem p = new Problem(x, y, classes, 1.0 / (c * x.length));
        double[] theta = new double[p.size()];
        if (start != null && start.classes() == classes && start.features() == p.d) {
            for (int k = 0; k < classes; k++) {
                System.arraycopy(start.weights()[k], 0, theta, k * p.d, p.d);
                theta[classes * p.d + k] = start.bias()[k];
            }
        }
        theta = penalty == Penalty.L2 ? lbfgs(p, theta) : fista(p, theta);
        return p.model(theta);
    }

    /** The smooth part: mean cross-entropy (plus ½λ‖W‖² for L2), over a parameter vector [W row-major, b]. */
    private static final class Problem {
        final double[][] x;
        final int[] y;
        final int k;
        final int d;
        final double lambda;

        Problem(double[][] x, int[] y, int k, double lambda) {
            if (x.length == 0 || x.length != y.length) {
                throw new IllegalArgumentException("need one label per row and at least one row");
            }
            this.x = x;
            this.y = y;
            this.k = k;
            this.d = x[0].length;
            this.lambda = lambda;
        }

        int size() {
            return k * (d + 1);
        }

        /**
         * @return the mean cross-entropy, plus ½λ‖W‖² if {@code l2}; the gradient goes into {@code grad}. The rows
         *         are summed in fixed chunks of {@link #CHUNK_ROWS}, in parallel on the common fork-join pool, and
         *         the chunks' sums are added in chunk order, so the result does not depend on the thread count.
         */
        double value(double[] theta, double[] grad, boolean l2) {
            int n = x.length;
            int chunks = (n + CHUNK_ROWS - 1) / CHUNK_ROWS;
            IntStream ids = IntStream.range(0, chunks);
            if ((double) n * d * k >= PARALLEL_WORK) {
                ids = ids.parallel();
            }
            List<Partial> parts = ids.mapToObj(ch -> chunk(theta, ch * CHUNK_ROWS,
                    Math.min(n, (ch + 1) * CHUNK_ROWS))).toList();
            Arrays.fill(grad, 0);
            double loss = 0;
            for (Partial part : parts) {
                loss += part.loss();
                double[] pg = part.grad();
                for (int j = 0; j < pg.length; j++) {
                    grad[j] += pg[j];
                }
            }
            loss /= n;
            if (l2) {
                double sq = 0;
                for (int j = 0; j < k * d; j++) {
                    sq += theta[j] * theta[j];
                    grad[j] += lambda * theta[j];
                }
                loss += 0.5 * lambda * sq;
            }
            return loss;
        }

        private record Partial(double loss, double[] grad) {
        }

        /**
         * {@code s[c] = b[c] + W[c]·x}. Four classes at a time: four independent sums per pass over {@code x} (the
         * JIT does not vectorise a floating-point sum, so one sum at a time waits on each addition); each class's
         * sum still adds its terms in the order of {@code j}, so the result is the same as one class at a time.
         */
        private void scores(double[] theta, double[] xi, double[] s) {
            int c = 0;
            for (; c + 3 < k; c += 4) {
                int o0 = c * d;
                int o1 = o0 + d;
                int o2 = o1 + d;
                int o3 = o2 + d;
                double v0 = theta[k * d + c];
                double v1 = theta[k * d + c + 1];
                double v2 = theta[k * d + c + 2];
                double v3 = theta[k * d + c + 3];
                for (int j = 0; j < d; j++) {
                    double xj = xi[j];
                    v0 += theta[o0 + j] * xj;
                    v1 += theta[o1 + j] * xj;
                    v2 += theta[o2 + j] * xj;
                    v3 += theta[o3 + j] * xj;
                }
                s[c] = v0;
                s[c + 1] = v1;
                s[c + 2] = v2;
                s[c + 3] = v3;
            }
            for (; c < k; c++) {
                double v = theta[k * d + c];
                int off = c * d;
                for (int j = 0; j < d; j++) {
                    v += theta[off + j] * xi[j];
                }
                s[c] = v;
            }
        }

        /** The summed cross-entropy of rows {@code [from, to)} and its gradient (already divided by n). */
        private Partial chunk(double[] theta, int from, int to) {
            double[] grad = new double[k * (d + 1)];
            double loss = 0;
            double[] s = new double[k];
            int n = x.length;
            for (int i = from; i < to; i++) {
                double[] xi = x[i];
                scores(theta, xi, s);
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    max = Math.max(max, s[c]);
                }
                double sum = 0;
                for (int c = 0; c < k; c++) {
                    s[c] = Math.exp(s[c] - max);
                    sum += s[c];
                }
                loss += Math.log(sum) + max - (Math.log(s[y[i]]) + max);
                for (int c = 0; c < k; c++) {
                    double g = s[c] / sum - (c == y[i] ? 1 : 0);
                    if (g == 0) {
                        continue;
                    }
                    g /= n;
                    int off = c * d;
                    for (int j = 0; j < d; j++) {
                        grad[off + j] += g * xi[j];
                    }
                    grad[k * d + c] += g;
                }
            }
            return new Partial(loss, grad);
        }

        LinearModel model(double[] theta) {
            double[][] w = new double[k][d];
            double[] b = new double[k];
            for (int c = 0; c < k; c++) {
                System.arraycopy(theta, c * d, w[c], 0, d);
                b[c] = theta[k * d + c];
            }
            return new LinearModel(w, b);
        }
    }

    private double[] lbfgs(Problem p, double[] theta) {
        int m = p.size();
        double[] g = new double[m];
        double f = p.value(theta, g, true);
        double[][] s = new double[MEMORY][];
        double[][] yv = new double[MEMORY][];
        double[] rho = new double[MEMORY];
        int stored = 0;
        int head = 0;
        double[] dir = new double[m];
        double[] next = new double[m];
        double[] gNext = new double[m];
        int passes = 1;
        int it = 0;
        String stop = null;
        for (; it < maxIterations && maxAbs(g) > GRADIENT_TOLERANCE; it++) {
            // two-loop recursion: dir = -H g
            for (int j = 0; j < m; j++) {
                dir[j] = -g[j];
            }
            double[] alpha = new double[MEMORY];
            for (int h = 0; h < stored; h++) {
                int idx = Math.floorMod(head - 1 - h, MEMORY);
                alpha[idx] = rho[idx] * dot(s[idx], dir);
                axpy(-alpha[idx], yv[idx], dir);
            }
            if (stored > 0) {
                int last = Math.floorMod(head - 1, MEMORY);
                double gamma = dot(s[last], yv[last]) / dot(yv[last], yv[last]);
                for (int j = 0; j < m; j++) {
                    dir[j] *= gamma;
                }
            }
            for (int h = stored - 1; h >= 0; h--) {
                int idx = Math.floorMod(head - 1 - h, MEMORY);
                double beta = rho[idx] * dot(yv[idx], dir);
                axpy(alpha[idx] - beta, s[idx], dir);
            }
            double slope = dot(g, dir);
            if (slope >= 0) {   // not a descent direction (numerical trouble): restart from steepest descent
                stored = 0;
                for (int j = 0; j < m; j++) {
                    dir[j] = -g[j];
                }
                slope = dot(g, dir);
            }
            double step = stored == 0 ? Math.min(1.0, 1.0 / Math.sqrt(-slope)) : 1.0;
            double fNext = Double.NaN;
            boolean accepted = false;
            for (int ls = 0; ls < 40; ls++) {
                for (int j = 0; j < m; j++) {
                    next[j] = theta[j] + step * dir[j];
                }
                fNext = p.value(next, gNext, true);
                passes++;
                if (fNext <= f + 1e-4 * step * slope) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) {
                stop = "no decrease along the search direction";
                break;   // no decrease possible at machine precision: converged as far as it can
            }
            double[] sNew = new double[m];
            double[] yNew = new double[m];
            for (int j = 0; j < m; j++) {
                sNew[j] = next[j] - theta[j];
                yNew[j] = gNext[j] - g[j];
            }
            double sy = dot(sNew, yNew);
            if (sy > 1e-12) {
                s[head] = sNew;
                yv[head] = yNew;
                rho[head] = 1.0 / sy;
                head = (head + 1) % MEMORY;
                stored = Math.min(stored + 1, MEMORY);
            }
            boolean flat = Math.abs(f - fNext) <= 1e-10 * Math.max(1, Math.abs(f));
            System.arraycopy(next, 0, theta, 0, m);
            System.arraycopy(gNext, 0, g, 0, m);
            f = fNext;
            if (flat) {
                it++;
                stop = "objective change";
                break;
            }
        }
        if (stop == null) {
            stop = maxAbs(g) <= GRADIENT_TOLERANCE ? "gradient tolerance" : "iteration limit";
        }
        log.debug("logreg L2 (L-BFGS): {} iterations, {} passes over the data, objective {}, gradient max-norm {}, "
                + "stopped by the {}", it, passes, f, maxAbs(g), stop);
        return theta;
    }

    private double[] fista(Problem p, double[] theta) {
        int m = p.size();
        int wSize = p.k * p.d;
        double[] prev = new double[m];
        double[] yPoint = theta.clone();
        double[] g = new double[m];
        double[] cand = new double[m];
        double[] gCand = new double[m];
        double lipschitz = 1.0;
        double t = 1;
        double objective = Double.POSITIVE_INFINITY;
        int passes = 0;
        int it = 0;
        double mapping = Double.NaN;
        for (; it < maxIterations; it++) {
            double fy = p.value(yPoint, g, false);
            passes++;
            double fc;
            while (true) {
                double step = 1.0 / lipschitz;
                for (int j = 0; j < m; j++) {
                    double v = yPoint[j] - step * g[j];
                    cand[j] = j < wSize ? softThreshold(v, step * p.lambda) : v;
                }
                fc = p.value(cand, gCand, false);
                passes++;
                double quad = fy;
                double sq = 0;
                for (int j = 0; j < m; j++) {
                    double dlt = cand[j] - yPoint[j];
                    quad += g[j] * dlt;
                    sq += dlt * dlt;
                }
                quad += 0.5 * lipschitz * sq;
                if (fc <= quad + 1e-12 * Math.abs(quad) || lipschitz > 1e12) {
                    break;
                }
                lipschitz *= 2;
            }
            double obj = fc + p.lambda * l1(cand, wSize);
            // optimality: the gradient mapping L (y - prox(y - g/L)) vanishes exactly at a minimiser of f + λ‖W‖₁
            mapping = 0;
            for (int j = 0; j < m; j++) {
                mapping = Math.max(mapping, Math.abs(cand[j] - yPoint[j]) * lipschitz);
            }
            if (obj > objective) {   // adaptive restart: momentum made things worse
                System.arraycopy(theta, 0, yPoint, 0, m);
                t = 1;
                continue;
            }
            double tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
            System.arraycopy(theta, 0, prev, 0, m);
            System.arraycopy(cand, 0, theta, 0, m);
            for (int j = 0; j < m; j++) {
                yPoint[j] = theta[j] + ((t - 1) / tNext) * (theta[j] - prev[j]);
            }
            t = tNext;
            objective = obj;
            if (mapping <= GRADIENT_TOLERANCE) {
                it++;
                break;
            }
            lipschitz *= 0.9;   // let the step grow again where the curvature allows it
        }
        log.debug("logreg L1 (FISTA): {} iterations, {} passes over the data, objective {}, gradient mapping "
                + "max-norm {} (tolerance {})", it, passes, objective, mapping, GRADIENT_TOLERANCE);
        return theta;
    }

    private static double softThreshold(double v, double threshold) {
        return v > threshold ? v - threshold : v < -threshold ? v + threshold : 0;
    }

    private static double l1(double[] theta, int wSize) {
        double s = 0;
        for (int j = 0; j < wSize; j++) {
            s += Math.abs(theta[j]);
        }
        return s;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int j = 0; j < x.length; j++) {
            y[j] += a * x[j];
        }
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double e : v) {
            m = Math.max(m, Math.abs(e));
        }
        return m;
    }
}
