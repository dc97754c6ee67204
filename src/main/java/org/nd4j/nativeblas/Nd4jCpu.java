package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility shim that lets DL4J 1.0.0-M2.1 find out whether oneDNN may be used, so that its CPU layer helpers
 * (oneDNN convolution, pooling, batch normalization and LRN) can switch on.
 *
 * <p>Why it exists: in M2.1, {@code org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled()} loads the
 * class {@code org.nd4j.nativeblas.Nd4jCpu$Environment} by name, calls its static {@code getInstance()} and then
 * {@code isUseMKLDNN()} on the result. ND4J M2.1 no longer ships that class: its binding moved to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} and the method was renamed
 * {@code isUseONEDNN()}. The lookup therefore fails, DL4J remembers the failure for the life of the JVM, and every
 * convolution falls back to the slower im2col + GEMM path in Java, even with the oneDNN build of nd4j-native. This
 * class supplies the old name and forwards to the new one; the project notes on DL4J (section "The ten facts",
 * item on layer helpers) describe the measurement that motivated it. DL4J only consults it when the helpers are
 * switched on, which {@code org.finetune4j.core.Backend.setUp()} does.
 *
 * <p>The forwarding uses reflection so that the project compiles and runs without the CPU backend (for instance
 * with the CUDA backend, where DL4J never asks); when the CPU binding is absent or fails, the answer is
 * {@code false}, which simply keeps DL4J's built-in layer code.
 *
 * <p>The class lives in ND4J's package {@code org.nd4j.nativeblas} because DL4J looks it up by that exact name; this
 * works on the class path only (the ND4J jars declare Java modules, and a split package is refused on the module
 * path). No {@code package-info} is added here, because the package belongs to ND4J.
 * <pre>{@code
 * boolean oneDnn = org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN();
 * }</pre>
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /**
     * The old name of ND4J's native CPU environment, reduced to the single question DL4J asks of it.
     */
    public static final class Environment {

        /** The M2.1 binding that answers the question. */
        static final String BINDING_CLASS = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        /**
         * Returns the single instance, as DL4J expects of the native environment.
         *
         * @return the shared instance; never {@code null}
         */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /**
         * Whether libnd4j allows its oneDNN code paths; forwards to {@code isUseONEDNN()} of the M2.1 binding.
         *
         * <p>Note that libnd4j answers {@code true} by default even when it was built without oneDNN (the plain
         * {@code linux-x86_64} build); DL4J's helpers then call libnd4j's own convolution and pooling kernels instead,
         * which still replaces the Java im2col path.
         *
         * @return {@code true} if the CPU backend is loaded and allows oneDNN; {@code false} otherwise, including when
         *     the CPU backend is not on the class path
         */
        public boolean isUseMKLDNN() {
            return Binding.useOneDnn();
        }
    }

    /** Resolves the M2.1 binding on first use, so that merely loading this class never loads native code. */
    private static final class Binding {

        private static final Method GET_INSTANCE;
        private static final Method IS_USE_ONEDNN;

        static {
            Method getInstance = null;
            Method isUseOneDnn = null;
            try {
                Class<?> binding = Class.forName(Environment.BINDING_CLASS, true, Nd4jCpu.class.getClassLoader());
                getInstance = binding.getMethod("getInstance");
                isUseOneDnn = binding.getMethod("isUseONEDNN");
            } catch (ReflectiveOperationException | LinkageError e) {
                // No CPU backend on the class path (e.g. CUDA only) or its natives failed to load: answer false.
            }
            GET_INSTANCE = getInstance;
            IS_USE_ONEDNN = isUseOneDnn;
        }

        private Binding() {
        }

        static boolean useOneDnn() {
            if (GET_INSTANCE == null) {
                return false;
            }
            try {
                Object environment = GET_INSTANCE.invoke(null);
                return environment != null && (boolean) IS_USE_ONEDNN.invoke(environment);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }
    }
}
