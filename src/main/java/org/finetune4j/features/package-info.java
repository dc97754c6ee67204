/**
 * Transfer by features: a frozen backbone as feature extractor with an on-disk cache, feature preprocessing
 * (standardization, PCA, whitening), linear classifiers (multinomial logistic regression, one-vs-rest linear SVM)
 * with the regularization strength chosen by stratified k-fold cross-validation, and the bundle that folds it all
 * into one network.
 */
package org.finetune4j.features;
