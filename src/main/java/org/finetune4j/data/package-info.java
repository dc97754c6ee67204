/**
 * Image folders and their labels, seeded stratified splits, image decoding and validation with reasons for bad files,
 * dataset inspection, and the synthetic sample-data generator.
 */
package org.finetune4j.data;
