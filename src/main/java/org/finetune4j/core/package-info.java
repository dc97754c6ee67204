/**
 * Seeds and derived random streams, run information, atomic file writes, file and data fingerprints, the closest
 * known name to a mistyped one, and the two user-facing exception types; depends on nothing else of finetune4j.
 */
package org.finetune4j.core;
