package org.finetune4j.data;

/** What a run does with a file that cannot be decoded ({@code --on-bad-image}). */
public enum BadImagePolicy {
    /** Leave the file out and list it, with its reason, at the end of the run (the default). */
    SKIP,
    /** Stop before any training, naming the file. */
    FAIL
}
