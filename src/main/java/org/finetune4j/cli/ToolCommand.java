package org.finetune4j.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every sub-command has: its picocli spec, and the writers for results ({@code out}) and messages
 * ({@code err}). picocli reads the annotated fields of this class and its subclasses alike.
 */
abstract class ToolCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** @return where results go (stdout) */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** @return where progress, warnings and errors go (stderr) */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
