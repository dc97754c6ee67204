/**
 * Cleaning a folder of labelled images with the backbone's features: likely label errors (confident learning on
 * out-of-fold probabilities), near-duplicates (feature cosine and a perceptual hash; groups across the split are
 * leaks) and outliers (distance to the nearest neighbours). Nothing here moves or deletes a file.
 */
package org.finetune4j.clean;
