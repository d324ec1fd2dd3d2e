package dev.npc.fleet;

import dev.npc.host.Desired;
import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the fleet read keeps of a document once parsed, and its binary form in the cache file:
 * a desired.json as its {@link Desired}, a state.json as the fields a host's status is decided
 * and shown from ({@link #trim}), or the error it was refused with. Loading this is a few reads
 * per field, where parsing the JSON documents again was most of a read with nothing changed.
 *
 * <p>A fresh read keeps exactly the same ({@link FleetReader} trims what it parses), so a view
 * from the cache is the view a fresh read of the same ETags gives. What is read back is checked
 * as the bucket's documents are: every string bounded, every desired.json validated again
 * ({@link DocumentCache} drops a file that breaks any rule).
 */
final class DocumentCodec {
    private static final byte ERROR = 'E';
    private static final byte DESIRED = 'D';
    private static final byte STATE = 'S';
    /** No field of a document can be longer than the document. */
    private static final int MAX_STRING = Json.MAX_DOCUMENT_BYTES;

    private DocumentCodec() { }

    /**
     * The state as far as status, wait, rollout and watch look at it: what a host claims to run,
     * want, attempt and wait for; not the log tail, the failed units, the store paths, the message
     * or the copy of desired.json.
     */
    static HostState trim(HostState state) {
        HostState.DesiredRef desired = state.desired() == null ? null
                : new HostState.DesiredRef(state.desired().remote(), state.desired().configuration(),
                        state.desired().sha256(), state.desired().error(), null, null);
        HostState.Current current = state.current() == null ? null
                : new HostState.Current(state.current().remote(), state.current().sha256(),
                        state.current().configuration(), null, null);
        HostState.Attempt attempt = state.lastAttempt() == null ? null
                : new HostState.Attempt(state.lastAttempt().sha256(), state.lastAttempt().result(),
                        state.lastAttempt().attempt(), null, null, state.lastAttempt().error(), null, null, null);
        HostState.Waiting waiting = state.waiting() == null ? null
                : new HostState.Waiting(state.waiting().window(), state.waiting().next(), state.waiting().remote(),
                        state.waiting().configuration(), state.waiting().sha256(), null);
        HostState.Reboot reboot = state.reboot() == null ? null
                : new HostState.Reboot(state.reboot().changed() == null ? List.of()
                        : Collections.unmodifiableList(new ArrayList<>(state.reboot().changed())),
                        null, null, null, state.reboot().next(), state.reboot().note());
        return new HostState(null, null, state.updatedAt(), state.phase(), desired, current, attempt, state.paused(),
                state.pollIntervalSeconds(), null, waiting, reboot);
    }

    /**
     * The desired.json as status sees it: written back by Jackson (a state.json's copy), an
     * absent {@code paused} comes back false, so not paused is kept as absent on every path.
     */
    static Desired trim(Desired desired) {
        return Boolean.FALSE.equals(desired.paused()) ? desired.withPaused(false) : desired;
    }

    static void write(DataOutputStream out, DocumentCache.Entry entry) throws IOException {
        if (entry.error() != null) {
            out.writeByte(ERROR);
            string(out, entry.error());
        } else if (entry.desired() != null) {
            Desired d = entry.desired();
            out.writeByte(DESIRED);
            for (String field : new String[] {d.remote(), d.configuration(), d.action(),
                    d.paused() == null ? null : d.paused().toString(), d.prebuilt(), d.window(), d.reboot()}) {
                string(out, field);
            }
        } else {
            HostState s = entry.state();
            out.writeByte(STATE);
            instant(out, s.updatedAt());
            string(out, s.phase() == null ? null : s.phase().toString());
            out.writeBoolean(s.desired() != null);
            if (s.desired() != null) {
                strings(out, s.desired().remote(), s.desired().configuration(), s.desired().sha256(), s.desired().error());
            }
            out.writeBoolean(s.current() != null);
            if (s.current() != null) {
                strings(out, s.current().remote(), s.current().sha256(), s.current().configuration());
            }
            out.writeBoolean(s.lastAttempt() != null);
            if (s.lastAttempt() != null) {
                strings(out, s.lastAttempt().sha256(), s.lastAttempt().result() == null ? null
                        : s.lastAttempt().result().toString(), s.lastAttempt().error());
                out.writeInt(s.lastAttempt().attempt());
            }
            out.writeBoolean(s.paused() != null);
            if (s.paused() != null) {
                instant(out, s.paused().since());
                instant(out, s.paused().until());
                string(out, s.paused().reason());
            }
            out.writeInt(s.pollIntervalSeconds() == null ? -1 : Math.max(0, s.pollIntervalSeconds()));
            out.writeBoolean(s.waiting() != null);
            if (s.waiting() != null) {
                strings(out, s.waiting().window(), s.waiting().remote(), s.waiting().configuration(), s.waiting().sha256());
                instant(out, s.waiting().next());
            }
            out.writeBoolean(s.reboot() != null);
            if (s.reboot() != null) {
                out.writeInt(s.reboot().changed().size());
                for (String changed : s.reboot().changed()) {
                    string(out, changed);
                }
                instant(out, s.reboot().next());
                string(out, s.reboot().note());
            }
        }
    }

    /**
     * Reads what {@link #write} wrote for {@code key} (a desired.json or state.json key, which
     * decides what may follow).
     *
     * @throws IOException when it is not that: the caller drops the whole file
     */
    /**
     * What the entries of one file share: most hosts follow one remote, run one of a few versions
     * and have the same desired.json, so each distinct value is kept (and a desired.json
     * validated) once, which keeps a fleet's cache a few MB of live heap.
     */
    static final class Shared {
        private final Map<Desired, Desired> validated = new HashMap<>();
        private final Map<String, String> strings = new HashMap<>();

        String etag(String etag) {
            return intern(etag);
        }

        private String intern(String value) {
            if (value == null) {
                return null;
            }
            String known = strings.putIfAbsent(value, value);
            return known == null ? value : known;
        }
    }

    static DocumentCache.Entry read(DataInputStream in, String key, String etag, boolean isState, Shared shared)
            throws IOException {
        byte kind = in.readByte();
        if (kind == ERROR) {
            String error = string(in, shared);
            if (error == null) {
                throw new IOException("an error without a message");
            }
            return DocumentCache.Entry.refused(etag, error);
        }
        if (kind == DESIRED && !isState) {
            String remote = string(in, shared);
            String configuration = string(in, shared);
            String action = string(in, shared);
            String paused = string(in, shared);
            Desired desired = new Desired(remote, configuration, action,
                    paused == null ? null : Boolean.valueOf(paused), string(in, shared), string(in, shared), string(in, shared));
            if (paused != null && !paused.equals("true")) {
                throw new IOException("paused is neither true nor absent");
            }
            Desired known = shared.validated.get(desired);
            if (known == null) {
                try {
                    desired.validate(key);
                } catch (InvalidDocumentException e) {
                    throw new IOException(e.getMessage());
                }
                shared.validated.put(desired, desired);
                known = desired;
            }
            return DocumentCache.Entry.desired(etag, known);
        }
        if (kind != STATE || !isState) {
            throw new IOException("not a " + (isState ? "state" : "desired") + " entry");
        }
        Instant updatedAt = instant(in);
        String phase = string(in, shared);
        HostState.DesiredRef desired = !in.readBoolean() ? null
                : new HostState.DesiredRef(string(in, shared), string(in, shared), string(in, shared), string(in, shared), null, null);
        HostState.Current current = !in.readBoolean() ? null
                : new HostState.Current(string(in, shared), string(in, shared), string(in, shared), null, null);
        HostState.Attempt attempt = null;
        if (in.readBoolean()) {
            String sha256 = string(in, shared);
            String result = string(in, shared);
            String error = string(in, shared);
            attempt = new HostState.Attempt(sha256, result == null ? null : Result.of(result), in.readInt(), null, null,
                    error, null, null, null);
        }
        HostState.Paused paused = !in.readBoolean() ? null : new HostState.Paused(instant(in), instant(in), string(in, shared));
        int interval = in.readInt();
        if (interval < -1) {
            throw new IOException("a negative poll interval");
        }
        HostState.Waiting waiting = null;
        if (in.readBoolean()) {
            String window = string(in, shared);
            String remote = string(in, shared);
            String configuration = string(in, shared);
            String sha256 = string(in, shared);
            waiting = new HostState.Waiting(window, instant(in), remote, configuration, sha256, null);
        }
        HostState.Reboot reboot = null;
        if (in.readBoolean()) {
            int count = in.readInt();
            if (count < 0 || count > MAX_STRING / 4) {
                throw new IOException("a reboot with " + count + " changes");
            }
            List<String> changed = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                changed.add(string(in, shared));
            }
            reboot = new HostState.Reboot(Collections.unmodifiableList(changed), null, null, null, instant(in), string(in, shared));
        }
        return DocumentCache.Entry.state(etag, new HostState(null, null, updatedAt, phase == null ? null : Phase.of(phase),
                desired, current, attempt, paused, interval < 0 ? null : interval, null, waiting, reboot));
    }

    private static void strings(DataOutputStream out, String... values) throws IOException {
        for (String value : values) {
            string(out, value);
        }
    }

    /** Length -1 for null, else the UTF-8 bytes: no 64 KiB limit as with writeUTF. */
    private static void string(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String string(DataInputStream in, Shared shared) throws IOException {
        return shared.intern(string(in));
    }

    private static String string(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > MAX_STRING) {
            throw new IOException("a string of " + length + " bytes");
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("truncated");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void instant(DataOutputStream out, Instant value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeLong(value.getEpochSecond());
            out.writeInt(value.getNano());
        }
    }

    private static Instant instant(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(in.readLong(), in.readInt());
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw new IOException("not a time: " + e.getMessage());
        }
    }
}
