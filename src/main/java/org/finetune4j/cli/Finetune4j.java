package org.finetune4j.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.finetune4j.core.Backend;
import org.finetune4j.core.DataException;
import org.finetune4j.core.UsageException;
import org.finetune4j.core.Version;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code finetune4j} command: the entry point of the tool and the root of its sub-commands.
 * <pre>
 * java -jar target/finetune4j.jar inspect --data photos/
 * java -jar target/finetune4j.jar sample-data --out data/
 * </pre>
 * Exit codes: 0 ok, 1 failure (bad data, I/O, internal error), 2 usage error (bad options, recipe or config).
 */
@Command(name = "finetune4j",
        mixinStandardHelpOptions = true,
        versionProvider = Finetune4j.VersionProvider.class,
        description = "Transfer-learning image classification: a folder of labelled images in, "
                + "a classifier from a pretrained VGG-style network out.",
        subcommands = {InspectCommand.class, SampleDataCommand.class, LayersCommand.class, PredictCommand.class,
                AugmentPreviewCommand.class, TrainCommand.class, PretrainCommand.class, EvaluateCommand.class,
                FeaturesCommand.class, CheckCommand.class, LrFindCommand.class, SearchCommand.class,
                CompareCommand.class, CleanCommand.class, ServeCommand.class, CommandLine.HelpCommand.class},
        usageHelpAutoWidth = true)
public final class Finetune4j implements Runnable {

    /** Exit code for success. */
    public static final int EXIT_OK = 0;
    /** Exit code for a failure: unusable data, I/O error, internal error. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code for a usage error: bad options, invalid recipe, protocol or config. */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print stack traces with errors and show finetune4j's debug log.")
    boolean debug;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "More log output: -v shows finetune4j's debug lines, -vv also DL4J's.")
    boolean[] verbose = new boolean[0];

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command. Run `finetune4j --help`.");
    }

    /** Starts the tool; the only place that calls {@code System.exit}. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs one command line and returns its exit code, writing results to {@code out} and messages to {@code err}.
     *
     * @param args the command line, without the program name
     * @return 0 ok, 1 failure, 2 usage error
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Backend.setUp();
        Finetune4j root = new Finetune4j();
        CommandLine cmd = new CommandLine(root);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        HelpLayout.install(cmd);
        cmd.setExecutionStrategy(parseResult -> {
            configureLogging(root);
            return new CommandLine.RunLast().execute(parseResult);
        });
        cmd.setParameterExceptionHandler(Finetune4j::handleParameterException);
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> handleExecutionException(root, ex, commandLine));
        try {
            ConfigDefaults.install(cmd, args);
        } catch (UsageException e) {
            err.println("finetune4j: " + e.getMessage());
            return EXIT_USAGE;
        }
        try {
            return cmd.execute(args);
        } catch (LinkageError e) {
            // picocli passes Errors through; the usual one is a native backend that cannot load (no GPU driver for
            // the cuda build, a CPU without the instructions of the chosen nd4j build, a missing native library)
            err.println("finetune4j: the ND4J native backend could not be loaded: " + rootCause(e)
                    + ". The CPU build needs Linux x86_64; the cuda build (-Pcuda) needs an NVIDIA driver and a GPU "
                    + "of compute capability 3.7 to 8.6 (README.md, GPU). `finetune4j --version` shows the backend."
                    + (root.debug ? "" : " Run again with --debug for the stack trace."));
            if (root.debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return EXIT_FAILURE;
        }
    }

    private static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    private static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("finetune4j: " + asTyped(ex.getMessage(), ex.getArgSpec(), args));
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
            err.println("Run `" + cmd.getCommandSpec().qualifiedName() + " --help` for the options.");
        }
        return EXIT_USAGE;
    }

    /**
     * picocli names an option by its longest name ({@code --learning-rate}); when the user typed another of its names
     * ({@code --lr}), the message names that one instead, so it points at what is on the command line.
     */
    static String asTyped(String message, CommandLine.Model.ArgSpec arg, String[] args) {
        if (message == null || !(arg instanceof CommandLine.Model.OptionSpec option) || args == null) {
            return message;
        }
        String longest = option.longestName();
        for (String a : args) {
            for (String name : option.names()) {
                if (!name.equals(longest) && (a.equals(name) || a.startsWith(name + "="))) {
                    return message.replace("'" + longest + "'", "'" + name + "'").replace(longest + " ", name + " ");
                }
            }
        }
        return message;
    }

    private static int handleExecutionException(Finetune4j root, Exception ex, CommandLine cmd) {
        PrintWriter err = cmd.getErr();
        int code;
        if (ex instanceof UsageException) {
            err.println("finetune4j: " + ex.getMessage());
            code = EXIT_USAGE;
        } else if (ex instanceof CommandLine.ParameterException pe) {
            return handleParameterException(pe, new String[0]);
        } else if (ex instanceof DataException) {
            err.println("finetune4j: " + ex.getMessage());
            code = EXIT_FAILURE;
        } else if (ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
            err.println("finetune4j: " + ex.getMessage());
            code = EXIT_FAILURE;
        } else {
            err.println("finetune4j: internal error: " + ex
                    + (root.debug ? "" : ". Run again with --debug for the stack trace and report it."));
            code = EXIT_FAILURE;
        }
        if (root.debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    private static void configureLogging(Finetune4j root) {
        int level = root.verbose == null ? 0 : root.verbose.length;
        Logger ours = (Logger) LoggerFactory.getLogger("org.finetune4j");
        Logger all = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (level >= 1 || root.debug) {
            ours.setLevel(Level.DEBUG);
        }
        if (level >= 2) {
            all.setLevel(Level.INFO);
        }
    }

    /** Prints finetune4j's version and the versions of the libraries and backend it runs on. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String backend;
            try {
                backend = "ND4J backend: " + Backend.describe().summary();
            } catch (RuntimeException | LinkageError e) {
                backend = "ND4J backend: unavailable (" + e + ")";
            }
            return new String[] {
                "finetune4j " + Version.finetune4j(),
                "Deeplearning4j " + Version.dl4j() + ", Java " + System.getProperty("java.version")
                        + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                backend
            };
        }
    }
}
