/**
 * Backbones (VGG16/VGG19 with ImageNet weights, the project's mini VGG, trained bundles), preprocessing, and the model
 * bundle: its atomic save, validated and safe load.
 */
package org.finetune4j.model;
