package dev.npc.fleet;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.npc.json.EnumNames;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import dev.npc.remote.RemoteName;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rollouts/last.json}: the last {@code npc rollout}, rewritten at its start and after each
 * wave, so the fleet page can show its waves and {@code npc watch} can tell a stopped rollout
 * without either having run it. A reader treats it as hostile like every document in the bucket.
 *
 * @param schema    1
 * @param from      the remote the version was taken from
 * @param version   the sha256 being rolled out
 * @param startedAt when the rollout began
 * @param updatedAt when this record was last written
 * @param state     running, complete or stopped
 * @param waves     every wave of the rollout in order, those not reached as {@code not-reached}
 */
public record RolloutRecord(int schema, String from, String version, Instant startedAt, Instant updatedAt,
                            State state, List<Wave> waves) {
    public static final int SCHEMA = 1;
    /** Waves and detail texts are bounded so a hostile record cannot flood a page or an alert. */
    static final int MAX_WAVES = 64;

    public enum State {
        RUNNING, COMPLETE, STOPPED, UNKNOWN;

        @JsonValue
        @Override
        public String toString() {
            return EnumNames.of(this);
        }

        @JsonCreator
        public static State of(String json) {
            return EnumNames.parse(State.class, json, UNKNOWN);
        }
    }

    /** What one wave reached: promoted and waiting, up to date, or how it stopped the rollout. */
    public enum WaveState {
        NOT_REACHED, WAITING, UP_TO_DATE, FAILED, TIMED_OUT, NO_HOSTS, NO_REMOTE, UNKNOWN;

        @JsonValue
        @Override
        public String toString() {
            return EnumNames.of(this);
        }

        @JsonCreator
        public static WaveState of(String json) {
            return EnumNames.parse(WaveState.class, json, UNKNOWN);
        }

        static WaveState of(FleetWaiter.Outcome outcome) {
            if (outcome instanceof FleetWaiter.Done) {
                return UP_TO_DATE;
            }
            if (outcome instanceof FleetWaiter.Failed) {
                return FAILED;
            }
            if (outcome instanceof FleetWaiter.TimedOut) {
                return TIMED_OUT;
            }
            return outcome instanceof FleetWaiter.NoHosts ? NO_HOSTS : NO_REMOTE;
        }
    }

    /** @param detail why the wave stopped the rollout (the failing host and its error), else null */
    public record Wave(String remote, WaveState state, String detail) {
        static String describe(FleetWaiter.Outcome outcome) {
            if (outcome instanceof FleetWaiter.Failed failed) {
                return FleetWaiter.describe(failed);
            }
            if (outcome instanceof FleetWaiter.TimedOut timedOut) {
                return "timed out waiting for " + String.join(", ", timedOut.notDone().stream().map(HostView::host).toList());
            }
            if (outcome instanceof FleetWaiter.NoHosts) {
                return "no host follows it";
            }
            return outcome instanceof FleetWaiter.NoRemote ? "the remote does not exist" : null;
        }
    }

    static RolloutRecord started(String from, String version, List<String> waves, Instant now) {
        List<Wave> all = waves.stream().map(w -> new Wave(w, WaveState.NOT_REACHED, null)).toList();
        return new RolloutRecord(SCHEMA, from, version, now, now, State.RUNNING, all);
    }

    /** This record with {@code wave} in {@code state}; the rollout's own state follows from it. */
    RolloutRecord with(String wave, WaveState waveState, String detail, boolean last, Instant now) {
        List<Wave> next = new ArrayList<>(waves);
        next.replaceAll(w -> w.remote().equals(wave) ? new Wave(wave, waveState, detail) : w);
        State overall = switch (waveState) {
            case WAITING -> State.RUNNING;
            case UP_TO_DATE -> last ? State.COMPLETE : State.RUNNING;
            default -> State.STOPPED;
        };
        return new RolloutRecord(schema, from, version, startedAt, now, overall, List.copyOf(next));
    }

    void write(Store store) throws IOException {
        store.put(Layout.ROLLOUT, Json.write(this), Map.of());
    }

    /** The last rollout, or empty when none was recorded; a damaged record is an error naming it. */
    public static Optional<RolloutRecord> read(Store store) throws IOException, InvalidDocumentException {
        try (GetResult result = store.get(Layout.ROLLOUT, null)) {
            if (!(result instanceof GetResult.Found found)) {
                return Optional.empty();
            }
            byte[] bytes;
            try (InputStream body = found.body()) {
                bytes = body.readNBytes(Json.MAX_DOCUMENT_BYTES + 1);
            }
            return Optional.of(parse(bytes));
        }
    }

    static RolloutRecord parse(byte[] bytes) throws InvalidDocumentException {
        String what = Layout.ROLLOUT;
        RolloutRecord record = Json.read(bytes, RolloutRecord.class, what);
        if (record.from == null || record.version == null || record.state == null || record.waves == null) {
            throw new InvalidDocumentException(what + " misses from, version, state or waves; the next npc rollout rewrites it");
        }
        if (!dev.npc.digest.Sha256.isHex(record.version)) {
            throw new InvalidDocumentException(what + ": version is not a sha256; the next npc rollout rewrites it");
        }
        if (record.waves.size() > MAX_WAVES) {
            throw new InvalidDocumentException(what + " lists " + record.waves.size() + " waves, over " + MAX_WAVES
                    + "; the next npc rollout rewrites it");
        }
        try {
            RemoteName.check(record.from);
            for (Wave wave : record.waves) {
                if (wave == null || wave.state() == null) {
                    throw new InvalidDocumentException(what + " has a wave without a state; the next npc rollout rewrites it");
                }
                RemoteName.check(wave.remote());
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidDocumentException(what + ": " + e.getMessage());
        }
        return record;
    }
}
