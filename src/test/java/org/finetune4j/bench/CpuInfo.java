package org.finetune4j.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU a benchmark ran on, for its report: model name and the widest vector instruction set from
 * {@code /proc/cpuinfo}, and the caps the run's environment put on oneDNN ({@code DNNL_MAX_CPU_ISA}) and OpenBLAS
 * ({@code OPENBLAS_CORETYPE}).
 *
 * @param model     the model name
 * @param isa       {@code AVX-512}, {@code AVX2} or {@code SSE/AVX}
 * @param oneDnnCap {@code DNNL_MAX_CPU_ISA}, or null
 * @param blasCap   {@code OPENBLAS_CORETYPE}, or null
 */
record CpuInfo(String model, String isa, String oneDnnCap, String blasCap) {

    static CpuInfo read() {
        String model = "unknown CPU";
        String flags = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && model.equals("unknown CPU")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                } else if (line.startsWith("flags") && flags.isEmpty()) {
                    flags = " " + line.substring(line.indexOf(':') + 1).trim() + " ";
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("/proc/cpuinfo: " + e.getMessage(), e);
        }
        return of(model, flags, System.getenv("DNNL_MAX_CPU_ISA"), System.getenv("OPENBLAS_CORETYPE"));
    }

    /** @param flags the {@code flags} line of /proc/cpuinfo */
    static CpuInfo of(String model, String flags, String oneDnnCap, String blasCap) {
        String f = " " + flags.trim() + " ";
        String isa = f.contains(" avx512f ") ? "AVX-512" : f.contains(" avx2 ") ? "AVX2" : "SSE/AVX";
        return new CpuInfo(model, isa, oneDnnCap, blasCap);
    }

    /** @return e.g. {@code AMD EPYC 9R14 (AVX-512), capped: DNNL_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell} */
    String describe() {
        String caps = (oneDnnCap != null ? " DNNL_MAX_CPU_ISA=" + oneDnnCap : "")
                + (blasCap != null ? " OPENBLAS_CORETYPE=" + blasCap : "");
        return model + " (" + isa + ")" + (caps.isEmpty() ? ", no instruction-set cap" : ", capped:" + caps);
    }
}
