package org.finetune4j.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What oneDNN ran in one child of {@link PerfBench}: its verbose log ({@code DNNL_VERBOSE=1}; ND4J's oneDNN 2.3
 * prefixes lines {@code dnnl_verbose,}, PyTorch's 2.6 {@code onednn_verbose,}) counted by primitive and
 * implementation, with the share of oneDNN's reported time spent in reorders (layout conversions, which are not
 * arithmetic: on an AVX2-only CPU DL4J's convolution helper converts every convolution's input and output between
 * NHWC and oneDNN's blocked layout, on AVX-512 it does not).
 *
 * @param kernels "primitive implementation" → [count, milliseconds]
 * @param isa     oneDNN's instruction-set line ({@code Intel AVX2}, {@code Intel AVX-512 …}), or null if none
 */
record KernelCensus(Map<String, double[]> kernels, String isa) {

    /** @return whether a line of a child's standard output belongs to oneDNN's verbose log */
    static boolean isVerbose(String line) {
        return line.startsWith("dnnl_verbose,") || line.startsWith("onednn_verbose,");
    }

    /** @param lines a child's output lines (others than oneDNN's are skipped) */
    static KernelCensus of(List<String> lines) {
        Map<String, double[]> kernels = new TreeMap<>();
        String isa = null;
        for (String line : lines) {
            if (!isVerbose(line)) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length > 3 && f[1].equals("info") && f[2].equals("cpu") && f[3].startsWith("isa:")) {
                isa = f[3].substring("isa:".length());
            } else if (f.length > 5 && f[1].equals("exec") && f[2].equals("cpu")) {
                double[] v = kernels.computeIfAbsent(f[3] + " " + f[4], k -> new double[2]);
                v[0]++;
                try {
                    v[1] += Double.parseDouble(f[f.length - 1]);
                } catch (NumberFormatException e) {
                    // a line without a time: counted, not timed
                }
            }
        }
        return new KernelCensus(kernels, isa);
    }

    /** @return e.g. {@code convolution jit:avx2 x26, reorder jit:uni x104; reorders 45% of oneDNN time} */
    String summary() {
        if (kernels.isEmpty()) {
            return "no oneDNN primitive (BLAS and plain loops only)";
        }
        double total = kernels.values().stream().mapToDouble(v -> v[1]).sum();
        double reorders = kernels.entrySet().stream().filter(e -> e.getKey().startsWith("reorder "))
                .mapToDouble(e -> e.getValue()[1]).sum();
        return kernels.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s x%d", e.getKey(),
                        (long) e.getValue()[0])).collect(Collectors.joining(", "))
                + (total > 0 ? String.format(Locale.ROOT, "; reorders %.0f%% of oneDNN time", 100 * reorders / total)
                : "");
    }
}
