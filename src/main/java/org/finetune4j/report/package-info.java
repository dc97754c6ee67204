/** Plots, Markdown/HTML/JSON reports and progress display; takes plain results and knows nothing of training. */
package org.finetune4j.report;
