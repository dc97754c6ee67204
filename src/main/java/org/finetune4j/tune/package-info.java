/**
 * Babysitting the learning process: sanity checks of a training setup (initial loss, regularisation, overfitting a
 * tiny subset, update ratios, input statistics), the learning-rate range test, and the coarse-to-fine
 * hyperparameter search with a pluggable trial objective.
 */
package org.finetune4j.tune;
