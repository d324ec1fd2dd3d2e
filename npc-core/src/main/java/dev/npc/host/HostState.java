package dev.npc.host;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@code hosts/<host>/state.json}: what a host reports, written only by its daemon at every
 * phase change. Field names are the contract of docs/format.md; readers ignore unknown fields.
 * {@code message} (added) is one line on what the daemon waits for, e.g. "no desired.json yet".
 * A reader takes a phase or result it does not know (a newer daemon's) as {@link Phase#UNKNOWN}
 * or {@link Result#UNKNOWN}, so an older {@code npc status} still shows the host.
 *
 * <p>This file is the one place a field is added: the record component, its argument in the
 * {@code with…} methods below (the compiler names each one), and its term in {@code equals} and
 * {@code hashCode} (HostStateEqualityTest names one left out of equals). Every other class
 * changes a state through those methods.
 */
public record HostState(String host, String daemonVersion, Instant updatedAt, Phase phase,
                        DesiredRef desired, Current current, Attempt lastAttempt, Paused paused,
                        Integer pollIntervalSeconds, String message,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Waiting waiting,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Reboot reboot) {

    /**
     * A daemon re-uploads its state at least this often even when nothing changed, so
     * {@code npc status} can tell a quiet host from a dead one.
     */
    public static final Duration HEARTBEAT = Duration.ofMinutes(5);

    /** A daemon's first state: idle, nothing desired, run or attempted yet, never reported. */
    public static HostState initial(String host, String daemonVersion, int pollIntervalSeconds) {
        return new HostState(host, daemonVersion, null, Phase.IDLE, null, null, null, null, pollIntervalSeconds, null,
                null, null);
    }

    /** No attempt under way (a state written without a phase counts as idle). */
    @JsonIgnore
    public boolean isIdle() {
        return phase == null || phase == Phase.IDLE;
    }

    /** Equal apart from the time stamp: nothing a reader would see as news. */
    public boolean sameContentAs(HostState other) {
        return other != null && withUpdatedAt(null).equals(other.withUpdatedAt(null));
    }

    /*
     * The records of state.json and desired.json write out equals, component by component (the
     * generated hashCode agrees with it): the daemon compares its state at every start and poll,
     * and a record's generated equals is linked through method handles on its first call, about
     * 45 ms of CPU for the first one in a fresh JVM, which a timer's follow --once paid at every
     * run. HostStateEqualityTest holds each of them to every component.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof HostState other && Objects.equals(host, other.host)
                && Objects.equals(daemonVersion, other.daemonVersion) && Objects.equals(updatedAt, other.updatedAt)
                && phase == other.phase && Objects.equals(desired, other.desired)
                && Objects.equals(current, other.current) && Objects.equals(lastAttempt, other.lastAttempt)
                && Objects.equals(paused, other.paused) && Objects.equals(pollIntervalSeconds, other.pollIntervalSeconds)
                && Objects.equals(message, other.message) && Objects.equals(waiting, other.waiting)
                && Objects.equals(reboot, other.reboot);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, daemonVersion, updatedAt, phase, desired, current, lastAttempt, paused,
                pollIntervalSeconds, message, waiting, reboot);
    }

    /** This daemon's identity and poll interval on a state an earlier run (or another process) left. */
    public HostState withDaemon(String host, String daemonVersion, int pollIntervalSeconds) {
        return new HostState(host, daemonVersion, updatedAt, isIdle() ? Phase.IDLE : phase, desired, current,
                lastAttempt, paused, pollIntervalSeconds, message, waiting, reboot);
    }

    public HostState withUpdatedAt(Instant updatedAt) {
        return new HostState(host, daemonVersion, updatedAt, phase, desired, current, lastAttempt, paused,
                pollIntervalSeconds, message, waiting, reboot);
    }

    public HostState withPhase(Phase phase) {
        return new HostState(host, daemonVersion, updatedAt, phase, desired, current, lastAttempt, paused,
                pollIntervalSeconds, message, waiting, reboot);
    }

    public HostState withDesired(DesiredRef desired) {
        return new HostState(host, daemonVersion, updatedAt, phase, desired, current, lastAttempt, paused,
                pollIntervalSeconds, message, waiting, reboot);
    }

    public HostState withCurrent(Current current) {
        return new HostState(host, daemonVersion, updatedAt, phase, desired, current, lastAttempt, paused,
                pollIntervalSeconds, message, waiting, reboot);
    }

    public HostState withLastAttempt(Attempt lastAttempt) {
        return new HostState(host, daemonVersion, updatedAt, phase, desired, current, lastAttempt, paused,
                pollIntervalSeconds, message, waiting, reboot);
    }

    public HostState withPaused(Paused paused) {
        return new HostState(host, daemonVersion, updatedAt, phase, desired, current, lastAttempt, paused,
                pollIntervalSeconds, message, waiting, reboot);
    }

    public HostState withMessage(String message) {
        return new HostState(host, daemonVersion, updatedAt, phase, desired, current, lastAttempt, paused,
                pollIntervalSeconds, message, waiting, reboot);
    }

    /** @param waiting the version that waits for the maintenance window, or null when none does */
    public HostState withWaiting(Waiting waiting) {
        return new HostState(host, daemonVersion, updatedAt, phase, desired, current, lastAttempt, paused,
                pollIntervalSeconds, message, waiting, reboot);
    }

    /** @param reboot why the running system needs a reboot, or null when it needs none */
    public HostState withReboot(Reboot reboot) {
        return new HostState(host, daemonVersion, updatedAt, phase, desired, current, lastAttempt, paused,
                pollIntervalSeconds, message, waiting, reboot);
    }

    /**
     * What the host was told to run, resolved to a version, or why that failed ({@code error}).
     * {@code etag} and {@code document} (added) are the ETag of the desired.json this report
     * acted on and that document as the daemon parsed it: a fleet read that lists desired.json
     * with exactly this ETag takes the copy (validated as a fetched one) instead of fetching it.
     * Absent when the daemon had no valid desired.json, or when an older daemon wrote the report.
     */
    public record DesiredRef(String remote, String configuration, String sha256, String error,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String etag,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Desired document) {
        public static DesiredRef resolved(String remote, String configuration, String sha256) {
            return new DesiredRef(remote, configuration, sha256, null, null, null);
        }

        /** desired.json or its remote cannot be used; {@code remote} and {@code configuration} as far as known. */
        public static DesiredRef unusable(String remote, String configuration, String error) {
            return new DesiredRef(remote, configuration, null, error, null, null);
        }

        /** This reference with the desired.json it was resolved from: that document and its ETag (null: none). */
        public DesiredRef from(String etag, Desired document) {
            return etag == null || document == null ? new DesiredRef(remote, configuration, sha256, error, null, null)
                    : new DesiredRef(remote, configuration, sha256, error, etag, document);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DesiredRef other && Objects.equals(remote, other.remote)
                    && Objects.equals(configuration, other.configuration) && Objects.equals(sha256, other.sha256)
                    && Objects.equals(error, other.error) && Objects.equals(etag, other.etag)
                    && Objects.equals(document, other.document);
        }

        @Override
        public int hashCode() {
            return Objects.hash(remote, configuration, sha256, error, etag, document);
        }
    }

    /** What the host runs now. A current without a version is a system npc saw running but never checked. */
    public record Current(String remote, String sha256, String configuration, String system, Instant activatedAt) {
        /** {@code system} runs, but npc never vouched for it (e.g. after kill -9 mid-switch). */
        public static Current unvouched(String system) {
            return new Current(null, null, null, system, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Current other && Objects.equals(remote, other.remote)
                    && Objects.equals(sha256, other.sha256) && Objects.equals(configuration, other.configuration)
                    && Objects.equals(system, other.system) && Objects.equals(activatedAt, other.activatedAt);
        }

        @Override
        public int hashCode() {
            return Objects.hash(remote, sha256, configuration, system, activatedAt);
        }
    }

    /**
     * The most recent activation attempt. {@code failedBefore} (added) names the failed units the
     * health check did not count because they had failed before the switch; absent when none.
     * {@code system} (added) is the toplevel the attempt built or realised, absent when it got
     * no further: after a rollback, the system to inspect ({@code nvd diff}, {@code nix-store -q}).
     */
    public record Attempt(String sha256, Result result, int attempt, Instant startedAt, Instant finishedAt,
                          String error, String logTail,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> failedBefore,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String system) {

        /** An attempt that ended with {@code result}; the rest is added by the withs. */
        public static Attempt ended(String sha256, Result result, int attempt, Instant startedAt, Instant finishedAt) {
            return new Attempt(sha256, result, attempt, startedAt, finishedAt, null, null, null, null);
        }

        /** @param logTail the last lines of the failing step's output, or null */
        public Attempt withError(String error, String logTail) {
            return new Attempt(sha256, result, attempt, startedAt, finishedAt, error, logTail, failedBefore, system);
        }

        /** @param units failed units excused as failed before the switch; none is written as absent */
        public Attempt withFailedBefore(List<String> units) {
            return new Attempt(sha256, result, attempt, startedAt, finishedAt, error, logTail,
                    units == null || units.isEmpty() ? null : units, system);
        }

        public Attempt withSystem(String system) {
            return new Attempt(sha256, result, attempt, startedAt, finishedAt, error, logTail, failedBefore, system);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Attempt other && Objects.equals(sha256, other.sha256) && result == other.result
                    && attempt == other.attempt && Objects.equals(startedAt, other.startedAt)
                    && Objects.equals(finishedAt, other.finishedAt) && Objects.equals(error, other.error)
                    && Objects.equals(logTail, other.logTail) && Objects.equals(failedBefore, other.failedBefore)
                    && Objects.equals(system, other.system);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sha256, result, attempt, startedAt, finishedAt, error, logTail, failedBefore, system);
        }
    }

    /** Set while the host is paused: since when, until when (null = until unpaused), and why. */
    public record Paused(Instant since, Instant until, String reason) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Paused other && Objects.equals(since, other.since) && Objects.equals(until, other.until)
                    && Objects.equals(reason, other.reason);
        }

        @Override
        public int hashCode() {
            return Objects.hash(since, until, reason);
        }
    }

    /**
     * {@code waiting} (added): a version downloaded, verified and built outside the maintenance
     * window, which the daemon switches to when {@code window} next opens, at {@code next}
     * ({@code npc-daemon trigger --now} switches at once). Absent when nothing waits.
     *
     * @param system the built toplevel, kept from the garbage collector until then
     */
    public record Waiting(String window, Instant next, String remote, String configuration, String sha256,
                          String system) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Waiting other && Objects.equals(window, other.window) && Objects.equals(next, other.next)
                    && Objects.equals(remote, other.remote) && Objects.equals(configuration, other.configuration)
                    && Objects.equals(sha256, other.sha256) && Objects.equals(system, other.system);
        }

        @Override
        public int hashCode() {
            return Objects.hash(window, next, remote, configuration, sha256, system);
        }
    }

    /**
     * {@code reboot} (added): the running system {@code system} boots another kernel, initrd,
     * kernel modules or kernel parameters ({@code changed}: "kernel", "initrd", "kernel-modules",
     * "kernel-params") than the booted system {@code booted} runs, since {@code since}. {@code next}
     * is when the daemon reboots the host (null when it does not), {@code note} why it does not
     * (reboot = "never", or it rebooted for this system before). Absent when no reboot is needed.
     */
    public record Reboot(List<String> changed, String system, String booted, Instant since, Instant next,
                         String note) {
        /** Why, for people: "kernel, initrd changed". */
        public String reason() {
            return String.join(", ", changed) + " changed";
        }

        /** @param next when the daemon reboots, or null; @param note why it does not, or null */
        public Reboot scheduled(Instant next, String note) {
            return new Reboot(changed, system, booted, since, next, note);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reboot other && Objects.equals(changed, other.changed)
                    && Objects.equals(system, other.system) && Objects.equals(booted, other.booted)
                    && Objects.equals(since, other.since) && Objects.equals(next, other.next)
                    && Objects.equals(note, other.note);
        }

        @Override
        public int hashCode() {
            return Objects.hash(changed, system, booted, since, next, note);
        }
    }
}
