/**
 * The one run set-up every mode starts from ({@link org.finetune4j.run.RunSetup}: backend, seeds, data, freeze point,
 * backbone), the run's configuration records ({@link org.finetune4j.run.TrainConfig}, {@link org.finetune4j.run.Mode})
 * and the typed resolved configuration that bundles, checkpoints and {@code --resume} compare
 * ({@link org.finetune4j.run.ResolvedRun}); also the outcome records the modes share ({@code TrainResult},
 * {@code History}).
 */
package org.finetune4j.run;
