package org.finetune4j.core;

import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work on stderr: a redrawn bar with rate and ETA on a terminal; on anything else (a log file, CI)
 * a plain line at most every 10%, so logs stay readable.
 * <pre>{@code
 * try (Progress p = Progress.start("decoding", files.size(), " img", !quiet)) {
 *     for (...) { ...; p.step(); }
 * }
 * }</pre>
 * Safe to call from several threads.
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private final String task;
    private final long total;
    private final PrintStream lines;
    private final AtomicLong done = new AtomicLong();
    private final long started = System.nanoTime();
    private long lastPrinted;
    private long lastLineNanos;

    private Progress(ProgressBar bar, String task, long total, PrintStream lines) {
        this.bar = bar;
        this.task = task;
        this.total = total;
        this.lines = lines;
        this.lastPrinted = 0;
    }

    /**
     * @param task    what is being done, e.g. {@code "decoding"}
     * @param total   units of work; 0 or less when unknown (e.g. a download without a declared size)
     * @param unit    the unit shown with the rate, e.g. {@code " img"}
     * @param enabled false for {@code --quiet}: nothing is printed
     */
    public static Progress start(String task, long total, String unit, boolean enabled) {
        if (!enabled) {
            return new Progress(null, task, total, null);
        }
        if (System.console() == null) {
            return new Progress(null, task, total, System.err);
        }
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).showSpeed().setSpeedUnit(ChronoUnit.SECONDS).setUnit(unit, 1)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250)
                .build();
        return new Progress(bar, task, total, null);
    }

    /** Advances by one unit. */
    public void step() {
        long now = done.incrementAndGet();
        if (bar != null) {
            bar.stepTo(now);
        } else if (lines != null) {
            printLine(now);
        }
    }

    private synchronized void printLine(long now) {
        if (total <= 0) {
            // unknown total: a line at most every 5 seconds
            long t = System.nanoTime();
            if (t - lastLineNanos >= 5_000_000_000L) {
                lastLineNanos = t;
                lines.printf(Locale.ROOT, "%s: %d so far%n", task, now);
            }
            return;
        }
        long every = Math.max(1, total / 10);
        if (now - lastPrinted >= every || now == total) {
            lastPrinted = now;
            double seconds = (System.nanoTime() - started) / 1e9;
            double rate = now / Math.max(seconds, 1e-9);
            long eta = rate > 0 ? Math.round((total - now) / rate) : 0;
            lines.printf(Locale.ROOT, "%s: %d/%d  %.1f/s  ETA %ds%n", task, now, total, rate, eta);
        }
    }

    /** Sets the units done so far (e.g. bytes downloaded); never goes backwards. */
    public void stepTo(long units) {
        long now = done.accumulateAndGet(units, Math::max);
        if (bar != null) {
            bar.stepTo(now);
        } else if (lines != null) {
            printLine(now);
        }
    }

    /** @return units done so far */
    public long done() {
        return done.get();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
