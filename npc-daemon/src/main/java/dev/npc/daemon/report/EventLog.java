package dev.npc.daemon.report;

import java.io.PrintStream;

/**
 * One line per event, prefixed {@code npc-daemon:}, so journald shows a readable history
 * ({@code npc-daemon: building 1a2b3c4d (prod/web-1)}). No stack traces unless debugging.
 */
public final class EventLog {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean debug;

    public EventLog(PrintStream out, PrintStream err, boolean debug) {
        this.out = out;
        this.err = err;
        this.debug = debug;
    }

    public void info(String message) {
        out.println("npc-daemon: " + oneLine(message));
        out.flush();
    }

    public void warn(String message) {
        err.println("npc-daemon: " + oneLine(message));
        err.flush();
    }

    /** A failure: one line, and the stack trace only with --debug. */
    public void warn(String message, Throwable cause) {
        warn(message);
        if (debug && cause != null) {
            cause.printStackTrace(err);
        }
    }

    /** Log lines quote text from the bucket (errors, names): journald and terminals get no control from it. */
    private static String oneLine(String message) {
        return message == null ? "" : dev.npc.text.SafeText.line(message).strip();
    }
}
