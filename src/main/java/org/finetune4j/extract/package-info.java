/**
 * A frozen network cut after a named layer and run on images (centre view or seeded augmented copies), with its
 * outputs cached on disk: the features of features mode, and the frozen prefix's activations that fine-tuning trains
 * on.
 */
package org.finetune4j.extract;
