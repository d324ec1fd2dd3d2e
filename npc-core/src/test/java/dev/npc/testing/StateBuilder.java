package dev.npc.testing;

import dev.npc.host.HostState;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.HostState.Current;
import dev.npc.host.HostState.DesiredRef;
import dev.npc.host.HostState.Paused;
import dev.npc.host.Phase;
import dev.npc.host.Result;

import java.time.Instant;

/**
 * A state.json as a daemon would have written it, for tests that play the daemon's part: a
 * fresh report of an idle host, then only what the test is about. It changes the state through
 * the record's own {@code with…} methods, so a new state field needs nothing here.
 */
public final class StateBuilder {
    private final String host;
    private HostState state;

    private StateBuilder(String host) {
        this.host = host;
        this.state = HostState.initial(host, "0.1.0", 60).withUpdatedAt(Instant.now());
    }

    /** {@code host}, reported now by daemon 0.1.0 polling every 60 s: idle, nothing desired, run or attempted. */
    public static StateBuilder host(String host) {
        return new StateBuilder(host);
    }

    /** When the daemon reported; also when {@link #running} activated and {@link #attempted} ran. */
    public StateBuilder at(Instant updatedAt) {
        state = state.withUpdatedAt(updatedAt);
        return this;
    }

    public StateBuilder phase(Phase phase) {
        state = state.withPhase(phase);
        return this;
    }

    public StateBuilder desired(DesiredRef desired) {
        state = state.withDesired(desired);
        return this;
    }

    /** Told to run {@code remote} at {@code sha256}, with the host's own configuration. */
    public StateBuilder desired(String remote, String sha256) {
        return desired(DesiredRef.resolved(remote, host, sha256));
    }

    /** Told to run {@code remote}, which cannot be used: {@code error} says why. */
    public StateBuilder desiredError(String remote, String error) {
        return desired(DesiredRef.unusable(remote, host, error));
    }

    public StateBuilder current(Current current) {
        state = state.withCurrent(current);
        return this;
    }

    /** Runs {@code remote} at {@code sha256} (the host's own configuration), vouched for since {@link #at}. */
    public StateBuilder running(String remote, String sha256) {
        return current(new Current(remote, sha256, host, "/nix/store/x-nixos-system-" + host, state.updatedAt()));
    }

    public StateBuilder attempt(Attempt attempt) {
        state = state.withLastAttempt(attempt);
        return this;
    }

    /** A first attempt at {@code sha256}, started and ended at {@link #at}. */
    public StateBuilder attempted(String sha256, Result result) {
        return attempt(Attempt.ended(sha256, result, 1, state.updatedAt(), state.updatedAt()));
    }

    /** A first attempt at {@code sha256} that ended with {@code error} and the output's last lines. */
    public StateBuilder attempted(String sha256, Result result, String error, String logTail) {
        return attempt(Attempt.ended(sha256, result, 1, state.updatedAt(), state.updatedAt())
                .withError(error, logTail));
    }

    public StateBuilder paused(Paused paused) {
        state = state.withPaused(paused);
        return this;
    }

    public StateBuilder message(String message) {
        state = state.withMessage(message);
        return this;
    }

    public StateBuilder daemonVersion(String daemonVersion) {
        state = state.withDaemon(host, daemonVersion, state.pollIntervalSeconds());
        return this;
    }

    public HostState build() {
        return state;
    }
}
