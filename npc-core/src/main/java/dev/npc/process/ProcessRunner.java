package dev.npc.process;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
