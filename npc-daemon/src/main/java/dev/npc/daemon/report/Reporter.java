package dev.npc.daemon.report;

import dev.npc.files.AtomicFiles;
import dev.npc.daemon.files.StateDir;
import dev.npc.host.HostState;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import dev.npc.store.Layout;
import dev.npc.store.Store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Holds the host's state and reports it: {@code state.json} in the state directory (atomically,
 * always first) and {@code hosts/<host>/state.json} in the store. When the store cannot be
 * reached the newest state and every history record wait in an outbox on disk and are uploaded
 * when it is back; a failed upload never stops or undoes an activation.
 */
public final class Reporter {
    /** An idle daemon re-reports this often, so npc status can tell a quiet host from a dead one. */
    private static final DateTimeFormatter HISTORY_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final StateDir dir;
    private final Store store;
    private final String host;
    private final Clock clock;
    private final EventLog log;
    private final List<Consumer<HostState>> listeners = new ArrayList<>();
    private HostState state;
    private Instant lastUpload;
    /** Set after a failed upload, so later phases of the same poll do not wait on a dead store again. */
    private boolean storeDown;
    private boolean unwritten;

    public Reporter(StateDir dir, Store store, String host, Clock clock, EventLog log, HostState initial) {
        this.dir = dir;
        this.store = store;
        this.host = host;
        this.clock = clock;
        this.log = log;
        this.state = initial;
        // Uploaded last time unless an upload is still pending: a daemon run by a timer then only
        // re-uploads an unchanged state at the heartbeat, not at every run.
        this.lastUpload = Files.exists(pendingMarker()) ? null : initial.updatedAt();
    }

    /** Reads the state a previous run left, or null when there is none (or it is unreadable). */
    public static HostState readLocal(StateDir dir) {
        try {
            if (!Files.exists(dir.state())) {
                return null;
            }
            return Json.read(Files.readAllBytes(dir.state()), HostState.class, dir.state().toString());
        } catch (IOException | InvalidDocumentException e) {
            return null;
        }
    }

    /**
     * Takes the state another process wrote to state.json while this one did not hold the
     * activation lock (install's first activation, a follow --once), restamped by
     * {@code identity}: only when it is at least as new as the state held, so a local write that
     * failed never brings back an older state.
     */
    public void reload(UnaryOperator<HostState> identity) {
        HostState onDisk = readLocal(dir);
        if (onDisk != null && onDisk.updatedAt() != null
                && (state.updatedAt() == null || !onDisk.updatedAt().isBefore(state.updatedAt()))) {
            state = identity.apply(onDisk);
            unwritten = !state.sameContentAs(onDisk);
        }
    }

    public void onChange(Consumer<HostState> listener) {
        listeners.add(listener);
    }

    public HostState state() {
        return state;
    }

    /**
     * The state held differs from what was last written (this daemon restamped a state an earlier
     * run left, with its own version and poll interval, e.g. after a restart into a changed unit):
     * the next update reports, even when it changes nothing else.
     */
    public void unwritten() {
        unwritten = true;
    }

    /** Applies a change and reports it when a reader would see a difference (or a heartbeat is due). */
    public HostState update(UnaryOperator<HostState> change) {
        HostState next = change.apply(state);
        boolean changed = !next.sameContentAs(state) || unwritten;
        unwritten = false;
        boolean heartbeat = lastUpload == null || !clock.instant().isBefore(lastUpload.plus(HostState.HEARTBEAT));
        if (changed || heartbeat || state.updatedAt() == null) {
            publish(next);
        }
        return state;
    }

    /** Writes the state now, whether or not it changed. */
    public void publish(HostState next) {
        state = next.withUpdatedAt(clock.instant());
        byte[] json = Json.write(state);
        try {
            AtomicFiles.write(dir.state(), json);
        } catch (IOException e) {
            log.warn("cannot write " + dir.state() + ": " + e.getMessage(), e);
        }
        listeners.forEach(l -> l.accept(state));
        markPending();
        if (!storeDown) {
            uploadState();
        }
    }

    /** Records one finished attempt as {@code history/<host>/<utc>-<result>.json} ({@link Layout#history}). */
    public void history(HostState snapshot) {
        HostState.Attempt attempt = snapshot.lastAttempt();
        Instant when = attempt.finishedAt() != null ? attempt.finishedAt() : clock.instant();
        String name = HISTORY_TIME.format(when) + "-" + attempt.result() + ".json";
        Path pending = dir.outbox().resolve("history").resolve(name);
        try {
            AtomicFiles.write(pending, Json.write(snapshot));
        } catch (IOException e) {
            log.warn("cannot keep history record " + name + ": " + e.getMessage(), e);
            return;
        }
        if (!storeDown) {
            uploadHistory(pending);
        }
    }

    /** Uploads whatever waits in the outbox; called at the start of every poll. */
    public void flush() {
        storeDown = false;
        if (Files.exists(pendingMarker())) {
            uploadState();
        }
        Path historyDir = dir.outbox().resolve("history");
        if (!storeDown && Files.isDirectory(historyDir)) {
            List<Path> records = new ArrayList<>();
            // Filtered by name here: a glob would compile a regular expression at every poll.
            try (DirectoryStream<Path> files = Files.newDirectoryStream(historyDir)) {
                for (Path file : files) {
                    if (file.getFileName().toString().endsWith(".json")) {
                        records.add(file);
                    }
                }
            } catch (IOException e) {
                log.warn("cannot read " + historyDir + ": " + e.getMessage(), e);
            }
            records.sort(null);
            for (Path record : records) {
                if (storeDown || !uploadHistory(record)) {
                    break;
                }
            }
        }
    }

    private void uploadState() {
        try {
            byte[] json = Files.readAllBytes(dir.state());
            store.put(Layout.state(host), json, Map.of());
            Files.deleteIfExists(pendingMarker());
            lastUpload = clock.instant();
        } catch (IOException | RuntimeException e) {
            storeUnreachable(e);
        }
    }

    private boolean uploadHistory(Path record) {
        try {
            String name = record.getFileName().toString();
            String timestamp = name.substring(0, name.indexOf('-'));
            String result = name.substring(name.indexOf('-') + 1, name.length() - ".json".length());
            store.put(Layout.history(host, timestamp, result), Files.readAllBytes(record), Map.of());
            Files.deleteIfExists(record);
            return true;
        } catch (IOException | RuntimeException e) {
            storeUnreachable(e);
            return false;
        }
    }

    private void storeUnreachable(Exception e) {
        if (!storeDown) {
            log.warn("cannot report to " + store.url() + " (" + e.getMessage()
                    + "); the report is kept in " + dir.outbox() + " and uploaded when the store is back", e);
        }
        storeDown = true;
    }

    private void markPending() {
        try {
            Files.createDirectories(dir.outbox());
            if (!Files.exists(pendingMarker())) {
                Files.write(pendingMarker(), new byte[0]);
            }
        } catch (IOException e) {
            log.warn("cannot write " + pendingMarker() + ": " + e.getMessage(), e);
        }
    }

    private Path pendingMarker() {
        return dir.outbox().resolve("state.pending");
    }
}
