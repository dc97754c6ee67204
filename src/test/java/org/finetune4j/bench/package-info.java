/**
 * Benchmarks run by hand with a {@code main} method (not JUnit tests, never part of {@code mvn test}); each class
 * documents the command that runs it.
 */
package org.finetune4j.bench;
