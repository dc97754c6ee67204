package org.finetune4j.spark;

import org.apache.spark.sql.SparkSession;

/** Spark sessions for tests: loopback only, no web UI, few shuffle partitions. */
final class TestSpark {

    private TestSpark() {
    }

    /** @return a {@code local[threads]} session */
    static SparkSession local(int threads) {
        return SparkSession.builder().master("local[" + threads + "]").appName("finetune4j-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }
}
