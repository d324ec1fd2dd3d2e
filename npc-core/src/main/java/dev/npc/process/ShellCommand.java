package dev.npc.process;

import java.util.List;

/**
 * How npc runs a command line an admin gave it (daemon hooks, health commands, npc watch's
 * --on-change): {@code /bin/sh -c LINE}, as cron, git hooks and most such tools do, so quoting,
 * variables and pipes mean the same everywhere npc takes a command. What came from the bucket
 * never enters the line: it travels in the environment and on standard input, so a hostile host
 * name or error is data to the command, never shell syntax.
 */
public final class ShellCommand {
    static final String SHELL = "/bin/sh";

    private ShellCommand() { }

    /** The words to hand the process seam for {@code line}. */
    public static List<String> argv(String line) {
        return List.of(SHELL, "-c", line);
    }

    /**
     * {@code line} when it can be run, else an IllegalArgumentException naming {@code option}
     * and the fix. A shell's syntax error shows when the line runs, in the shell's own words.
     */
    public static String check(String option, String line) {
        if (line == null || line.isBlank()) {
            throw new IllegalArgumentException(option + " is empty; give a command line, e.g. "
                    + option + " 'logger -t npc'");
        }
        if (line.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(option + " holds a NUL character, which no command line can;"
                    + " remove it");
        }
        return line;
    }
}
