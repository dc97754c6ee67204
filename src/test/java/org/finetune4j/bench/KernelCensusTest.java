package org.finetune4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelCensusTest {

    @Test
    void countsPrimitivesOfBothLogFormatsAndTheReorderShare() {
        KernelCensus k = KernelCensus.of(List.of(
                "RESULT img/s 3.5",
                "dnnl_verbose,info,oneDNN v2.3.0 (commit aec51f92ba9b23c5ed4b6753995f847615f5968a)",
                "dnnl_verbose,info,cpu,isa:Intel AVX2",
                "dnnl_verbose,exec,cpu,reorder,jit:uni,undef,src_f32::blocked:acdb:f0 dst_f32::blocked:aBcd8b:f0,,,16x64x224x224,30",
                "dnnl_verbose,exec,cpu,convolution,jit:avx2,forward_inference,src_f32::blocked:aBcd8b:f0 wei_f32::blocked:ABcd8b8a:f0,,alg:convolution_direct,mb16_ic64oc64_ih224oh224kh3sh1dh0ph1_iw224ow224kw3sw1dw0pw1,60",
                "onednn_verbose,exec,cpu,reorder,jit:blk,undef,src_f32::blocked:aBcd8b:f0 dst_f32::blocked:abcd:f0,,,16x64x224x224,10"));
        assertEquals("Intel AVX2", k.isa());
        assertArrayEquals(new double[] {1, 60}, k.kernels().get("convolution jit:avx2"));
        assertArrayEquals(new double[] {1, 30}, k.kernels().get("reorder jit:uni"));
        assertArrayEquals(new double[] {1, 10}, k.kernels().get("reorder jit:blk"));
        assertEquals("convolution jit:avx2 x1, reorder jit:blk x1, reorder jit:uni x1; reorders 40% of oneDNN time",
                k.summary());
    }

    @Test
    void aRunWithoutOneDnnSaysSo() {
        KernelCensus k = KernelCensus.of(List.of("RESULT seconds 0.5", "RESULT peak-rss-mb 700"));
        assertNull(k.isa());
        assertEquals("no oneDNN primitive (BLAS and plain loops only)", k.summary());
    }

    @Test
    void cpuInfoNamesTheWidestInstructionSetAndTheCaps() {
        assertEquals("AMD EPYC 9R14 (AVX-512), capped: DNNL_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell",
                CpuInfo.of("AMD EPYC 9R14", "fpu sse2 avx avx2 fma avx512f avx512dq", "AVX2", "Haswell").describe());
        assertEquals("AMD EPYC 7R13 (AVX2), no instruction-set cap",
                CpuInfo.of("AMD EPYC 7R13", "fpu sse2 avx avx2 fma", null, null).describe());
        assertEquals("SSE/AVX", CpuInfo.of("old", "fpu sse2 avx", null, null).isa());
    }
}
