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

    static void write(DataOutputStream out, DocumentCache.Entry entry, Strings strings) throws IOException {
        if (entry.error() != null) {
            out.writeByte(ERROR);
            string(out, strings, entry.error());
        } else if (entry.desired() != null) {
            Desired d = entry.desired();
            out.writeByte(DESIRED);
            for (String field : new String[] {d.remote(), d.configuration(), d.action(),
                    d.paused() == null ? null : d.paused().toString(), d.prebuilt(), d.window(), d.reboot()}) {
                string(out, strings, field);
            }
        } else {
            HostState s = entry.state();
            out.writeByte(STATE);
            instant(out, s.updatedAt());
            string(out, strings, s.phase() == null ? null : s.phase().toString());
            out.writeBoolean(s.desired() != null);
            if (s.desired() != null) {
                strings(out, strings, s.desired().remote(), s.desired().configuration(), s.desired().sha256(), s.desired().error());
            }
            out.writeBoolean(s.current() != null);
            if (s.current() != null) {
                strings(out, strings, s.current().remote(), s.current().sha256(), s.current().configuration());
            }
            out.writeBoolean(s.lastAttempt() != null);
            if (s.lastAttempt() != null) {
                strings(out, strings, s.lastAttempt().sha256(), s.lastAttempt().result() == null ? null
                        : s.lastAttempt().result().toString(), s.lastAttempt().error());
                out.writeInt(s.lastAttempt().attempt());
            }
            out.writeBoolean(s.paused() != null);
            if (s.paused() != null) {
                instant(out, s.paused().since());
                instant(out, s.paused().until());
                string(out, strings, s.paused().reason());
            }
            out.writeInt(s.pollIntervalSeconds() == null ? -1 : Math.max(0, s.pollIntervalSeconds()));
            out.writeBoolean(s.waiting() != null);
            if (s.waiting() != null) {
                strings(out, strings, s.waiting().window(), s.waiting().remote(), s.waiting().configuration(), s.waiting().sha256());
                instant(out, s.waiting().next());
            }
            out.writeBoolean(s.reboot() != null);
            if (s.reboot() != null) {
                out.writeInt(s.reboot().changed().size());
                for (String changed : s.reboot().changed()) {
                    string(out, strings, changed);
                }
                instant(out, s.reboot().next());
                string(out, strings, s.reboot().note());
            }
        }
    }

    /**
     * The strings of one file, each written once and referred to by number: most hosts follow
     * one remote, run one of a few versions and share a desired.json (and its ETag), so the file
     * is small, loading it makes each distinct string once, and the cache's live heap is a few MB.
     */
    static final class Strings {
        private final Map<String, Integer> numbers = new HashMap<>();
        private final List<String> table = new ArrayList<>();
        private long bytes;

        /** At most what the table takes in the file. */
        long bytes() {
            return bytes;
        }

        /** The number of {@code value}, -1 for null. */
        int number(String value) {
            if (value == null) {
                return -1;
            }
            Integer known = numbers.putIfAbsent(value, table.size());
            if (known != null) {
                return known;
            }
            table.add(value);
            bytes += 4 + 3L * value.length();
            return table.size() - 1;
        }

        void writeTable(DataOutputStream out) throws IOException {
            out.writeInt(table.size());
            for (String value : table) {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                out.writeInt(bytes.length);
                out.write(bytes);
            }
        }
    }

    /** What {@link Strings#writeTable} wrote, and the desired.json documents validated so far (each distinct one once). */
    static final class Reader {
        private final String[] table;
        private final Map<Desired, Desired> validated = new HashMap<>();
        /** Each distinct phase and result string parsed once. */
        private final Map<String, Phase> phases = new HashMap<>();
        private final Map<String, Result> results = new HashMap<>();

        private Reader(String[] table) {
            this.table = table;
        }

        /** @param maxBytes what is left of the file: no table is larger */
        static Reader readTable(DataInputStream in, long maxBytes) throws IOException {
            int count = in.readInt();
            if (count < 0 || count > maxBytes / 4) {
                throw new IOException("a table of " + count + " strings");
            }
            String[] table = new String[count];
            for (int i = 0; i < count; i++) {
                int length = in.readInt();
                if (length < 0 || length > MAX_STRING) {
                    throw new IOException("a string of " + length + " bytes");
                }
                byte[] bytes = in.readNBytes(length);
                if (bytes.length != length) {
                    throw new IOException("truncated");
                }
                table[i] = new String(bytes, StandardCharsets.UTF_8);
            }
            return new Reader(table);
        }

        /** The string numbered as read next, null for -1. */
        String string(DataInputStream in) throws IOException {
            int number = in.readInt();
            if (number == -1) {
                return null;
            }
            if (number < 0 || number >= table.length) {
                throw new IOException("no string " + number);
            }
            return table[number];
        }
    }

    /**
     * Reads what {@link #write} wrote for {@code key} (a desired.json or state.json key, which
     * decides what may follow).
     *
     * @throws IOException when it is not that: the caller drops the whole file
     */
    static DocumentCache.Entry read(DataInputStream in, String key, String etag, boolean isState, Reader strings)
            throws IOException {
        byte kind = in.readByte();
        if (kind == ERROR) {
            String error = strings.string(in);
            if (error == null) {
                throw new IOException("an error without a message");
            }
            return DocumentCache.Entry.refused(etag, error);
        }
        if (kind == DESIRED && !isState) {
            String remote = strings.string(in);
            String configuration = strings.string(in);
            String action = strings.string(in);
            String paused = strings.string(in);
            Desired desired = new Desired(remote, configuration, action,
                    paused == null ? null : Boolean.valueOf(paused), strings.string(in), strings.string(in),
                    strings.string(in));
            if (paused != null && !paused.equals("true")) {
                throw new IOException("paused is neither true nor absent");
            }
            Desired known = strings.validated.get(desired);
            if (known == null) {
                try {
                    desired.validate(key);
                } catch (InvalidDocumentException e) {
                    throw new IOException(e.getMessage());
                }
                strings.validated.put(desired, desired);
                known = desired;
            }
            return DocumentCache.Entry.desired(etag, known);
        }
        if (kind != STATE || !isState) {
            throw new IOException("not a " + (isState ? "state" : "desired") + " entry");
        }
        Instant updatedAt = instant(in);
        String phase = strings.string(in);
        HostState.DesiredRef desired = !in.readBoolean() ? null
                : new HostState.DesiredRef(strings.string(in), strings.string(in), strings.string(in),
                        strings.string(in), null, null);
        HostState.Current current = !in.readBoolean() ? null
                : new HostState.Current(strings.string(in), strings.string(in), strings.string(in), null, null);
        HostState.Attempt attempt = null;
        if (in.readBoolean()) {
            String sha256 = strings.string(in);
            String result = strings.string(in);
            String error = strings.string(in);
            attempt = new HostState.Attempt(sha256, result == null ? null
                    : strings.results.computeIfAbsent(result, Result::of), in.readInt(), null, null,
                    error, null, null, null);
        }
        HostState.Paused paused = !in.readBoolean() ? null : new HostState.Paused(instant(in), instant(in), strings.string(in));
        int interval = in.readInt();
        if (interval < -1) {
            throw new IOException("a negative poll interval");
        }
        HostState.Waiting waiting = null;
        if (in.readBoolean()) {
            String window = strings.string(in);
            String remote = strings.string(in);
            String configuration = strings.string(in);
            String sha256 = strings.string(in);
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
                changed.add(strings.string(in));
            }
            reboot = new HostState.Reboot(Collections.unmodifiableList(changed), null, null, null, instant(in),
                    strings.string(in));
        }
        Phase parsedPhase = phase == null ? null : strings.phases.computeIfAbsent(phase, Phase::of);
        return DocumentCache.Entry.state(etag, new HostState(null, null, updatedAt, parsedPhase,
                desired, current, attempt, paused, interval < 0 ? null : interval, null, waiting, reboot));
    }

    private static void strings(DataOutputStream out, Strings strings, String... values) throws IOException {
        for (String value : values) {
            out.writeInt(strings.number(value));
        }
    }

    private static void string(DataOutputStream out, Strings strings, String value) throws IOException {
        out.writeInt(strings.number(value));
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
