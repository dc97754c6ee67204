package org.finetune4j.report;

/**
 * A labelled vertical line on a line chart, e.g. the learning rate suggested by a range test.
 * <pre>{@code
 * Plots.lines(out, "learning-rate range test", "learning rate", "loss", true, series,
 *         new VerticalMarker(3e-4, "suggested 3e-4"));
 * }</pre>
 *
 * @param x     position in data units of the x axis; finite, and positive on a logarithmic axis
 * @param label text drawn beside the line; may be empty
 */
public record VerticalMarker(double x, String label) {
    /**
     * @throws IllegalArgumentException if {@code x} is not finite or {@code label} is null
     */
    public VerticalMarker {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("vertical marker x: not a finite number. Expected a position on the "
                    + "x axis; received " + x + ". Pass null instead of a marker when there is nothing to mark.");
        }
        if (label == null) {
            throw new IllegalArgumentException("vertical marker label: null. Expected text (may be empty); received "
                    + "null. Pass \"\" for an unlabelled line.");
        }
    }
}
