package org.finetune4j.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every sub-command has: {@code --help} and {@code --version}, usage help as wide as the terminal, its picocli
 * spec, and the writers for results ({@code out}) and messages ({@code err}). picocli reads the {@code @Command}
 * attributes and annotated fields of this class and its subclasses alike (a subclass's attributes win).
 */
@Command(mixinStandardHelpOptions = true, usageHelpAutoWidth = true)
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
