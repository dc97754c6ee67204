package org.finetune4j.core;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.bytedeco.javacpp.Loader;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Sets up the ND4J/DL4J backend the way finetune4j wants it and reports what is actually in use.
 *
 * <p>DL4J 1.0.0-M2.1 switches its layer helpers (oneDNN on CPU, cuDNN on GPU) off unless the system property
 * {@value #HELPERS_DISABLE_PROPERTY} is {@code false}, and on CPU they also need the compatibility class
 * {@link org.nd4j.nativeblas.Nd4jCpu} that ships with finetune4j. With both, convolution, pooling and batch
 * normalization run in oneDNN instead of DL4J's Java im2col + GEMM path: VGG16 forward at 224 x 224, batch 8, on 2
 * shared cores went from a median 0.7 to 4.0 img/s ({@code org.finetune4j.bench.BackendBench}). {@link #setUp()}
 * turns the helpers on unless the user decided otherwise:
 * <pre>{@code
 * Backend.setUp();                                    // first thing in main() and in tests
 * System.err.println(Backend.describe().summary());   // "CPU linux-x86_64-onednn (oneDNN), 2 threads, ..."
 * }</pre>
 * To compare with DL4J's built-in layer code, run with {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true}
 * ({@code setUp()} never overrides a value the user set), or build one network inside
 * {@link #withHelpers(boolean, Supplier)}.
 *
 * <p>DL4J decides per layer, when the layer object is created (network {@code init()}, {@code clone()},
 * {@code TransferLearning...build()}, model restore), whether it gets a helper; it reads the property at that moment,
 * not once per JVM. Changing the property later does not affect layers that already exist.
 *
 * <p>Which native build loads: with the {@code linux-x86_64-onednn} natives jar and the plain {@code linux-x86_64}
 * jar both on the class path (the plain one always arrives transitively), JavaCPP tries the {@code -onednn}
 * directory before the plain one, so the oneDNN build loads without any flag. To force the plain build, start the
 * JVM with an empty {@code -Dorg.bytedeco.javacpp.platform.extension=}; {@link Status#nativeBuild()} shows which
 * one loaded.
 */
public final class Backend {

    /** DL4J's switch for layer helpers; DL4J treats a missing value as {@code "true"} (helpers off). */
    public static final String HELPERS_DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    private static final AtomicBoolean SET_UP = new AtomicBoolean();

    private Backend() {
    }

    /**
     * Switches DL4J's layer helpers on, unless the user already set {@value #HELPERS_DISABLE_PROPERTY} or the
     * backend is CUDA (see {@link #cpuBackendPresent()}).
     *
     * <p>Idempotent and cheap: it only sets system properties and does not load ND4J, so it can run before anything
     * else. Call it before the first network is created; layers created earlier keep DL4J's default (no helpers).
     */
    public static void setUp() {
        if (SET_UP.compareAndSet(false, true)) {
            applyDefaults(System.getProperties());
        }
    }

    /**
     * Applies finetune4j's backend defaults to a property set; {@link #setUp()} applies them to the system properties.
     *
     * @param properties the properties to complete; values already present are kept
     */
    static void applyDefaults(Properties properties) {
        applyDefaults(properties, cpuBackendPresent());
    }

    /**
     * @param cpu whether ND4J's CPU backend is the one on the class path; only there do helpers exist in M2.1
     *            (DL4J's cuDNN helpers lived in a {@code deeplearning4j-cuda} module that has no M2.1 release, so on
     *            CUDA switching them on only makes DL4J log three warnings per layer and fall back to its own code)
     */
    static void applyDefaults(Properties properties, boolean cpu) {
        if (cpu && properties.getProperty(HELPERS_DISABLE_PROPERTY) == null) {
            properties.setProperty(HELPERS_DISABLE_PROPERTY, "false");
        }
    }

    /**
     * Whether ND4J's CPU backend ({@code nd4j-native}) is on the class path rather than the CUDA one (the build
     * profile {@code cuda}); decided from the classes present, without loading ND4J.
     *
     * @return {@code true} for the CPU backend
     */
    public static boolean cpuBackendPresent() {
        return classPresent("org.nd4j.linalg.cpu.nativecpu.CpuBackend")
                && !classPresent("org.nd4j.linalg.jcublas.JCublasBackend");
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, Backend.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Whether layers created from now on may get a helper, i.e. whether {@value #HELPERS_DISABLE_PROPERTY} is
     * {@code false}; whether they do also depends on the backend (see {@link Status#helpersActive()}).
     *
     * @return {@code true} if helpers are allowed by the system property
     */
    public static boolean helpersEnabled() {
        return !Boolean.parseBoolean(System.getProperty(HELPERS_DISABLE_PROPERTY, "true"));
    }

    /**
     * Runs {@code builder} with DL4J's layer helpers switched on or off, then restores the previous setting.
     *
     * <p>Meant for comparisons (tests, benchmarks): the layers created inside keep the choice for their lifetime. The
     * property is process-wide, so do not create networks on other threads meanwhile.
     *
     * @param enabled {@code true} to allow helpers, {@code false} for DL4J's built-in layer code
     * @param builder creates the network(s), e.g. {@code () -> { net.init(); return net; }}
     * @param <T>     what the builder returns
     * @return the builder's result
     */
    public static synchronized <T> T withHelpers(boolean enabled, Supplier<T> builder) {
        String previous = System.getProperty(HELPERS_DISABLE_PROPERTY);
        System.setProperty(HELPERS_DISABLE_PROPERTY, Boolean.toString(!enabled));
        try {
            return builder.get();
        } finally {
            if (previous == null) {
                System.clearProperty(HELPERS_DISABLE_PROPERTY);
            } else {
                System.setProperty(HELPERS_DISABLE_PROPERTY, previous);
            }
        }
    }

    /**
     * Reports the backend in use; loads ND4J if it is not loaded yet.
     *
     * <p>To tell whether helpers are really active, it creates one tiny convolution, pooling and batch-normalization
     * layer (no parameters are initialised and no random numbers are drawn) and asks each for its helper, exactly as
     * a network's layers would.
     *
     * @return the backend name, native build, threads and the helper each probed layer type gets
     */
    public static Status describe() {
        Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
        String backend = String.valueOf(info.getOrDefault("backend", "unknown"));
        int threads = Integer.parseInt(String.valueOf(info.getOrDefault("omp.threads", "0")));
        String buildInfo = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        boolean oneDnn = buildInfo != null && buildInfo.contains("HAVE_ONEDNN");

        Map<String, String> helpers = new LinkedHashMap<>();
        helpers.put("convolution", helperName(new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(1).build()));
        helpers.put("subsampling", helperName(new SubsamplingLayer.Builder(2, 2).build()));
        helpers.put("batch-normalization", helperName(new BatchNormalization.Builder().nIn(1).nOut(1).build()));
        return new Status(backend, nativeBuild(), oneDnn, threads, helpersEnabled(),
                Collections.unmodifiableMap(helpers));
    }

    /**
     * The directory name the libnd4j library was loaded from, which is the natives jar classifier, e.g.
     * {@code linux-x86_64-onednn}; {@code "unknown"} if it was not loaded by JavaCPP from a natives jar.
     */
    private static String nativeBuild() {
        String platform = Loader.getPlatform();
        for (Map.Entry<String, String> library : Loader.getLoadedLibraries().entrySet()) {
            String name = library.getKey();
            if ((name.equals("nd4jcpu") || name.equals("nd4jcuda")) && library.getValue() != null) {
                Path parent = Path.of(library.getValue()).getParent();
                String directory = parent == null || parent.getFileName() == null
                        ? "" : parent.getFileName().toString();
                if (directory.startsWith(platform)) {
                    return directory;
                }
            }
        }
        return "unknown";
    }

    /** Creates the layer as a network would (helper chosen in its constructor) and names the helper it got. */
    private static String helperName(org.deeplearning4j.nn.conf.layers.Layer layerConf) {
        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().layer(layerConf).build();
        long numParams = layerConf.initializer().numParams(conf);
        INDArray paramsView = numParams == 0 ? null : Nd4j.zeros(DataType.FLOAT, 1, numParams);
        Layer layer = layerConf.instantiate(conf, Collections.emptyList(), 0, paramsView, false, DataType.FLOAT);
        LayerHelper helper = layer.getHelper();
        return helper == null ? "none" : helper.getClass().getSimpleName();
    }

    /**
     * What the backend is and whether DL4J's layer helpers are in use.
     *
     * @param backend        ND4J backend, {@code CPU} or {@code CUDA}
     * @param nativeBuild    natives classifier that was loaded, e.g. {@code linux-x86_64-onednn} or
     *                       {@code linux-x86_64}; {@code unknown} if not found
     * @param oneDnnCompiled whether libnd4j was built with oneDNN ({@code HAVE_ONEDNN} in its build information)
     * @param threads        OpenMP threads ND4J uses for linear algebra
     * @param helpersEnabled whether the system property allows layer helpers
     * @param helpers        layer type ({@code convolution}, {@code subsampling}, {@code batch-normalization}) to the
     *                       simple class name of the helper that layer type gets, or {@code none}
     */
    public record Status(String backend, String nativeBuild, boolean oneDnnCompiled, int threads,
                         boolean helpersEnabled, Map<String, String> helpers) {

        /**
         * Whether every probed layer type got one of DL4J's oneDNN helpers.
         *
         * @return {@code true} if convolution, subsampling and batch normalization all use oneDNN helpers
         */
        public boolean helpersActive() {
            // without oneDNN in libnd4j the layers still get the MKLDNN helper objects, which then decline every
            // call, so the layers run DL4J's own code
            return oneDnnCompiled && !helpers.isEmpty() && helpers.values().stream().allMatch(Status::isOneDnnHelper);
        }

        /**
         * One line for logs and run reports, e.g.
         * {@code CPU linux-x86_64-onednn (oneDNN), 2 threads, layer helpers on: convolution=MKLDNNConvHelper, ...}.
         *
         * @return a human-readable summary
         */
        public String summary() {
            StringBuilder line = new StringBuilder()
                    .append(backend).append(' ').append(nativeBuild)
                    .append(oneDnnCompiled ? " (oneDNN)" : " (no oneDNN)")
                    .append(", ").append(threads).append(" threads, layer helpers ")
                    .append(helpersEnabled ? "on" : "off");
            String separator = ": ";
            for (Map.Entry<String, String> helper : helpers.entrySet()) {
                line.append(separator).append(helper.getKey()).append('=').append(helper.getValue());
                if (!oneDnnCompiled && isOneDnnHelper(helper.getValue())) {
                    line.append(" (inactive: no oneDNN in this build)");
                }
                separator = ", ";
            }
            return line.toString();
        }

        private static boolean isOneDnnHelper(String simpleName) {
            // DL4J's oneDNN helpers kept their MKL-DNN names: MKLDNNConvHelper, MKLDNNSubsamplingHelper, ...
            return simpleName.startsWith("MKLDNN");
        }
    }
}
