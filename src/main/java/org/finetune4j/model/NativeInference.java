package org.finetune4j.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.finetune4j.core.Backend;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inference through a graph whose first layers are a chain of 2-D convolutions and poolings (every VGG-style
 * network), with that chain run as oneDNN primitives that keep the activations in oneDNN's own blocked layout from
 * the first layer to the last, and the rest of the graph (flatten, dense layers, softmax) run by DL4J.
 *
 * <p>Why: DL4J 1.0.0-M2.1's oneDNN convolution helper hands oneDNN NHWC arrays and lets it pick its layout, so on CPUs
 * without AVX-512 (where oneDNN's convolutions want a blocked layout) every convolution converts its input, its
 * output buffer and its result between the two — 36–45% of a batch-16 VGG16 forward pass in oneDNN. Here the
 * conversions happen once, at the ends of the chain; a ReLU after a convolution is fused into it; and two buffers,
 * reused layer after layer, hold the activations. Same results as {@code graph.outputSingle(false, x)} up to
 * floating-point rounding (a different order of summation; not bit for bit).
 * <pre>{@code
 * NativeInference run = NativeInference.of(graph);   // graph: NHWC VGG16, parameters no longer changing
 * INDArray probabilities = run.output(batch);         // [n, 224, 224, 3] -> [n, 1000]
 * }</pre>
 *
 * <p>The chain's weights are read when a batch size is first seen (and kept in oneDNN's layout for it), so the graph's
 * parameters must not change while this is in use: make a new one after training. One forward pass at a time
 * ({@code output} is synchronized). It runs DL4J alone ({@code graph.outputSingle}) when the backend is not ND4J's
 * CPU one, when oneDNN's library does not load, when the graph does not start with such a chain, when oneDNN
 * rejects a layer for an input size, or when {@value #DISABLE_PROPERTY} is {@code true}.
 */
public final class NativeInference implements AutoCloseable {

    /** System property: {@code true} runs every network through DL4J alone (to compare, or to rule this out). */
    public static final String DISABLE_PROPERTY = "finetune4j.native-inference.disable";

    private static final Logger LOG = LoggerFactory.getLogger(NativeInference.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    /** Plans (primitives for one chunk size and image size) kept: a batch needs at most two, evaluation two more. */
    private static final int PLANS_KEPT = 4;
    /**
     * Most bytes of one layer's activations per buffer: batches run through the chain in chunks of as many images as
     * fit, so the two buffers hold 2 x 64 MiB at most, or one image's largest activation each where that is more
     * (VGG16 at 224 x 224: chunks of up to 5 images; a batch of 16 runs as 4 x 4). oneDNN's convolutions run as fast
     * on 4 images as on 16 (measured: 0.14 s per image either way).
     */
    private static final long BUFFER_BUDGET = 64L << 20;
    private static volatile Boolean available;

    private final ComputationGraph graph;
    private final List<Step> chain;
    private final ComputationGraph rest;
    private final CNN2DFormat format;
    private final long bufferBudget;
    private final Map<List<Long>, Plan> plans = new LinkedHashMap<>(4, 0.75f, true);
    private engine cpu;
    private stream queue;
    private final memory[] buffers = new memory[2];
    private final long[] bufferBytes = new long[2];
    /** Each convolution's weights and bias in the layouts its primitives asked for, shared by every plan. */
    private final Map<String, List<memory>> weights = new LinkedHashMap<>();
    private final Map<String, memory> biases = new LinkedHashMap<>();

    /** One layer of the chain, as its configuration says. */
    private record Step(String name, Layer layer, INDArray weights, INDArray bias, dnnl.algorithm eltwise,
                        float alpha) {
    }

    private NativeInference(ComputationGraph graph, List<Step> chain, ComputationGraph rest, CNN2DFormat format,
                            long bufferBudget) {
        this.graph = graph;
        this.chain = chain;
        this.rest = rest;
        this.format = format;
        this.bufferBudget = bufferBudget;
    }

    /**
     * @param graph a graph with one input and one output, whose parameters no longer change
     * @return inference through it: its leading convolutions and poolings natively where possible, else DL4J
     */
    public static NativeInference of(ComputationGraph graph) {
        return of(graph, BUFFER_BUDGET);
    }

    /** @param bufferBudget most bytes of one layer's activations per buffer (tests: small, to run in chunks) */
    static NativeInference of(ComputationGraph graph, long bufferBudget) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (!available() || conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            return new NativeInference(graph, List.of(), null, null, bufferBudget);
        }
        List<Step> chain = chain(graph);
        if (chain.isEmpty()) {
            return new NativeInference(graph, List.of(), null, null, bufferBudget);
        }
        CNN2DFormat format = formatOf(chain.get(0).layer());
        String last = chain.get(chain.size() - 1).name();
        ComputationGraph rest = conf.getNetworkOutputs().get(0).equals(last) ? null : rest(graph, chain);
        return new NativeInference(graph, chain, rest, format, bufferBudget);
    }

    /**
     * @return whether the chain can run natively here: ND4J's CPU backend, oneDNN's library loads, and
     *         {@value #DISABLE_PROPERTY} is not {@code true}
     */
    public static boolean available() {
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            return false;
        }
        Boolean a = available;
        if (a == null) {
            synchronized (NativeInference.class) {
                if (available == null) {
                    available = load();
                }
                a = available;
            }
        }
        return a;
    }

    private static boolean load() {
        if (!Backend.cpuBackendPresent()) {
            return false;
        }
        try {
            new engine(engine.kind.cpu, 0).close();
            return true;
        } catch (Throwable e) {   // UnsatisfiedLinkError, a missing natives jar: fall back to DL4J, once said
            if (WARNED.compareAndSet(false, true)) {
                LOG.warn("oneDNN's library did not load ({}); networks run through DL4J alone", e.toString());
            }
            return false;
        }
    }

    /** @return how many of the graph's layers run natively (0: the whole graph runs through DL4J) */
    public int nativeLayers() {
        return chain.size();
    }

    /** @return the graph this runs */
    public ComputationGraph graph() {
        return graph;
    }

    /**
     * The graph's output for a batch, in inference mode: what {@code graph.outputSingle(false, input)} returns, up to
     * floating-point rounding.
     *
     * @param input a batch in the graph's input layout ({@code [n, h, w, c]} for NHWC networks)
     * @return the output, detached from any workspace
     */
    public synchronized INDArray output(INDArray input) {
        if (chain.isEmpty() || input.rank() != 4 || input.size(0) == 0) {
            return graph.outputSingle(false, input);
        }
        long[] shape = input.shape();
        long n = shape[0];
        long chunk;
        try {
            chunk = chunk(shape);
        } catch (IllegalArgumentException e) {   // an image too small for a window: DL4J says so in its terms
            return graph.outputSingle(false, input);
        }
        long chunks = (n + chunk - 1) / chunk;
        long size = (n + chunks - 1) / chunks;   // equal chunks but the last: 16 images as 4 x 4, not 5 + 5 + 5 + 1
        Plan full = plan(size, shape);
        Plan last = n % size == 0 ? full : plan(n % size, shape);
        if (full == null || last == null) {
            return graph.outputSingle(false, input);
        }
        INDArray boundary;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray x = input.dataType() == DataType.FLOAT && input.ordering() == 'c' && !input.isView()
                    ? input : input.castTo(DataType.FLOAT).dup('c');
            long[] outShape = full.outShape.clone();
            outShape[0] = n;
            boundary = Nd4j.createUninitialized(DataType.FLOAT, outShape);
            long inBytes = x.length() / n * Float.BYTES;
            long outBytes = boundary.length() / n * Float.BYTES;
            for (long from = 0; from < n; from += size) {
                (n - from < size ? last : full).run(x, from * inBytes, boundary, from * outBytes);
            }
        }
        return rest == null ? boundary : rest.outputSingle(false, boundary);
    }

    /** @return how many images of this batch shape run through the chain at once (see {@link #BUFFER_BUDGET}) */
    private long chunk(long[] shape) {
        boolean nhwc = format == CNN2DFormat.NHWC;
        long c = nhwc ? shape[3] : shape[1];
        long h = nhwc ? shape[1] : shape[2];
        long w = nhwc ? shape[2] : shape[3];
        long largest = c * h * w;
        for (Step s : chain) {
            long[][] g;
            if (s.layer() instanceof ConvolutionLayer conf) {
                g = geometry(conf.getConvolutionMode(), h, w, conf.getKernelSize(), conf.getStride(),
                        conf.getPadding(), conf.getDilation());
                c = conf.getNOut();
            } else {
                SubsamplingLayer conf = (SubsamplingLayer) s.layer();
                g = geometry(conf.getConvolutionMode(), h, w, conf.getKernelSize(), conf.getStride(),
                        conf.getPadding(), new int[] {1, 1});
            }
            h = g[0][0];
            w = g[0][1];
            largest = Math.max(largest, c * h * w);
        }
        return Math.max(1, Math.min(shape[0], bufferBudget / (largest * Float.BYTES)));
    }

    /** @return the plan for chunks of {@code n} images of this shape, made on first use; null when oneDNN cannot */
    private Plan plan(long n, long[] batchShape) {
        long[] shape = batchShape.clone();
        shape[0] = n;
        List<Long> key = List.of(shape[0], shape[1], shape[2], shape[3]);
        if (plans.containsKey(key)) {
            return plans.get(key);
        }
        if (cpu == null) {
            cpu = new engine(engine.kind.cpu, 0);
            queue = new stream(cpu);
        }
        Plan plan;
        try {
            plan = new Plan(shape);
        } catch (RuntimeException e) {   // dnnl::error: a size or setting oneDNN does not support
            LOG.debug("oneDNN cannot run the first {} layers on input {}: {}; DL4J runs them", chain.size(), key,
                    e.getMessage());
            plan = null;
        }
        plans.put(key, plan);
        while (plans.size() > PLANS_KEPT) {
            var eldest = plans.entrySet().iterator().next();
            if (eldest.getValue() != null) {
                eldest.getValue().close();
            }
            plans.remove(eldest.getKey());
        }
        return plan;
    }

    /**
     * Frees the native primitives, weights and buffers now (the garbage collector frees them otherwise); a later
     * {@link #output} makes them again.
     */
    @Override
    public synchronized void close() {
        plans.values().forEach(p -> {
            if (p != null) {
                p.close();
            }
        });
        plans.clear();
        weights.values().forEach(list -> list.forEach(memory::close));
        weights.clear();
        biases.values().forEach(memory::close);
        biases.clear();
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] != null) {
                buffers[i].close();
                buffers[i] = null;
                bufferBytes[i] = 0;
            }
        }
    }

    // ---- the chain ------------------------------------------------------------------------------------------------

    /** @return the graph's leading layers that can run natively, in order (empty when the first one cannot) */
    private static List<Step> chain(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, List<String>> consumers = new LinkedHashMap<>();
        conf.getVertexInputs().forEach((v, ins) -> ins.forEach(in ->
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(v)));
        List<Step> chain = new ArrayList<>();
        String from = conf.getNetworkInputs().get(0);
        CNN2DFormat format = null;
        while (true) {
            List<String> next = consumers.getOrDefault(from, List.of());
            if (next.size() != 1 || conf.getNetworkOutputs().contains(from) && !chain.isEmpty()) {
                break;
            }
            String name = next.get(0);
            GraphVertex v = conf.getVertices().get(name);
            if (v instanceof FrozenVertex f) {
                v = f.getUnderlying();
            }
            if (!(v instanceof LayerVertex lv) || lv.getPreProcessor() != null
                    || conf.getVertexInputs().get(name).size() != 1) {
                break;
            }
            Layer layer = Layout.unwrap(lv.getLayerConf().getLayer());
            Step step = step(graph, name, layer);
            if (step == null || format != null && formatOf(layer) != format) {
                break;
            }
            format = formatOf(layer);
            chain.add(step);
            from = name;
        }
        // a chain of poolings alone is not worth a trip through oneDNN
        return chain.stream().anyMatch(s -> s.layer() instanceof ConvolutionLayer) ? chain : List.of();
    }

    private static Step step(ComputationGraph graph, String name, Layer layer) {
        if (layer.getClass() == ConvolutionLayer.class) {
            ConvolutionLayer c = (ConvolutionLayer) layer;
            if (c.getConvolutionMode() == ConvolutionMode.Causal || c.getKernelSize().length != 2) {
                return null;
            }
            IActivation a = c.getActivationFn();
            dnnl.algorithm eltwise;
            float alpha = 0;
            if (a instanceof ActivationIdentity) {
                eltwise = null;
            } else if (a instanceof ActivationReLU r && r.getMax() == null && isZero(r.getThreshold())
                    && isZero(r.getNegativeSlope())) {
                eltwise = dnnl.algorithm.eltwise_relu;
            } else if (a instanceof ActivationLReLU l) {
                eltwise = dnnl.algorithm.eltwise_relu;
                alpha = (float) l.getAlpha();
            } else {
                return null;
            }
            org.deeplearning4j.nn.api.Layer live = graph.getLayer(name);
            INDArray w = live.getParam("W");
            INDArray b = c.hasBias() ? live.getParam("b") : null;
            if (w == null || w.dataType() != DataType.FLOAT) {
                return null;
            }
            return new Step(name, layer, w, b, eltwise, alpha);
        }
        if (layer.getClass() == SubsamplingLayer.class) {
            SubsamplingLayer s = (SubsamplingLayer) layer;
            boolean pooling = s.getPoolingType() == PoolingType.MAX || s.getPoolingType() == PoolingType.AVG;
            if (!pooling || s.getConvolutionMode() == ConvolutionMode.Causal || s.getKernelSize().length != 2
                    || s.getDilation()[0] != 1 || s.getDilation()[1] != 1) {
                return null;
            }
            return new Step(name, layer, null, null, null, 0);
        }
        return null;
    }

    private static boolean isZero(Double d) {
        return d == null || d == 0.0;
    }

    private static CNN2DFormat formatOf(Layer layer) {
        return layer instanceof ConvolutionLayer c ? c.getCnn2dDataFormat()
                : ((SubsamplingLayer) layer).getCnn2dDataFormat();
    }

    /** @return the layers after the chain, as a graph whose input is the chain's last layer (parameters shared) */
    private static ComputationGraph rest(ComputationGraph graph, List<Step> chain) {
        ComputationGraph rest = new ComputationGraph(GraphTail.configuration(graph,
                chain.stream().map(Step::name).toList(), chain.get(chain.size() - 1).name()));
        GraphTail.init(rest, graph);
        return rest;
    }

    // ---- one batch shape --------------------------------------------------------------------------------------------

    /** Where a primitive reads or writes: the caller's input, one of the two buffers, or the caller's output. */
    private static final int INPUT = -1;
    private static final int OUTPUT = -2;

    /** A primitive and the memories it uses; {@code src} and {@code dst} get their data handles per call. */
    private static final class Exec {
        final primitive primitive;
        final memory src;
        final memory dst;
        final int srcSlot;
        int dstSlot;
        final IntMemoryMap args = new IntMemoryMap();

        Exec(primitive primitive, memory src, int srcSlot, memory dst, int dstSlot, int srcArg, int dstArg) {
            this.primitive = primitive;
            this.src = src;
            this.dst = dst;
            this.srcSlot = srcSlot;
            this.dstSlot = dstSlot;
            args.put(srcArg, src);
            args.put(dstArg, dst);
        }
    }

    private final class Plan {
        final long[] outShape;
        final List<Exec> execs = new ArrayList<>();
        final long[] needed = new long[2];

        Plan(long[] shape) {
            boolean nhwc = format == CNN2DFormat.NHWC;
            long n = shape[0];
            long c = nhwc ? shape[3] : shape[1];
            long h = nhwc ? shape[1] : shape[2];
            long w = nhwc ? shape[2] : shape[3];
            memory.format_tag userTag = nhwc ? memory.format_tag.nhwc : memory.format_tag.nchw;
            memory.desc cur = new memory.desc(new long[] {n, c, h, w}, memory.data_type.f32, userTag);
            int slot = INPUT;
            for (Step s : chain) {
                if (s.layer() instanceof ConvolutionLayer conf) {
                    if (conf.getNIn() != c) {
                        throw new IllegalArgumentException(s.name() + " takes " + conf.getNIn() + " channels, got "
                                + c);
                    }
                    long oc = conf.getNOut();
                    long[][] geometry = geometry(conf.getConvolutionMode(), h, w, conf.getKernelSize(),
                            conf.getStride(), conf.getPadding(), conf.getDilation());
                    long oh = geometry[0][0];
                    long ow = geometry[0][1];
                    memory.desc src = new memory.desc(new long[] {n, c, h, w}, memory.data_type.f32,
                            memory.format_tag.any);
                    memory.desc wd = new memory.desc(new long[] {oc, c, conf.getKernelSize()[0],
                            conf.getKernelSize()[1]}, memory.data_type.f32, memory.format_tag.any);
                    memory.desc bd = new memory.desc(new long[] {oc}, memory.data_type.f32, memory.format_tag.x);
                    memory.desc dd = new memory.desc(new long[] {n, oc, oh, ow}, memory.data_type.f32,
                            memory.format_tag.any);
                    long[] dilation = {conf.getDilation()[0] - 1, conf.getDilation()[1] - 1};
                    convolution_forward.desc cd = s.bias() != null
                            ? new convolution_forward.desc(dnnl.prop_kind.forward_inference,
                                    dnnl.algorithm.convolution_direct, src, wd, bd, dd, toLong(conf.getStride()),
                                    dilation, geometry[1], geometry[2])
                            : new convolution_forward.desc(dnnl.prop_kind.forward_inference,
                                    dnnl.algorithm.convolution_direct, src, wd, dd, toLong(conf.getStride()),
                                    dilation, geometry[1], geometry[2]);
                    primitive_attr attr = new primitive_attr();
                    if (s.eltwise() != null) {
                        post_ops ops = new post_ops();
                        ops.append_eltwise(1f, s.eltwise(), s.alpha(), 0f);
                        attr.set_post_ops(ops);
                    }
                    convolution_forward.primitive_desc pd = new convolution_forward.primitive_desc(cd, attr, cpu);
                    slot = reorderTo(cur, slot, pd.src_desc());
                    cur = pd.src_desc();
                    int out = other(slot);
                    Exec e = new Exec(new convolution_forward(pd), slotMemory(cur, slot), slot,
                            slotMemory(pd.dst_desc(), out), out, dnnl.DNNL_ARG_SRC, dnnl.DNNL_ARG_DST);
                    e.args.put(dnnl.DNNL_ARG_WEIGHTS, weightsFor(s, pd.weights_desc(),
                            new long[] {oc, c, conf.getKernelSize()[0], conf.getKernelSize()[1]}));
                    if (s.bias() != null) {
                        e.args.put(dnnl.DNNL_ARG_BIAS, biases.computeIfAbsent(s.name(), k -> {
                            memory bias = new memory(bd, cpu);
                            copyInto(s.bias(), bias, oc);
                            return bias;
                        }));
                    }
                    execs.add(e);
                    need(out, pd.dst_desc());
                    cur = pd.dst_desc();
                    slot = out;
                    c = oc;
                    h = oh;
                    w = ow;
                } else {
                    SubsamplingLayer conf = (SubsamplingLayer) s.layer();
                    long[][] geometry = geometry(conf.getConvolutionMode(), h, w, conf.getKernelSize(),
                            conf.getStride(), conf.getPadding(), new int[] {1, 1});
                    long oh = geometry[0][0];
                    long ow = geometry[0][1];
                    dnnl.algorithm alg = conf.getPoolingType() == PoolingType.MAX ? dnnl.algorithm.pooling_max
                            : conf.isAvgPoolIncludePadInDivisor() ? dnnl.algorithm.pooling_avg_include_padding
                            : dnnl.algorithm.pooling_avg_exclude_padding;
                    memory.desc dd = new memory.desc(new long[] {n, c, oh, ow}, memory.data_type.f32,
                            memory.format_tag.any);
                    pooling_forward.desc pd0 = new pooling_forward.desc(dnnl.prop_kind.forward_inference, alg, cur,
                            dd, toLong(conf.getStride()), toLong(conf.getKernelSize()), geometry[1], geometry[2]);
                    pooling_forward.primitive_desc pd = new pooling_forward.primitive_desc(pd0, cpu);
                    int out = other(slot);
                    execs.add(new Exec(new pooling_forward(pd), slotMemory(cur, slot), slot,
                            slotMemory(pd.dst_desc(), out), out, dnnl.DNNL_ARG_SRC, dnnl.DNNL_ARG_DST));
                    need(out, pd.dst_desc());
                    cur = pd.dst_desc();
                    slot = out;
                    h = oh;
                    w = ow;
                }
            }
            memory.desc user = new memory.desc(new long[] {n, c, h, w}, memory.data_type.f32, userTag);
            if (cur.equals(user) && slot != INPUT) {
                execs.get(execs.size() - 1).dstSlot = OUTPUT;   // the last layer writes the caller's array
            } else {
                execs.add(new Exec(new reorder(slotMemory(cur, slot), slotMemory(user, OUTPUT)),
                        slotMemory(cur, slot), slot, slotMemory(user, OUTPUT), OUTPUT, dnnl.DNNL_ARG_FROM,
                        dnnl.DNNL_ARG_TO));
            }
            outShape = nhwc ? new long[] {n, h, w, c} : new long[] {n, c, h, w};
        }

        /** Converts the activations to {@code wanted} when they are in another layout. @return their slot */
        private int reorderTo(memory.desc cur, int slot, memory.desc wanted) {
            if (cur.equals(wanted)) {
                return slot;
            }
            int out = other(slot);
            memory from = slotMemory(cur, slot);
            memory to = slotMemory(wanted, out);
            execs.add(new Exec(new reorder(from, to), from, slot, to, out, dnnl.DNNL_ARG_FROM, dnnl.DNNL_ARG_TO));
            need(out, wanted);
            return out;
        }

        private int other(int slot) {
            return slot == 0 ? 1 : 0;
        }

        private void need(int slot, memory.desc desc) {
            needed[slot] = Math.max(needed[slot], desc.get_size());
        }

        private memory slotMemory(memory.desc desc, int slot) {
            return new memory(desc, cpu, new Pointer());
        }

        /** Runs the chain on the images at byte offset {@code inAt} of {@code input} into {@code outAt} of output. */
        void run(INDArray input, long inAt, INDArray output, long outAt) {
            for (int i = 0; i < 2; i++) {
                if (bufferBytes[i] < needed[i]) {
                    if (buffers[i] != null) {
                        buffers[i].close();
                    }
                    buffers[i] = new memory(new memory.desc(new long[] {needed[i]}, memory.data_type.u8,
                            memory.format_tag.a), cpu);
                    bufferBytes[i] = needed[i];
                }
            }
            try (PointerScope scope = new PointerScope()) {
                Pointer in = new BytePointer(input.data().addressPointer()).position(inAt);
                Pointer out = new BytePointer(output.data().addressPointer()).position(outAt);
                for (Exec e : execs) {
                    e.src.set_data_handle(handle(e.srcSlot, in, out));
                    e.dst.set_data_handle(handle(e.dstSlot, in, out));
                    e.primitive.execute(queue, e.args);
                }
                queue._wait();
            }
        }

        private Pointer handle(int slot, Pointer in, Pointer out) {
            return slot == INPUT ? in : slot == OUTPUT ? out : buffers[slot].get_data_handle();
        }

        void close() {
            for (Exec e : execs) {
                e.args.close();
                e.src.close();
                e.dst.close();
                e.primitive.close();
            }
            execs.clear();
        }
    }

    /**
     * Output size and padding of a convolution or pooling window, as DL4J computes them.
     *
     * @return {@code {{outH, outW}, {padTop, padLeft}, {padBottom, padRight}}}
     */
    static long[][] geometry(ConvolutionMode mode, long h, long w, int[] kernel, int[] stride, int[] padding,
                             int[] dilation) {
        long[] in = {h, w};
        long[][] g = new long[3][2];
        for (int d = 0; d < 2; d++) {
            long k = (long) (kernel[d] - 1) * dilation[d] + 1;
            long out;
            long before;
            if (mode == ConvolutionMode.Same) {
                out = (in[d] + stride[d] - 1) / stride[d];
                long total = Math.max(0, (out - 1) * stride[d] + k - in[d]);
                before = total / 2;
            } else {
                out = (in[d] + 2L * padding[d] - k) / stride[d] + 1;
                before = padding[d];
            }
            if (out < 1) {
                throw new IllegalArgumentException("window " + k + " larger than input " + in[d]);
            }
            g[0][d] = out;
            g[1][d] = before;
            g[2][d] = (out - 1) * stride[d] + k - in[d] - before;   // may be below the configured padding (truncate)
        }
        return g;
    }

    private static long[] toLong(int[] a) {
        return new long[] {a[0], a[1]};
    }

    /** @return the step's weights in {@code layout}, converted from DL4J's on first use and shared by every plan */
    private memory weightsFor(Step s, memory.desc layout, long[] dims) {
        List<memory> kept = weights.computeIfAbsent(s.name(), k -> new ArrayList<>());
        for (memory m : kept) {
            if (m.get_desc().equals(layout)) {
                return m;
            }
        }
        memory m = new memory(layout, cpu);
        reorderWeights(s.weights(), dims, m);
        kept.add(m);
        return m;
    }

    private void reorderWeights(INDArray weights, long[] dims, memory into) {
        INDArray w = weights.dup('c');
        try (memory user = new memory(new memory.desc(dims, memory.data_type.f32, memory.format_tag.oihw), cpu,
                w.data().addressPointer()); reorder r = new reorder(user, into);
             IntMemoryMap args = new IntMemoryMap()) {
            args.put(dnnl.DNNL_ARG_FROM, user);
            args.put(dnnl.DNNL_ARG_TO, into);
            r.execute(queue, args);
            queue._wait();
        }
        w.close();
    }

    private static void copyInto(INDArray values, memory into, long count) {
        float[] v = values.reshape(count).toFloatVector();
        new org.bytedeco.javacpp.FloatPointer(into.get_data_handle()).capacity(count).put(v);
    }
}
