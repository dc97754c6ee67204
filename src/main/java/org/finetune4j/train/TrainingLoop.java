package org.finetune4j.train;

import java.util.Iterator;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.Seeds;
import org.finetune4j.model.NativeInference;
import org.finetune4j.run.EarlyStopping;
import org.finetune4j.run.EpochStats;
import org.finetune4j.run.History;
import org.finetune4j.run.OptimizerConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Trains a graph for a number of epochs over {@link ImageBatches}: per-batch training loss and accuracy (from the
 * step's own forward pass: {@link TrainingAccuracy}), validation loss and accuracy per epoch, a learning-rate
 * schedule, early stopping that keeps the best epoch's weights, a checkpoint after every epoch and on a stop request
 * (Ctrl-C), and exact resumption from a checkpoint.
 *
 * <p>Exactness: ND4J's generator (dropout) is re-seeded from (seed, epoch, batch) before every batch and every batch
 * is rebuilt from (seed, epoch, batch) by {@link ImageBatches}, so on a CPU a resumed run performs the same
 * arithmetic as an uninterrupted one.
 * <pre>{@code
 * TrainingLoop.Outcome o = new TrainingLoop(settings, seeds).run(graph, train, val, CheckpointState.start(), null,
 *         (g, best, state) -> checkpoints.save(g, best, null, state, runConfig), () -> stopRequested, listener);
 * }</pre>
 */
public final class TrainingLoop {

    /**
     * One stage of training.
     *
     * @param stage         1 or 2
     * @param epochs        epochs in this stage, at least 1
     * @param optimizer     updater and schedule (the learning rate is set on the graph every epoch)
     * @param earlyStopping when to stop and which epoch is best
     */
    public record Stage(int stage, int epochs, OptimizerConfig optimizer, EarlyStopping earlyStopping) {
    }

    /** Receives every finished epoch (for the epoch line, plots, …). */
    @FunctionalInterface
    public interface EpochListener {
        /**
         * @param stats   the epoch just finished
         * @param history all finished epochs, this one included
         * @param total   epochs planned in the stage
         */
        void onEpochEnd(EpochStats stats, History history, int total);
    }

    /** Saves a checkpoint of the graph being trained. */
    @FunctionalInterface
    public interface Saver {
        /**
         * @param trained    the graph the loop trains
         * @param bestParams its best epoch's parameters so far, or null
         * @param state      where the run is
         */
        void save(ComputationGraph trained, INDArray bestParams, CheckpointState state);

        /** @return whether an epoch-end checkpoint is due now (a stopped run is saved regardless) */
        default boolean due() {
            return true;
        }
    }

    /**
     * What a stage ended with.
     *
     * @param graph       the graph, holding the best epoch's weights (or the last ones if no epoch finished)
     * @param state       the final state (history, best score)
     * @param interrupted whether a stop request ended it (a checkpoint was saved)
     * @param bestParams  the best epoch's parameters, or null
     */
    public record Outcome(ComputationGraph graph, CheckpointState state, boolean interrupted, INDArray bestParams) {
    }

    private final Stage stage;
    private final Seeds seeds;

    /**
     * @param stage the stage's settings
     * @param seeds the run's seeds
     */
    public TrainingLoop(Stage stage, Seeds seeds) {
        this.stage = stage;
        this.seeds = seeds;
    }

    /**
     * Runs (or resumes) the stage.
     *
     * @param graph       the graph to train (its parameters change)
     * @param train       training batches (shuffled, augmented)
     * @param val         validation batches, or null
     * @param state       where to start: {@link CheckpointState#start()} or a checkpoint's state
     * @param bestParams  the best parameters so far (from a checkpoint), or null
     * @param saver       saves a checkpoint after every epoch and on a stop request, or null for none
     * @param stop        polled after every batch; when true, a checkpoint is saved and the stage returns
     * @param listener    receives every finished epoch
     */
    public Outcome run(ComputationGraph graph, Batches train, Batches val, CheckpointState state,
                       INDArray bestParams, Saver saver, Supplier<Boolean> stop, EpochListener listener) {
        TrainingAccuracy accuracy = TrainingAccuracy.attach(graph);
        try {
            return stage(graph, train, val, state, bestParams, saver, stop, listener, accuracy);
        } finally {
            accuracy.detach();
        }
    }

    /**
     * @return the learning rate every layer that learns has, or NaN when they differ, one has a schedule, or none learns
     *         (a fixed rate, as {@code ComputationGraph.setLearningRate} leaves it)
     */
    static double learningRate(ComputationGraph graph) {
        double rate = Double.NaN;
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            if (!(l.conf().getLayer() instanceof BaseLayer b) || b.getIUpdater() == null
                    || !b.getIUpdater().hasLearningRate()) {
                continue;   // frozen layers (their configuration is a FrozenLayer), and layers without parameters
            }
            IUpdater u = b.getIUpdater();
            double r = u.getLearningRate(0, 0);
            if (Double.isNaN(r) || r != u.getLearningRate(Integer.MAX_VALUE, Integer.MAX_VALUE)
                    || !Double.isNaN(rate) && r != rate) {
                return Double.NaN;
            }
            rate = r;
        }
        return rate;
    }

    private Outcome stage(ComputationGraph graph, Batches train, Batches val, CheckpointState state,
                          INDArray bestParams, Saver saver, Supplier<Boolean> stop, EpochListener listener,
                          TrainingAccuracy accuracy) {
        CheckpointState s = state;
        INDArray best = bestParams;
        // the rate the graph was built (or resumed) with: setting it again would rebuild the updater for nothing
        double applied = learningRate(graph);
        while (s.stageEpoch() < stage.epochs() && !s.stopping().stopped()) {
            int epochIndex = s.epochIndex();
            double lr = stage.optimizer().learningRateAt(s.stageEpoch(), stage.epochs());
            if (lr != applied) {
                // DL4J rebuilds the whole updater (and copies its state) on every call: only when the rate changes
                graph.setLearningRate(lr);
                applied = lr;
            }
            long started = System.nanoTime();
            double lossSum = s.progress().lossSum();
            long hits = s.progress().hits();
            long seen = s.progress().seen();
            int batchIndex = s.nextBatch();
            int batchesDone = batchIndex;
            for (Iterator<ImageBatches.Batch> it = train.epoch(epochIndex, batchIndex); it.hasNext(); ) {
                ImageBatches.Batch b = it.next();
                if (b.data() != null) {
                    DataSet ds = b.data();
                    seeds.applyToNd4j("batch", epochIndex, b.index());
                    accuracy.expect(ds.getLabels());
                    graph.fit(ds);
                    hits += accuracy.hits();
                    lossSum += graph.score() * b.size();
                    seen += b.size();
                }
                batchesDone = b.index() + 1;
                if (stop.get() && batchesDone < train.batchesPerEpoch()) {
                    double secs = s.progress().seconds() + (System.nanoTime() - started) / 1e9;
                    CheckpointState partial = new CheckpointState(stage.stage(), epochIndex, s.stageEpoch(),
                            batchesDone, new CheckpointState.EpochProgress(lossSum, hits, seen, secs), s.history(),
                            s.stopping());
                    if (saver != null) {
                        saver.save(graph, best, partial);
                    }
                    return new Outcome(graph, partial, true, best);
                }
            }
            double[] valStats = val == null || val.size() == 0
                    ? new double[] {Double.NaN, Double.NaN, Double.NaN} : evaluate(graph, val);
            double secs = s.progress().seconds() + (System.nanoTime() - started) / 1e9;
            EpochStats stats = new EpochStats(epochIndex + 1, stage.stage(), seen == 0 ? Double.NaN : lossSum / seen,
                    seen == 0 ? Double.NaN : (double) hits / seen, valStats[0], valStats[1], lr, secs,
                    seen / Math.max(secs, 1e-9), valStats[2]);
            double score = stage.earlyStopping().score(stats);
            int bestEpoch = s.history().bestEpoch();
            double bestScore = s.stopping().bestScore();
            int waited = s.stopping().waited() + 1;
            if (best == null || stage.earlyStopping().improves(score, bestScore)) {
                INDArray now = graph.params();
                if (best != null && best.length() == now.length() && best.dataType() == now.dataType()) {
                    // into the same buffer: a new copy per improvement left the old one (0.5 GB for VGG16's head)
                    // to the garbage collector, which a small Java heap seldom runs, so they piled up off-heap
                    best.assign(now);
                } else {
                    best = now.dup();
                }
                bestEpoch = stats.epoch();
                bestScore = score;
                waited = 0;
            }
            History h = s.history().plus(stats, bestEpoch);
            boolean stopped = stage.earlyStopping().patience() > 0 && waited >= stage.earlyStopping().patience();
            s = new CheckpointState(stage.stage(), epochIndex + 1, s.stageEpoch() + 1, 0,
                    CheckpointState.EpochProgress.none(), h, new CheckpointState.Stopping(bestScore, waited, stopped));
            if (saver != null && (saver.due() || stop.get())) {
                saver.save(graph, best, s);
            }
            listener.onEpochEnd(stats, h, stage.epochs());
            // an epoch leaves its batches' arrays (native memory) to the garbage collector, which a Java heap this
            // small seldom runs: JavaCPP would collect only when they reach its limit (by default the heap's maximum,
            // a quarter of RAM), so peak memory grew by about 0.1 GB per VGG16 epoch. A collection per epoch is a
            // few milliseconds.
            System.gc();
            if (stop.get()) {
                return new Outcome(graph, s, s.stageEpoch() < stage.epochs() && !stopped, best);
            }
        }
        if (best != null) {
            graph.setParams(best);
        }
        return new Outcome(graph, s, false, best);
    }

    /**
     * @return {mean cross-entropy loss, accuracy, balanced accuracy} of the graph on the batches (inference mode, no
     *         penalty, no class weights); balanced accuracy is the mean recall over the classes with images
     */
    public static double[] evaluate(ComputationGraph graph, Batches batches) {
        // the parameters are the current ones: a new native runner per pass (its weights are read on first use)
        try (NativeInference inference = NativeInference.of(graph)) {
            return evaluate(inference, batches);
        }
    }

    private static double[] evaluate(NativeInference inference, Batches batches) {
        double loss = 0;
        long hits = 0;
        long n = 0;
        long[] support = null;
        long[] found = null;
        for (Iterator<ImageBatches.Batch> it = batches.epoch(0, 0); it.hasNext(); ) {
            ImageBatches.Batch b = it.next();
            if (b.data() == null) {
                continue;
            }
            INDArray out = inference.output(b.data().getFeatures());
            INDArray labels = b.data().getLabels();
            INDArray p = out.mul(labels).sum(1);
            loss += -Transforms.log(Transforms.max(p, 1e-12), false).sumNumber().doubleValue();
            hits += correct(out, labels);
            n += b.size();
            long[] predicted = out.argMax(1).toLongVector();
            long[] actual = labels.argMax(1).toLongVector();
            if (support == null) {
                support = new long[(int) labels.size(1)];
                found = new long[support.length];
            }
            for (int i = 0; i < actual.length; i++) {
                support[(int) actual[i]]++;
                if (predicted[i] == actual[i]) {
                    found[(int) actual[i]]++;
                }
            }
        }
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        double recallSum = 0;
        int withImages = 0;
        for (int c = 0; c < support.length; c++) {
            if (support[c] > 0) {
                recallSum += found[c] / (double) support[c];
                withImages++;
            }
        }
        return new double[] {loss / n, (double) hits / n, recallSum / withImages};
    }

    static long correct(INDArray probabilities, INDArray oneHot) {
        INDArray predicted = probabilities.argMax(1);
        INDArray actual = oneHot.argMax(1);
        return predicted.eq(actual).castTo(org.nd4j.linalg.api.buffer.DataType.INT).sumNumber().longValue();
    }
}
