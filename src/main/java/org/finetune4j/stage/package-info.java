/**
 * The library stages a command calls: train, evaluate and report; evaluate a bundle; check a training setup; the
 * learning-rate range test; the hyperparameter search; featurize; predict. Each stage takes typed settings, does the
 * work (network, evaluation, report files) and returns a typed result for the command to print.
 */
package org.finetune4j.stage;
