package dev.npc.watch;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code npc watch} remembers between looks and across restarts (docs/format.md, "the npc
 * watch state file"): the hosts it last saw in trouble, the last stopped rollout it told about,
 * and per destination the events not delivered yet.
 *
 * @param schema  1
 * @param store   the store these facts are about: a state file is never reused for another store
 * @param hosts   only hosts in trouble (failed, rolled back, stale); a host not listed was fine
 * @param rollout the key (version@startedAt) of the last stopped rollout told about, or null
 * @param outbox  by destination id (no secret in it: a hash of the URL or command)
 */
public record WatchState(int schema, String store, Map<String, HostMark> hosts, String rollout,
                         Map<String, List<Pending>> outbox) {
    public static final int SCHEMA = 1;

    public static WatchState empty(String store) {
        return new WatchState(SCHEMA, store, Map.of(), null, Map.of());
    }

    /**
     * A host in trouble as last seen.
     *
     * @param kind    host-failed, host-rolled-back or host-stale
     * @param version the version it was in trouble on (null when there is none: a missing remote)
     * @param since   when npc watch first saw it so
     * @param sent    the event ids already queued since the host was last fine: a host that goes
     *                stale and comes back failed on the same version is not announced twice
     */
    public record HostMark(EventKind kind, String version, Instant since, List<String> sent) { }

    /**
     * @param attempts      deliveries tried so far
     * @param nextAttemptAt not before (backoff)
     * @param lastError     why the last try failed, or null
     */
    public record Pending(WatchEvent event, int attempts, Instant nextAttemptAt, String lastError) { }
}
