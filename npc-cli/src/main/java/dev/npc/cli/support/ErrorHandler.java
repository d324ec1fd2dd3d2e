package dev.npc.cli.support;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.function.BooleanSupplier;

/**
 * Turns every failure into one line on stderr and exit 1 (usage errors stay exit 2). The stack
 * trace is shown only with {@code --debug}, which every command inherits from the root.
 */
public final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    private final String program;
    private final BooleanSupplier debug;

    private ErrorHandler(String program, BooleanSupplier debug) {
        this.program = program;
        this.debug = debug;
    }

    /** @param debug whether --debug was given, read when an error happens (after parsing) */
    public static void install(CommandLine commandLine, String program, BooleanSupplier debug) {
        commandLine.setExecutionExceptionHandler(new ErrorHandler(program, debug));
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println(program + ": " + e.getMessage());
            // A value that does not convert is named with the fix in its message; --help adds nothing.
            if (!(e.getCause() instanceof CommandLine.TypeConversionException)) {
                err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            }
            err.flush();
            return USAGE;
        });
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        if (e instanceof IllegalArgumentException) {
            // Raised by argument and name validation: a usage error, not a failure of the operation.
            err.println(program + ": " + oneLine(e));
            err.flush();
            return USAGE;
        }
        err.println(program + ": " + oneLine(e));
        if (debug.getAsBoolean()) {
            e.printStackTrace(err);
        }
        err.flush();
        return FAILURE;
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName() + " (run with --debug for details)";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            message = "no such file: " + message;
        } else if (e instanceof java.nio.file.AccessDeniedException) {
            message = "permission denied: " + message;
        } else if (e instanceof java.nio.file.FileAlreadyExistsException) {
            message = "already exists: " + message;
        }
        int nl = message.indexOf('\n');
        // Messages quote names and text from the bucket (an archive's entries, a host's report).
        return dev.npc.text.SafeText.line(nl < 0 ? message : message.substring(0, nl));
    }
}
