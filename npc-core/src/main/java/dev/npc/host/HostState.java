package dev.npc.host;

import java.time.Instant;

/**
 * {@code hosts/<host>/state.json}: what a host reports, written only by its daemon at every
 * phase change. Field names are the contract of docs/format.md; readers ignore unknown fields.
 * {@code message} (added) is one line on what the daemon waits for, e.g. "no desired.json yet".
 */
public record HostState(String host, String daemonVersion, Instant updatedAt, String phase,
                        DesiredRef desired, Current current, Attempt lastAttempt, Paused paused,
                        Integer pollIntervalSeconds, String message) {

    /**
     * A daemon re-uploads its state at least this often even when nothing changed, so
     * {@code npc status} can tell a quiet host from a dead one.
     */
    public static final java.time.Duration HEARTBEAT = java.time.Duration.ofMinutes(5);

    public static final String IDLE = "idle";
    public static final String DOWNLOADING = "downloading";
    public static final String BUILDING = "building";
    public static final String ACTIVATING = "activating";
    public static final String CHECKING = "checking";
    public static final String ROLLING_BACK = "rolling-back";

    /** The shape before {@code message} was added; kept so existing callers compile unchanged. */
    public HostState(String host, String daemonVersion, Instant updatedAt, String phase, DesiredRef desired,
                     Current current, Attempt lastAttempt, Paused paused, Integer pollIntervalSeconds) {
        this(host, daemonVersion, updatedAt, phase, desired, current, lastAttempt, paused, pollIntervalSeconds, null);
    }

    /** What the host was told to run, resolved to a version. */
    public record DesiredRef(String remote, String configuration, String sha256, String error) { }

    /** What the host runs now. */
    public record Current(String remote, String sha256, String configuration, String system, Instant activatedAt) { }

    /**
     * The most recent activation attempt. {@code failedBefore} (added) names the failed units the
     * health check did not count because they had failed before the switch; absent when none.
     */
    public record Attempt(String sha256, String result, int attempt, Instant startedAt, Instant finishedAt,
                          String error, String logTail,
                          @com.fasterxml.jackson.annotation.JsonInclude(
                                  com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                          java.util.List<String> failedBefore) {
        /** The shape before {@code failedBefore} was added; kept so existing callers compile unchanged. */
        public Attempt(String sha256, String result, int attempt, Instant startedAt, Instant finishedAt,
                       String error, String logTail) {
            this(sha256, result, attempt, startedAt, finishedAt, error, logTail, null);
        }

        public static final String SUCCESS = "success";
        public static final String FAILED = "failed";
        public static final String ROLLED_BACK = "rolled-back";
        public static final String INTERRUPTED = "interrupted";
    }

    /** Set while the host is paused: since when, until when (null = until unpaused), and why. */
    public record Paused(Instant since, Instant until, String reason) { }
}
