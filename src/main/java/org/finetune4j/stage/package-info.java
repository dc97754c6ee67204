/**
 * The library stages a command calls: train, evaluate and report; evaluate a bundle and report. Each stage takes
 * typed settings, does the work (network, evaluation, report files) and returns a typed result for the command to
 * print.
 */
package org.finetune4j.stage;
