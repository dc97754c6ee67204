package org.finetune4j.report;

/**
 * The pixel size of a plot image, e.g. what {@link Plots#confusionMatrixSize(java.util.List)} will write.
 * <pre>{@code
 * PlotSize size = Plots.confusionMatrixSize(classNames);   // to lay out an HTML report
 * }</pre>
 *
 * @param widthPx  width in pixels, at least 1
 * @param heightPx height in pixels, at least 1
 */
public record PlotSize(int widthPx, int heightPx) {
    /**
     * @throws IllegalArgumentException if a side is smaller than 1 pixel
     */
    public PlotSize {
        if (widthPx < 1 || heightPx < 1) {
            throw new IllegalArgumentException("plot size: not positive. Expected width and height of at least 1 px; "
                    + "received " + widthPx + " x " + heightPx + ". Pass a positive size.");
        }
    }
}
