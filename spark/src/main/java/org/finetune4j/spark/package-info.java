/**
 * finetune4j on Apache Spark: the features of a folder's images computed by the executors with the same feature
 * extractor as {@code train --mode features} ({@link org.finetune4j.spark.SparkFeaturizer}), a multinomial logistic
 * regression fitted by MLlib and written as a normal bundle ({@link org.finetune4j.spark.SparkFit}), top-k
 * predictions ({@link org.finetune4j.spark.SparkPredict}) and multi-crop evaluation
 * ({@link org.finetune4j.spark.SparkEvaluate}) at scale; {@link org.finetune4j.spark.Main} is the
 * {@code spark-submit} entry point.
 */
package org.finetune4j.spark;
