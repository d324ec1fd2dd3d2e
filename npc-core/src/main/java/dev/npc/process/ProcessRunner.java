package dev.npc.process;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one seam through which npc runs external programs (nix, switch-to-configuration,
 * systemctl, git, hooks), so tests can substitute stand-ins without changing any caller.
 */
public interface ProcessRunner {

    /**
     * Runs {@code command} to completion or until {@code timeout}, capturing stdout and stderr apart.
     *
     * @param extraEnv variables added to the inherited environment
     * @param workDir  the working directory, or null for the current one
     */
    ProcessResult run(List<String> command, Map<String, String> extraEnv, Path workDir, Duration timeout)
            throws IOException, InterruptedException;

    /**
     * Like {@link #run(List, Map, Path, Duration)}, with {@code stdin} written to the command's
     * standard input (npc watch hands each event to an --on-change command so). A runner that
     * cannot feed input says so rather than dropping it.
     */
    default ProcessResult run(List<String> command, Map<String, String> extraEnv, Path workDir, Duration timeout,
                              byte[] stdin) throws IOException, InterruptedException {
        if (stdin.length == 0) {
            return run(command, extraEnv, workDir, timeout);
        }
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not feed standard input");
    }

    /** Long enough to mean "until it ends": {@link #start} never kills what it started. */
    Duration UNBOUNDED = Duration.ofDays(36_500);

    /**
     * Starts {@code command} and returns at once; the caller waits as long as it likes and decides
     * what a long wait means. Nothing started here is ever killed by npc: a switch-to-configuration
     * cut in half (mid-/etc or mid-bootloader) is worse than a late one.
     */
    default Started start(List<String> command, Map<String, String> extraEnv, Path workDir) {
        CompletableFuture<ProcessResult> result = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                result.complete(run(command, extraEnv, workDir, UNBOUNDED));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "process-" + Path.of(command.get(0)).getFileName());
        waiter.setDaemon(true);
        waiter.start();
        return Started.of(result);
    }

    /**
     * Like {@link #start}, for a command that may outlive npc (switch-to-configuration through
     * {@code systemd-run --pipe}, which hands the switch these very descriptors): its standard output
     * and error go to {@code output}, a new file, instead of to pipes that break when npc dies, so a
     * command left running by a killed npc never dies of writing to a reader that is gone. Its
     * standard input is empty. The result holds the end of the file as stdout (both streams, in the
     * order they were written) and nothing as stderr. A runner whose commands cannot outlive npc (a
     * simulation) may keep the output in memory instead.
     */
    default Started startWritingTo(List<String> command, Map<String, String> extraEnv, Path output)
            throws IOException {
        return start(command, extraEnv, null);
    }

    /** A command {@link #start started} and not yet waited for. */
    interface Started {
        /** The result, or null when the command still runs after {@code timeout}. */
        ProcessResult await(Duration timeout) throws IOException, InterruptedException;

        /** Waits on {@code result}, which a thread of the runner completes when the command ends. */
        static Started of(CompletableFuture<ProcessResult> result) {
            return timeout -> {
                try {
                    return result.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    return null;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    if (e.getCause() instanceof java.io.UncheckedIOException io) {
                        throw io.getCause();
                    }
                    throw new IOException(e.getCause());
                }
            };
        }
    }

    /**
     * What one stream of a command printed: its text (the end of it, when the command printed more
     * than the runner keeps) and whether anything was dropped.
     */
    record Output(String text, boolean truncated) {
        public static final Output EMPTY = new Output("", false);

        public static Output of(String text) {
            return new Output(text, false);
        }

        public boolean isBlank() {
            return text.isBlank();
        }

        /** The last {@code lines} lines. */
        public String tail(int lines) {
            if (lines <= 0 || text.isBlank()) {
                return "";
            }
            String[] all = text.strip().split("\n");
            int from = Math.max(0, all.length - lines);
            return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
        }

        private int lineCount() {
            return text.isBlank() ? 0 : (int) text.strip().lines().count();
        }
    }

    /**
     * The outcome: exit code (-1 when killed on timeout) and each stream on its own. Callers read
     * what a command answers from {@link #stdout()} only; {@link #stderr()} holds its warnings,
     * progress and errors, which are for people (logs and state reports, through {@link #tail}).
     */
    record ProcessResult(int exitCode, Output stdout, Output stderr, boolean timedOut) {
        /** A finished command that printed {@code stdout} and {@code stderr} in full (stand-ins, tests). */
        public static ProcessResult of(int exitCode, String stdout, String stderr) {
            return new ProcessResult(exitCode, Output.of(stdout), Output.of(stderr), false);
        }

        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        /** Whether {@code message} appears on either stream: for recognising an error, never for reading an answer. */
        public boolean printed(String message) {
            return stderr.text().contains(message) || stdout.text().contains(message);
        }

        /**
         * The last {@code lines} lines a person needs to see what happened, for logs and state
         * reports: stderr's; or stdout's when stderr is empty; both, each under a label and sharing
         * the lines, when both streams printed something.
         */
        public String tail(int lines) {
            if (stdout.isBlank()) {
                return stderr.tail(lines);
            }
            if (stderr.isBlank()) {
                return stdout.tail(lines);
            }
            int fromStdout = Math.min(stdout.lineCount(), Math.max(1, lines / 2));
            int fromStderr = Math.min(stderr.lineCount(), Math.max(1, lines - fromStdout));
            fromStdout = Math.min(stdout.lineCount(), Math.max(1, lines - fromStderr));
            return "stdout:\n" + stdout.tail(fromStdout) + "\nstderr:\n" + stderr.tail(fromStderr);
        }
    }
}
