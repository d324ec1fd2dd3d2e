package dev.npc.daemon.report;

import dev.npc.host.HostState;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.HostState.Current;
import dev.npc.host.HostState.DesiredRef;
import dev.npc.host.HostState.Paused;

import java.time.Instant;
import java.util.Objects;

/** Copies of a {@link HostState} with one part changed; the record itself stays a plain document. */
public final class States {
    private States() { }

    public static HostState initial(String host, String daemonVersion, int pollIntervalSeconds) {
        return new HostState(host, daemonVersion, null, HostState.IDLE, null, null, null, null,
                pollIntervalSeconds, null);
    }

    public static HostState phase(HostState s, String phase) {
        return new HostState(s.host(), s.daemonVersion(), s.updatedAt(), phase, s.desired(), s.current(),
                s.lastAttempt(), s.paused(), s.pollIntervalSeconds(), s.message());
    }

    public static HostState desired(HostState s, DesiredRef desired) {
        return new HostState(s.host(), s.daemonVersion(), s.updatedAt(), s.phase(), desired, s.current(),
                s.lastAttempt(), s.paused(), s.pollIntervalSeconds(), s.message());
    }

    public static HostState current(HostState s, Current current) {
        return new HostState(s.host(), s.daemonVersion(), s.updatedAt(), s.phase(), s.desired(), current,
                s.lastAttempt(), s.paused(), s.pollIntervalSeconds(), s.message());
    }

    public static HostState attempt(HostState s, Attempt attempt) {
        return new HostState(s.host(), s.daemonVersion(), s.updatedAt(), s.phase(), s.desired(), s.current(),
                attempt, s.paused(), s.pollIntervalSeconds(), s.message());
    }

    public static HostState paused(HostState s, Paused paused) {
        return new HostState(s.host(), s.daemonVersion(), s.updatedAt(), s.phase(), s.desired(), s.current(),
                s.lastAttempt(), paused, s.pollIntervalSeconds(), s.message());
    }

    public static HostState message(HostState s, String message) {
        return new HostState(s.host(), s.daemonVersion(), s.updatedAt(), s.phase(), s.desired(), s.current(),
                s.lastAttempt(), s.paused(), s.pollIntervalSeconds(), message);
    }

    /** Re-stamps a state loaded from disk with this daemon's identity and interval. */
    public static HostState identity(HostState s, String host, String daemonVersion, int pollIntervalSeconds) {
        return new HostState(host, daemonVersion, s.updatedAt(), s.phase() == null ? HostState.IDLE : s.phase(),
                s.desired(), s.current(), s.lastAttempt(), s.paused(), pollIntervalSeconds, s.message());
    }

    public static HostState stamped(HostState s, Instant now) {
        return new HostState(s.host(), s.daemonVersion(), now, s.phase(), s.desired(), s.current(),
                s.lastAttempt(), s.paused(), s.pollIntervalSeconds(), s.message());
    }

    /** Equal apart from the time stamp: nothing a reader would see as news. */
    public static boolean sameContent(HostState a, HostState b) {
        return a != null && b != null && Objects.equals(stamped(a, Instant.EPOCH), stamped(b, Instant.EPOCH));
    }
}
