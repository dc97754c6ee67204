/** The picocli commands of the {@code finetune4j} tool: parsing and printing only, no logic. */
package org.finetune4j.cli;
