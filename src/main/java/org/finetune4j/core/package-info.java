/**
 * Seeds and derived random streams, run information, atomic file writes, data fingerprints and the two user-facing
 * exception types; depends on nothing else of finetune4j.
 */
package org.finetune4j.core;
