package org.finetune4j.core;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What produced an artifact: versions, platform, seed and time; embedded in every bundle and report.
 *
 * @param finetune4j  finetune4j version
 * @param dl4j        Deeplearning4j / ND4J version
 * @param backend     the ND4J backend class in use, e.g. {@code CpuBackend}
 * @param javaVersion {@code java.version}
 * @param os          {@code os.name}
 * @param arch        {@code os.arch}
 * @param seed        the run's root seed
 * @param createdAt   UTC time, ISO-8601, seconds precision
 */
public record RunInfo(String finetune4j, String dl4j, String backend, String javaVersion, String os, String arch,
                      long seed, String createdAt) {

    /** @return information about the current process for a run with the given seed */
    public static RunInfo current(long seed) {
        String backend;
        try {
            backend = org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName();
        } catch (RuntimeException | LinkageError e) {
            backend = "unavailable";
        }
        return new RunInfo(Version.finetune4j(), Version.dl4j(), backend, System.getProperty("java.version"),
                System.getProperty("os.name"), System.getProperty("os.arch"), seed,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }
}
