/**
 * Training: image batches with prefetching, fine-tuning (freeze point, new head, unfreezing), the training loop with
 * early stopping, checkpoints and resume, and learning-curve history.
 */
package org.finetune4j.train;
