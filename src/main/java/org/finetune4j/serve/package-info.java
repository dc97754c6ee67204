/**
 * {@code finetune4j serve}: a trained bundle behind HTTP on Javalin — {@code POST /v1/predict},
 * {@code GET /v1/model}, {@code GET /healthz}, {@code GET /metrics} (Prometheus text format) and a page at {@code /}
 * to try it. Concurrent requests are micro-batched into one forward pass through the {@code api} package's
 * classifier.
 */
package org.finetune4j.serve;
