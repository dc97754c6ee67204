package org.finetune4j.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.finetune4j.cli.Finetune4j;

/** Runs the command line in-process and captures what it prints. */
public final class Cli {
    private Cli() {
    }

    /**
     * @param exitCode the exit code the process would have
     * @param out      what went to stdout
     * @param err      what went to stderr
     */
    public record Result(int exitCode, String out, String err) {
    }

    /** Runs {@code finetune4j args...}. */
    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Finetune4j.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
