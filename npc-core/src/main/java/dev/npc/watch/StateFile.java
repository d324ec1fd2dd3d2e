package dev.npc.watch;

import dev.npc.files.AtomicFiles;
import dev.npc.files.OsFileLock;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The watch state on disk: held exclusively while a watcher runs (two watchers on one file would
 * each send every event), rewritten whole through a temporary file and a rename, so a crash or a
 * kill leaves the old state or the new one, never half of either.
 */
public final class StateFile implements AutoCloseable {
    private final Path path;
    private final OsFileLock.Held lock;

    private StateFile(Path path, OsFileLock.Held lock) {
        this.path = path;
        this.lock = lock;
    }

    /** Takes the file for this process; another npc watch on it is an error naming the file. */
    public static StateFile open(Path path) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        Files.createDirectories(absolute.getParent());
        OsFileLock.Held lock = new OsFileLock(absolute.resolveSibling(absolute.getFileName() + ".lock")).tryAcquire();
        if (lock == null) {
            throw new IOException("another npc watch uses the state file " + absolute
                    + "; stop it, or give this one its own --state FILE");
        }
        return new StateFile(absolute, lock);
    }

    public Path path() {
        return path;
    }

    /** The saved state, or an empty one for {@code store} when there is none yet. */
    public WatchState load(String store) throws IOException {
        if (!Files.exists(path)) {
            return WatchState.empty(store);
        }
        WatchState state;
        try {
            state = Json.read(Files.readAllBytes(path), WatchState.class, "npc watch state " + path);
        } catch (InvalidDocumentException e) {
            throw new IOException(e.getMessage() + "; move it away (the next start then sends the fleet's current problems again)");
        }
        if (state.store() != null && !state.store().equals(store)) {
            throw new IOException("the state file " + path + " is about the store " + state.store() + ", not " + store
                    + "; give each store its own --state FILE");
        }
        if (state.schema() != WatchState.SCHEMA) {
            throw new IOException("the state file " + path + " has schema " + state.schema() + ", this npc reads "
                    + WatchState.SCHEMA + "; move it away or run the npc that wrote it");
        }
        return state;
    }

    public synchronized void save(WatchState state) throws IOException {
        AtomicFiles.write(path, Json.write(state));
    }

    @Override
    public void close() throws IOException {
        lock.close();
    }
}
