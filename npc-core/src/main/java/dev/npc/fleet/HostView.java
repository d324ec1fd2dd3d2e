package dev.npc.fleet;

import dev.npc.host.Desired;
import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.remote.RemoteCatalog.RemoteInfo;

import java.time.Instant;

/**
 * Everything known about one host at one moment, and its classified status.
 *
 * @param desired      null when the host has no (valid) desired.json
 * @param desiredError why desired.json could not be read, or null
 * @param state        null when the host never reported
 * @param remote       the remote the host follows as it stands in the store, or null
 */
public record HostView(String host, Desired desired, String desiredError, HostState state, RemoteInfo remote,
                       HostStatus status, String detail) {

    public String remoteName() {
        return desired == null ? null : desired.remote();
    }

    public String remoteVersion() {
        return remote == null ? null : remote.sha256();
    }

    public String runningVersion() {
        return state == null || state.current() == null ? null : state.current().sha256();
    }

    public Instant lastSeen() {
        return state == null ? null : state.updatedAt();
    }

    public Phase phase() {
        return state == null ? null : state.phase();
    }
}
