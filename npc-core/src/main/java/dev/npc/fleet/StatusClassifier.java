package dev.npc.fleet;

import dev.npc.digest.Sha256;
import dev.npc.host.Desired;
import dev.npc.host.HostState;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.Result;
import dev.npc.remote.RemoteCatalog.RemoteInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides a host's status from what the store holds: its desired.json, its last state report
 * and the remote it follows. A pure function of its inputs, so every rule is testable.
 */
public final class StatusClassifier {
    /** A quiet daemon reports at its heartbeat, however often it polls. */
    public static final Duration DEFAULT_REPORT_INTERVAL = HostState.HEARTBEAT;

    private final Instant now;
    private final int staleMultiple;

    /**
     * @param staleMultiple a host is stale after this many report intervals without a report
     */
    public StatusClassifier(Instant now, int staleMultiple) {
        if (staleMultiple < 1) {
            throw new IllegalArgumentException("stale multiple must be at least 1, not " + staleMultiple);
        }
        this.now = now;
        this.staleMultiple = staleMultiple;
    }

    public HostView classify(String host, Desired desired, String desiredError, HostState state, RemoteInfo remote) {
        Verdict verdict = verdict(desired, desiredError, state, remote);
        return new HostView(host, desired, desiredError, state, remote, verdict.status, verdict.detail);
    }

    private record Verdict(HostStatus status, String detail) { }

    private Verdict verdict(Desired desired, String desiredError, HostState state, RemoteInfo remote) {
        if (desiredError != null) {
            return new Verdict(HostStatus.FAILED, desiredError);
        }
        if (desired == null) {
            return new Verdict(HostStatus.UNKNOWN, "no desired.json: set one with npc hosts set or Terraform");
        }
        if (remote == null || remote.sha256() == null) {
            return new Verdict(HostStatus.FAILED, "remote '" + desired.remote() + "' does not exist; push it");
        }
        if (state == null) {
            return new Verdict(HostStatus.UNKNOWN, "no report yet");
        }
        if (isStale(state)) {
            return new Verdict(HostStatus.STALE, "no report since " + state.updatedAt());
        }
        if (desired.isPaused() || state.paused() != null) {
            String reason = state.paused() != null && state.paused().reason() != null ? state.paused().reason() : null;
            return new Verdict(HostStatus.PAUSED, reason);
        }
        if (state.desired() != null && state.desired().error() != null) {
            // An error reported before this version was published (the remote did not exist
            // yet, say) is not about this version: the host has not looked at it yet.
            if (!isAbout(state, remote)) {
                return new Verdict(HostStatus.PENDING, "waiting for " + Sha256.shortForm(remote.sha256())
                        + ": the host's last report predates it");
            }
            return new Verdict(HostStatus.FAILED, state.desired().error());
        }
        if (!state.isIdle()) {
            return new Verdict(HostStatus.IN_PROGRESS, state.phase().toString());
        }
        String version = remote.sha256();
        if (runs(state, desired, version)) {
            HostState.Reboot reboot = state.reboot();
            if (reboot != null) {
                return new Verdict(HostStatus.REBOOT_REQUIRED, reboot.reason() + "; "
                        + (reboot.next() != null ? "reboots in the maintenance window (next: " + reboot.next() + ")"
                        : reboot.note() != null ? reboot.note() : "reboots now"));
            }
            return new Verdict(HostStatus.UP_TO_DATE, null);
        }
        HostState.Waiting waiting = state.waiting();
        if (waiting != null && version.equals(waiting.sha256())) {
            return new Verdict(HostStatus.WAITING, "waiting for window " + waiting.window() + " (next: "
                    + waiting.next() + "): " + Sha256.shortForm(version) + " is built and switches then");
        }
        Attempt attempt = state.lastAttempt();
        if (attempt != null && version.equals(attempt.sha256())) {
            if (attempt.result() == Result.ROLLED_BACK) {
                return new Verdict(HostStatus.ROLLED_BACK, attempt.error());
            }
            if (attempt.result() == Result.FAILED) {
                return new Verdict(HostStatus.FAILED, attempt.error());
            }
        }
        return new Verdict(HostStatus.PENDING, "waiting for " + Sha256.shortForm(version));
    }

    /**
     * Whether a report can speak about the remote's current version: it names that version (as
     * desired, attempted or running), or it was written after the version was published.
     */
    static boolean isAbout(HostState state, RemoteInfo remote) {
        String version = remote.sha256();
        if (state.desired() != null && version.equals(state.desired().sha256())
                || state.lastAttempt() != null && version.equals(state.lastAttempt().sha256())
                || state.current() != null && version.equals(state.current().sha256())) {
            return true;
        }
        return remote.updated() == null || state.updatedAt() != null && !state.updatedAt().isBefore(remote.updated());
    }

    /** Up to date means the right remote, the right version and the right configuration. */
    private static boolean runs(HostState state, Desired desired, String version) {
        HostState.Current current = state.current();
        return current != null && version.equals(current.sha256())
                && Objects.equals(desired.remote(), current.remote())
                && (current.configuration() == null
                    || desired.configuration() == null
                    || desired.configuration().equals(current.configuration()));
    }

    private boolean isStale(HostState state) {
        if (state.updatedAt() == null) {
            return true;
        }
        Duration interval = state.pollIntervalSeconds() == null ? DEFAULT_REPORT_INTERVAL
                : Duration.ofSeconds(Math.max(state.pollIntervalSeconds(), 1));
        if (interval.compareTo(DEFAULT_REPORT_INTERVAL) < 0) {
            // An idle daemon refreshes its report on a heartbeat, not on every poll.
            interval = DEFAULT_REPORT_INTERVAL;
        }
        // Whole seconds times a small number: Duration.multipliedBy goes through BigDecimal, per host.
        return Duration.between(state.updatedAt(), now).compareTo(Duration.ofSeconds(interval.getSeconds() * staleMultiple)) > 0;
    }
}
