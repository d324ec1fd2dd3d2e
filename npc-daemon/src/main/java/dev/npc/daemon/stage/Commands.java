package dev.npc.daemon.stage;

import dev.npc.process.ProcessRunner;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.time.Durations;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs a system command through the process seam and turns every way it can fail into a {@link StageFailure}. */
public final class Commands {
    /** Lines of output kept in state.json for a failure: enough to see the error, small enough to read. */
    public static final int TAIL_LINES = 30;

    private final ProcessRunner processes;

    public Commands(ProcessRunner processes) {
        this.processes = processes;
    }

    /** Runs {@code command}; fails unless it exits 0 in time. */
    public void run(String what, List<String> command, Map<String, String> env, Duration timeout)
            throws StageFailure, InterruptedException {
        checked(what, runAllowingFailure(what, command, env, timeout), timeout);
    }

    /** Nothing when a finished command exited 0, else the failure its timeout or exit code means. */
    public void checked(String what, ProcessResult result, Duration timeout) throws StageFailure {
        if (result.timedOut()) {
            throw new StageFailure(what + " timed out after " + Durations.format(timeout), result.tail(TAIL_LINES));
        }
        if (result.exitCode() != 0) {
            throw new StageFailure(what + " failed (exit " + result.exitCode() + ")", result.tail(TAIL_LINES));
        }
    }

    /** Runs {@code command}; a non-zero exit is the caller's to judge, only a missing program fails. */
    public ProcessResult runAllowingFailure(String what, List<String> command, Map<String, String> env,
                                            Duration timeout) throws StageFailure, InterruptedException {
        try {
            return processes.run(command, env, null, timeout);
        } catch (IOException e) {
            throw new StageFailure(what + " could not start: " + e.getMessage()
                    + "; check --nix-bin / --systemctl or PATH");
        }
    }
}
