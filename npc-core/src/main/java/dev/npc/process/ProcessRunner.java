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
     * Runs {@code command} to completion or until {@code timeout}, capturing combined output.
     *
     * @param extraEnv variables added to the inherited environment
     * @param workDir  the working directory, or null for the current one
     */
    ProcessResult run(List<String> command, Map<String, String> extraEnv, Path workDir, Duration timeout)
            throws IOException, InterruptedException;

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
        return timeout -> {
            try {
                return result.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return null;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException(e.getCause());
            }
        };
    }

    /** A command {@link #start started} and not yet waited for. */
    interface Started {
        /** The result, or null when the command still runs after {@code timeout}. */
        ProcessResult await(Duration timeout) throws IOException, InterruptedException;
    }

    /** The outcome: exit code (-1 when killed on timeout) and combined stdout/stderr. */
    record ProcessResult(int exitCode, String output, boolean timedOut) {
        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        /** The last {@code lines} lines of output, for state reports. */
        public String tail(int lines) {
            String[] all = output.strip().split("\n");
            int from = Math.max(0, all.length - lines);
            return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
        }
    }
}
