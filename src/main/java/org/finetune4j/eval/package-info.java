/**
 * Evaluation of a trained bundle: multi-crop protocols ({@code eval/*.yaml}: scales, crops, flips), the evaluator that
 * averages a network's predictions over the crops of each image, and the metrics (top-1/top-5 accuracy, per-class
 * precision, recall and F1, confusion matrix, most confidently wrong images).
 */
package org.finetune4j.eval;
