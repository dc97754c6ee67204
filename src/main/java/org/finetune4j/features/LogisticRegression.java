package org.finetune4j.features;

import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Multinomial logistic regression (softmax regression) on feature vectors, minimising
 * {@code (1/n) Σ_i s_i · (-log softmax(W x_i + b)_{y_i}) + λ R(W)} with {@code λ = 1 / (c n)} — the same optimum
 * as scikit-learn's {@code LogisticRegression(C=c, multi_class="multinomial", class_weight=...)}; the bias is not
 * penalised. The sample weight {@code s_i} is the class weight of the row's class ({@code --class-weights}), 1
 * without class weights.
 * <ul>
 *   <li>L2 ({@code R = ½‖W‖²}): L-BFGS (Nocedal &amp; Wright 2006, Algorithm 7.4, memory 10) with a backtracking
 *       Armijo line search, to a gradient tolerance of 1e-5 (max norm).</li>
 *   <li>L1 ({@code R = ‖W‖₁}): FISTA, the accelerated proximal gradient method (Beck &amp; Teboulle 2009) with
 *       backtracking and adaptive restart (O'Donoghue &amp; Candès 2015); the proximal step is soft thresholding.</li>
 * </ul>
 * The work is two matrix products over the data per iteration, run by ND4J's native backend as float32 gemm on the
 * rows as a {@link FeatureMatrix} ({@code n × d} float32, 4 bytes per value, off the Java heap): {@link
 * #fit(FeatureMatrix, int[], int, double, LinearModel)} runs on the caller's matrix as it is, the {@code double[][]}
 * methods copy the rows into one first (freed when the fit returns); the optimiser, the softmax, the loss and the
 * sums of the bias gradient stay double, in Java. On 10,000 × 4,096 features in a {@link FeatureMatrix}, 10 classes
 * ({@code PerfBench --items logreg}, 2 cores of an AMD EPYC Zen 4) a fit took 0.31–0.72 s with AVX-512 or AVX2
 * kernels (PyTorch's L-BFGS, float32 on OpenBLAS, 1.16–1.69 s in the same runs; the former plain-Java double loops
 * 2.4 s). Double gemm took 1.5 s, and OpenBLAS's {@code Rᵀ·X} in double changed its last bits with the thread count.
 * <p>Deterministic on one machine: no randomness is involved and everything outside the products runs in a fixed
 * order, so the same input with the same natives and the same number of native threads gives the same model bit for
 * bit. The products' summation order may depend on the thread count and on the CPU's instruction set: oneDNN's AVX2
 * gemm kernels and OpenBLAS's gemm (plain natives) change the last bits of the model with the thread count (oneDNN's
 * AVX-512 kernels happened not to); the models then differ by about 1e-7 of the largest weight (README,
 * "Reproducibility").
 * <pre>{@code
 * LinearModel m = new LogisticRegression(LinearClassifier.Penalty.L2, 1000).fit(x, y, 10, 1.0);
 * }</pre>
 */
public final class LogisticRegression implements LinearClassifier {

    private static final Logger log = LoggerFactory.getLogger(LogisticRegression.class);

    private static final int MEMORY = 10;
    private static final double GRADIENT_TOLERANCE = 1e-5;

    private final Penalty penalty;
    private final int maxIterations;
    private final double[] classWeights;

    /**
     * @param penalty       L2 or L1
     * @param maxIterations optimiser iterations, at least 1 (each is two matrix products over the data, plus one
     *                      per extra backtracking step in FISTA)
     */
    public LogisticRegression(Penalty penalty, int maxIterations) {
        this(penalty, maxIterations, null);
    }

    /**
     * @param penalty       L2 or L1
     * @param maxIterations optimiser iterations, at least 1
     * @param classWeights  the loss weight of each class, all positive, or null for none: a row of class {@code k}
     *                      counts {@code classWeights[k]} times in the loss and its gradient
     */
    public LogisticRegression(Penalty penalty, int maxIterations, double[] classWeights) {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be at least 1");
        }
        this.penalty = penalty;
        this.maxIterations = maxIterations;
        this.classWeights = classWeights == null ? null : checkedWeights(classWeights);
    }

    static double[] checkedWeights(double[] w) {
        for (double v : w) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("class weights must be positive and finite: "
                        + Arrays.toString(w));
            }
        }
        return w.clone();
    }

    @Override
    public String describe() {
        return "logreg (" + penalty.name() + (classWeights == null ? "" : ", class-weighted") + ")";
    }

    @Override
    public LinearModel fit(double[][] x, int[] y, int classes, double c) {
        return fit(x, y, classes, c, null);
    }

    @Override
    public LinearModel fit(double[][] x, int[] y, int classes, double c, LinearModel start) {
        try (FeatureMatrix m = FeatureMatrix.of(x)) {
            return fit(m, y, classes, c, start);
        }
    }

    /** Fits on the matrix itself: no copy of the rows is made. */
    @Override
    public LinearModel fit(FeatureMatrix x, int[] y, int classes, double c, LinearModel start) {
        if (classWeights != null && classWeights.length != classes) {
            throw new IllegalArgumentException(classWeights.length + " class weights for " + classes + " classes");
        }
        try (Problem p = new Problem(x, y, classes, 1.0 / (c * x.rows()), classWeights)) {
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
    }

    /**
     * The data side of the problem: the rows, a float32 matrix {@code X} ({@code n × d}) in native memory, used as
     * it is, and the two matrix products that touch them, run by the native backend (gemm): the scores
     * {@code X·Vᵀ + b} of a parameter vector {@code [V row-major, b]}, and the gradient {@code Rᵀ·X} of the mean
     * cross-entropy with the residuals {@code R = (softmax(S) − Y)/n}. Everything else (softmax, loss, residuals,
     * optimiser) is double, in Java. Close it to free its own native buffers ({@code X} is the caller's).
     */
    private static final class Problem implements AutoCloseable {
        final int[] y;
        final int n;
        final int k;
        final int d;
        final double lambda;
        /** Each row's weight in the loss: its class's weight, or null when every row counts 1. */
        private final double[] rowWeight;
        private final INDArray x;
        private final INDArray w;
        private final INDArray scores;
        private final INDArray residuals;
        private final INDArray gradW;
        private final float[] wIn;
        private final float[] scoresOut;
        private final float[] residualsIn;
        private final float[] gradOut;
        private final double[] row;
        /** Matrix products so far, each one pass over {@code X}. */
        int products;

        Problem(FeatureMatrix rows, int[] y, int k, double lambda, double[] classWeights) {
            if (rows.rows() == 0 || rows.rows() != y.length) {
                throw new IllegalArgumentException("need one label per row and at least one row");
            }
            if (classWeights == null) {
                rowWeight = null;
            } else {
                rowWeight = new double[y.length];
                for (int i = 0; i < y.length; i++) {
                    rowWeight[i] = classWeights[y[i]];
                }
            }
            this.y = y;
            this.n = rows.rows();
            this.k = k;
            this.d = rows.columns();
            this.lambda = lambda;
            this.x = rows.array();
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                w = Nd4j.create(DataType.FLOAT, k, d);
                scores = Nd4j.create(DataType.FLOAT, n, k);
                residuals = Nd4j.create(DataType.FLOAT, n, k);
                gradW = Nd4j.create(DataType.FLOAT, k, d);
            }
            wIn = new float[k * d];
            scoresOut = new float[n * k];
            residualsIn = new float[n * k];
            gradOut = new float[k * d];
            row = new double[k];
        }

        int size() {
            return k * (d + 1);
        }

        /**
         * {@code out = X·Vᵀ + b} ({@code n × k}, row-major) for {@code v = [V, b]}: one matrix product, none if
         * {@code V} is zero.
         */
        void scores(double[] v, double[] out) {
            int kd = k * d;
            boolean zero = true;
            for (int j = 0; j < kd; j++) {
                wIn[j] = (float) v[j];
                zero &= v[j] == 0;
            }
            if (zero) {
                for (int i = 0; i < n; i++) {
                    System.arraycopy(v, kd, out, i * k, k);
                }
                return;
            }
            put(w, wIn);
            Nd4j.gemm(x, w, scores, false, true, 1.0, 0.0);
            products++;
            get(scores, scoresOut);
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < k; c++) {
                    out[i * k + c] = scoresOut[i * k + c] + v[kd + c];
                }
            }
        }

        /** @return the largest score of row {@code i} (subtracted before exponentiating, for stability) */
        private double rowMax(double[] s, int i) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                max = Math.max(max, s[i * k + c]);
            }
            return max;
        }

        /** @return the (class-weighted) mean cross-entropy of scores {@code s} ({@code n × k}, row-major) */
        double loss(double[] s) {
            double loss = 0;
            for (int i = 0; i < n; i++) {
                double max = rowMax(s, i);
                double sum = 0;
                for (int c = 0; c < k; c++) {
                    sum += Math.exp(s[i * k + c] - max);
                }
                double ce = Math.log(sum) + max - s[i * k + y[i]];
                loss += rowWeight == null ? ce : rowWeight[i] * ce;
            }
            return loss / n;
        }

        /**
         * The gradient of the (class-weighted) mean cross-entropy at scores {@code s} into {@code grad}: one matrix
         * product. A row's residual {@code softmax − one-hot} is scaled by its weight.
         */
        void gradient(double[] s, double[] grad) {
            int kd = k * d;
            Arrays.fill(grad, kd, kd + k, 0);
            for (int i = 0; i < n; i++) {
                double max = rowMax(s, i);
                double sum = 0;
                for (int c = 0; c < k; c++) {
                    row[c] = Math.exp(s[i * k + c] - max);
                    sum += row[c];
                }
                double scale = rowWeight == null ? 1.0 / n : rowWeight[i] / n;
                for (int c = 0; c < k; c++) {
                    double r = (row[c] / sum - (c == y[i] ? 1 : 0)) * scale;
                    residualsIn[i * k + c] = (float) r;
                    grad[kd + c] += r;
                }
            }
            if (kd == 0) {
                return;   // no features: the model is its bias
            }
            put(residuals, residualsIn);
            Nd4j.gemm(residuals, x, gradW, true, false, 1.0, 0.0);
            products++;
            get(gradW, gradOut);
            for (int j = 0; j < kd; j++) {
                grad[j] = gradOut[j];
            }
        }

        private static void put(INDArray to, float[] values) {
            new FloatPointer(to.data().addressPointer()).put(values, 0, values.length);
        }

        private static void get(INDArray from, float[] values) {
            new FloatPointer(from.data().addressPointer()).get(values, 0, values.length);
        }

        LinearModel model(double[] theta) {
            double[][] wOut = new double[k][d];
            double[] b = new double[k];
            for (int c = 0; c < k; c++) {
                System.arraycopy(theta, c * d, wOut[c], 0, d);
                b[c] = theta[k * d + c];
            }
            return new LinearModel(wOut, b);
        }

        @Override
        public void close() {
            for (INDArray a : List.of(w, scores, residuals, gradW)) {
                a.close();
            }
        }
    }

    /** ½λ‖W‖², over the weights of {@code theta} (the bias is not penalised). */
    private static double l2(Problem p, double[] theta) {
        double sq = 0;
        for (int j = 0; j < p.k * p.d; j++) {
            sq += theta[j] * theta[j];
        }
        return 0.5 * p.lambda * sq;
    }

    /**
     * L-BFGS on {@code loss + ½λ‖W‖²}. The scores are carried along the iterates rather than recomputed from the
     * weights: each iteration computes the scores of the search direction once ({@code U = X·Dᵀ + b_D}), every
     * line-search trial {@code θ + t D} takes {@code S + t U} in double, and the accepted point's scores become the
     * next {@code S}. So an iteration is two matrix products however many trials its line search needs, and the
     * objective along a line is smooth in {@code t}. Recomputing {@code X·Wᵀ} in float32 at every trial rounds
     * {@code W} to 24 bits and steps below that resolution change nothing: in {@code train --mode features} on
     * shapes-target (fc2, 256 features; 66 fits) only 10 fits then reached the gradient tolerance, against 52 with
     * the former double loops and 55 with carried scores (the others stop on a flat objective). The float32 rounding
     * of a direction's product is relative to that direction, so it shrinks with the steps.
     */
    private double[] lbfgs(Problem p, double[] theta) {
        int m = p.size();
        int nk = p.n * p.k;
        double[] s = new double[nk];
        p.scores(theta, s);
        double f = p.loss(s) + l2(p, theta);
        double[] g = new double[m];
        p.gradient(s, g);
        addL2(p, theta, g);
        double[][] sv = new double[MEMORY][];
        double[][] yv = new double[MEMORY][];
        double[] rho = new double[MEMORY];
        int stored = 0;
        int head = 0;
        double[] dir = new double[m];
        double[] next = new double[m];
        double[] gNext = new double[m];
        double[] u = new double[nk];
        double[] sNext = new double[nk];
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
                alpha[idx] = rho[idx] * dot(sv[idx], dir);
                axpy(-alpha[idx], yv[idx], dir);
            }
            if (stored > 0) {
                int last = Math.floorMod(head - 1, MEMORY);
                double gamma = dot(sv[last], yv[last]) / dot(yv[last], yv[last]);
                for (int j = 0; j < m; j++) {
                    dir[j] *= gamma;
                }
            }
            for (int h = stored - 1; h >= 0; h--) {
                int idx = Math.floorMod(head - 1 - h, MEMORY);
                double beta = rho[idx] * dot(yv[idx], dir);
                axpy(alpha[idx] - beta, sv[idx], dir);
            }
            double slope = dot(g, dir);
            if (slope >= 0) {   // not a descent direction (numerical trouble): restart from steepest descent
                stored = 0;
                for (int j = 0; j < m; j++) {
                    dir[j] = -g[j];
                }
                slope = dot(g, dir);
            }
            p.scores(dir, u);
            double step = stored == 0 ? Math.min(1.0, 1.0 / Math.sqrt(-slope)) : 1.0;
            double fNext = Double.NaN;
            boolean accepted = false;
            for (int ls = 0; ls < 40; ls++) {
                for (int j = 0; j < m; j++) {
                    next[j] = theta[j] + step * dir[j];
                }
                for (int j = 0; j < nk; j++) {
                    sNext[j] = s[j] + step * u[j];
                }
                fNext = p.loss(sNext) + l2(p, next);
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
            p.gradient(sNext, gNext);
            addL2(p, next, gNext);
            double[] sNew = new double[m];
            double[] yNew = new double[m];
            for (int j = 0; j < m; j++) {
                sNew[j] = next[j] - theta[j];
                yNew[j] = gNext[j] - g[j];
            }
            double sy = dot(sNew, yNew);
            if (sy > 1e-12) {
                sv[head] = sNew;
                yv[head] = yNew;
                rho[head] = 1.0 / sy;
                head = (head + 1) % MEMORY;
                stored = Math.min(stored + 1, MEMORY);
            }
            boolean flat = Math.abs(f - fNext) <= 1e-10 * Math.max(1, Math.abs(f));
            System.arraycopy(next, 0, theta, 0, m);
            System.arraycopy(gNext, 0, g, 0, m);
            double[] swap = s;
            s = sNext;
            sNext = swap;
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
        log.debug("logreg L2 (L-BFGS): {} iterations, {} matrix products over the data, objective {}, gradient "
                + "max-norm {}, stopped by the {}", it, p.products, f, maxAbs(g), stop);
        return theta;
    }

    private static void addL2(Problem p, double[] theta, double[] grad) {
        for (int j = 0; j < p.k * p.d; j++) {
            grad[j] += p.lambda * theta[j];
        }
    }

    /**
     * FISTA on {@code loss + λ‖W‖₁}. As in {@link #lbfgs}, scores are carried along: those of the current point,
     * the previous one and the extrapolated one are linear combinations of each other, and a candidate's are the
     * extrapolated point's plus one product for the difference, so the objective is smooth between nearby points.
     */
    private double[] fista(Problem p, double[] theta) {
        int m = p.size();
        int nk = p.n * p.k;
        int wSize = p.k * p.d;
        double[] prev = new double[m];
        double[] yPoint = theta.clone();
        double[] g = new double[m];
        double[] cand = new double[m];
        double[] delta = new double[m];
        double[] sTheta = new double[nk];
        p.scores(theta, sTheta);
        double[] sPrev = new double[nk];
        double[] sY = sTheta.clone();
        double[] sCand = new double[nk];
        double[] u = new double[nk];
        double lipschitz = 1.0;
        double t = 1;
        double objective = Double.POSITIVE_INFINITY;
        int it = 0;
        double mapping = Double.NaN;
        for (; it < maxIterations; it++) {
            double fy = p.loss(sY);
            p.gradient(sY, g);
            double fc;
            while (true) {
                double step = 1.0 / lipschitz;
                for (int j = 0; j < m; j++) {
                    double v = yPoint[j] - step * g[j];
                    cand[j] = j < wSize ? softThreshold(v, step * p.lambda) : v;
                    delta[j] = cand[j] - yPoint[j];
                }
                p.scores(delta, u);
                for (int j = 0; j < nk; j++) {
                    sCand[j] = sY[j] + u[j];
                }
                fc = p.loss(sCand);
                double quad = fy;
                double sq = 0;
                for (int j = 0; j < m; j++) {
                    quad += g[j] * delta[j];
                    sq += delta[j] * delta[j];
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
                mapping = Math.max(mapping, Math.abs(delta[j]) * lipschitz);
            }
            if (obj > objective) {   // adaptive restart: momentum made things worse
                System.arraycopy(theta, 0, yPoint, 0, m);
                System.arraycopy(sTheta, 0, sY, 0, nk);
                t = 1;
                continue;
            }
            double tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
            double momentum = (t - 1) / tNext;
            double[] swap = sPrev;
            sPrev = sTheta;
            sTheta = sCand;
            sCand = swap;
            System.arraycopy(theta, 0, prev, 0, m);
            System.arraycopy(cand, 0, theta, 0, m);
            for (int j = 0; j < m; j++) {
                yPoint[j] = theta[j] + momentum * (theta[j] - prev[j]);
            }
            for (int j = 0; j < nk; j++) {
                sY[j] = sTheta[j] + momentum * (sTheta[j] - sPrev[j]);
            }
            t = tNext;
            objective = obj;
            if (mapping <= GRADIENT_TOLERANCE) {
                it++;
                break;
            }
            lipschitz *= 0.9;   // let the step grow again where the curvature allows it
        }
        log.debug("logreg L1 (FISTA): {} iterations, {} matrix products over the data, objective {}, gradient "
                + "mapping max-norm {} (tolerance {})", it, p.products, objective, mapping, GRADIENT_TOLERANCE);
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
