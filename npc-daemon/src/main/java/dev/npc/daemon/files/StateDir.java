package dev.npc.daemon.files;

import java.nio.file.Path;

/** Where the daemon keeps what it must remember across restarts; every path comes from here. */
public record StateDir(Path root) {
    public static final String DEFAULT = "/var/lib/npc";

    public Path config() { return root.resolve("config.json"); }

    /** The last state, also what {@code npc-daemon status} reads. */
    public Path state() { return root.resolve("state.json"); }

    public Path paused() { return root.resolve("paused.json"); }

    /** Present while someone asked the running daemon to poll now. */
    public Path trigger() { return root.resolve("trigger"); }

    /**
     * Present with {@link #trigger} while someone asked the running daemon to switch (and reboot)
     * now, outside the maintenance window, once.
     */
    public Path now() { return root.resolve("trigger-now"); }

    /** Present while someone asked the running daemon to try a failed version again. */
    public Path retry() { return root.resolve("retry"); }

    public Path lock() { return root.resolve("lock"); }

    /** Locked by {@code follow} while it runs: how trigger and retry know a daemon will see them. */
    public Path running() { return root.resolve("running.lock"); }

    public Path flakes() { return root.resolve("flakes"); }

    /** The out-link (a garbage collector root) of the system being built, until it is activated. */
    public Path result() { return root.resolve("result"); }

    /** Failures of the version being retried, so a restart does not reset the retry bound. */
    public Path retries() { return root.resolve("retries.json"); }

    /** The attempt in progress, so a restart after kill -9 knows what was being activated. */
    public Path inFlight() { return root.resolve("attempt.json"); }

    /**
     * The reboot a switch made necessary, its progress and how often npc rebooted for that system,
     * written before every reboot, so the daemon that starts after the boot knows what to check and
     * a host never reboots in a loop.
     */
    public Path reboot() { return root.resolve("reboot.json"); }

    /** The ETags of desired.json and the remote, and what they stood for. */
    public Path poll() { return root.resolve("poll.json"); }

    /** The highest signed publish sequence accepted per remote, so an older signed version is refused. */
    public Path sequences() { return root.resolve("sequences.json"); }

    /**
     * What the last switch-to-configuration printed, written by the switch itself: a file rather than
     * a pipe to the daemon, so a switch outlives a killed daemon instead of dying at its next line.
     */
    public Path switchOutput() { return root.resolve("switch.log"); }

    /** Reports not yet uploaded because the store was unreachable. */
    public Path outbox() { return root.resolve("outbox"); }
}
