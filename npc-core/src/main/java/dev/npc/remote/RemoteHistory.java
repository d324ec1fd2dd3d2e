package dev.npc.remote;

import dev.npc.digest.Sha256;
import dev.npc.store.IntegrityException;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;

import java.io.IOException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Earlier versions of each remote, kept so {@code npc rollback} can put one back:
 * {@code remotes-history/<name>/<utc-timestamp>-<sha8>.npc}, a server-side copy made just
 * before a push or promote replaces the remote. The newest {@value #KEEP} per remote are kept;
 * the store module's lifecycle rule may expire older ones sooner.
 */
public final class RemoteHistory {
    public static final String PREFIX = "remotes-history/";
    public static final int KEEP = 10;
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Store store;
    private final Clock clock;

    public RemoteHistory(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public static String prefix(String remote) {
        return PREFIX + RemoteName.check(remote) + "/";
    }

    /**
     * Copies what {@code remote} holds now into its history.
     *
     * @param current the remote's object as the caller just read it (null: it holds nothing, no-op);
     *                callers have it already, so the history costs no second HEAD
     * @return the archived copy, which {@link #restore} puts back; null when there was nothing
     * @throws IntegrityException when the server copied another version than {@code current}:
     *                            the bad copy is deleted and the remote is untouched
     */
    public ObjectInfo archive(String remote, ObjectInfo current) throws IOException {
        if (current == null) {
            return null;
        }
        String sha = current.meta(RemoteMetadata.SHA256);
        String key = prefix(remote) + STAMP.format(clock.instant()) + "-" + Sha256.shortForm(sha == null ? "unknown" : sha)
                + Layout.REMOTE_SUFFIX;
        ObjectInfo archived;
        try {
            archived = store.copy(Layout.remote(remote), key, current.etag());
        } catch (IntegrityException e) {
            store.delete(key);
            throw e;
        }
        prune(remote);
        return archived;
    }

    /**
     * Puts back what {@code remote} held before a write whose result could not be verified: the
     * version {@link #archive} kept, or no object at all when there was none.
     *
     * @return what was done, for the error message of the failed command
     */
    public String restore(String remote, ObjectInfo archived) {
        String key = Layout.remote(remote);
        try {
            if (archived == null) {
                store.delete(key);
                return "removed remotes/" + remote + ".npc again (it did not exist before)";
            }
            store.copy(archived.key(), key, archived.etag());
            String sha = archived.meta(RemoteMetadata.SHA256);
            return "put back " + (sha == null ? "the previous version" : Sha256.shortForm(sha)) + " from " + archived.key();
        } catch (IOException | RuntimeException e) {
            return "could not put back the previous version (" + e.getMessage() + "); run npc rollback " + remote;
        }
    }

    /** Archived versions, newest first. */
    public List<ObjectInfo> versions(String remote) throws IOException {
        List<ObjectInfo> all = new ArrayList<>(store.list(prefix(remote)));
        all.sort((a, b) -> b.key().compareTo(a.key()));
        return all;
    }

    private void prune(String remote) throws IOException {
        List<ObjectInfo> versions = versions(remote);
        for (int i = KEEP; i < versions.size(); i++) {
            store.delete(versions.get(i).key());
        }
    }
}
