package org.finetune4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.finetune4j.core.Seeds;
import org.finetune4j.run.HeadSpec;
import org.finetune4j.run.OptimizerConfig;
import org.finetune4j.testing.TestBundles;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;

class TraineeDenseTest {

    @Test
    void theCopyHasEveryFieldOfTheLayer() {
        DenseLayer d = new DenseLayer.Builder().nIn(12).nOut(7).activation(Activation.TANH)
                .weightInit(WeightInit.XAVIER).biasInit(0.25).dropOut(0.8).l1(1e-3).l2(1e-4)
                .updater(new Nesterovs(0.05, 0.8)).gradientNormalization(GradientNormalization.ClipL2PerLayer)
                .gradientNormalizationThreshold(2.5).hasBias(false).build();
        d.setLayerName("fc");
        TraineeDense t = TraineeDense.copyOf(d, false);
        assertThat(t).isEqualTo(d);   // Lombok's equals over every field of DL4J's layer and its superclasses
        assertThat(t.inputGradient()).isFalse();
    }

    @Test
    void theLayerFedByTheInputThroughTheFlatteningSkipsTheInputGradientAndTheOthersDoNot() {
        FrozenPrefix split = FrozenPrefix.of(fineTuning(0.5, "block2_pool")).orElseThrow();
        ComputationGraphConfiguration conf = split.trainable().getConfiguration();
        assertThat(conf.getNetworkInputs()).containsExactly("block2_pool");
        assertThat(((PreprocessorVertex) conf.getVertices().get("flatten")).getPreProcessor())
                .isInstanceOf(TraineeDense.NoGradientFlatten.class);
        assertThat(List.of("fc1", "head_fc1", "head_fc2")).map(n -> (TraineeDense)
                        ((LayerVertex) conf.getVertices().get(n)).getLayerConf().getLayer())
                .extracting(TraineeDense::inputGradient).containsExactly(false, true, true);
    }

    @Test
    void trainingGivesTheParametersOfDl4jsDenseLayerBitForBit() {
        // dropout on the head's inputs: the kept pre-activation must be the one of the dropped-out input; fc1, fed by
        // the frozen layers through the flattening vertex, returns no input gradient
        trainsLikeDl4jsOwnLayers("block2_pool");
    }

    @Test
    void convolutionLayersThatKeepTheirPreActivationTrainBitForBitLikeDl4jsDefault() {
        // block 2's convolution trains: with the oneDNN helper it keeps its pre-activation (cache mode) for the
        // backward pass; DL4J's default computes it again
        trainsLikeDl4jsOwnLayers("block1_pool");
    }

    private static void trainsLikeDl4jsOwnLayers(String freezeUntil) {
        ComputationGraph whole = fineTuning(0.5, freezeUntil);
        FrozenPrefix split = FrozenPrefix.of(whole).orElseThrow();
        ComputationGraph ours = split.trainable();
        ComputationGraph dl4j = withDl4jLayers(ours, whole);
        INDArray before = ours.params().dup();
        Nd4j.getRandom().setSeed(3);
        INDArray x = whole.output(List.of(split.boundary()), false,
                new INDArray[] {Nd4j.randn(DataType.FLOAT, 6, 16, 16, 3).muli(40)}, null)[0];
        INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
        for (int i = 0; i < 6; i++) {
            y.putScalar(i, i % 3, 1);
        }
        Seeds seeds = Seeds.of(7);
        for (int step = 0; step < 4; step++) {
            seeds.applyToNd4j("batch", 0, step);
            ours.fit(new DataSet(x, y));
            seeds.applyToNd4j("batch", 0, step);
            dl4j.fit(new DataSet(x, y));
            assertThat(ours.score()).as("step %d's loss", step).isEqualTo(dl4j.score());
        }
        assertThat(ours.params().toFloatVector()).isNotEqualTo(before.toFloatVector())
                .containsExactly(dl4j.params().toFloatVector());
        assertThat(ours.getUpdater().getStateViewArray().toFloatVector())
                .containsExactly(dl4j.getUpdater().getStateViewArray().toFloatVector());
    }

    private static ComputationGraph fineTuning(double dropout, String freezeUntil) {
        ComputationGraph backbone = TestBundles.tinyVgg(3, true).build(4);
        return FineTuner.build(backbone, TestBundles.INPUT, freezeUntil, new HeadSpec(null, List.of(8, 6), "relu",
                dropout, false), 3, new OptimizerConfig("adam", 1e-2, 0.9, "constant", 0, 1e-3), 5);
    }

    /** The trainable graph as DL4J's own layers make it: the whole graph's layer configurations, same parameters. */
    private static ComputationGraph withDl4jLayers(ComputationGraph trainee, ComputationGraph whole) {
        ComputationGraphConfiguration conf = trainee.getConfiguration().clone();
        conf.getVertices().forEach((name, v) -> {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof TraineeDense) {
                LayerVertex original = (LayerVertex) whole.getConfiguration().getVertices().get(name);
                lv.getLayerConf().setLayer(original.getLayerConf().getLayer().clone());
                lv.setPreProcessor(original.getPreProcessor() == null ? null : original.getPreProcessor().clone());
            } else if (v instanceof PreprocessorVertex pv) {
                pv.setPreProcessor(((PreprocessorVertex) whole.getConfiguration().getVertices().get(name))
                        .getPreProcessor().clone());
            }
        });
        conf.setCacheMode(CacheMode.NONE);
        ComputationGraph g = new ComputationGraph(conf);
        g.init(trainee.params().dup(), true);
        g.setCacheMode(CacheMode.NONE);
        assertThat(g.getLayer("fc1").conf().getLayer().getClass()).isEqualTo(DenseLayer.class);
        assertThat(((PreprocessorVertex) conf.getVertices().get("flatten")).getPreProcessor().getClass())
                .isEqualTo(CnnToFeedForwardPreProcessor.class);
        return g;
    }
}
