package dev.npc.remote;

import dev.npc.store.IntegrityException;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;

import java.io.IOException;
import java.time.Clock;
import java.util.Objects;

/**
 * Puts back the version a remote held before its last push or promote, as a new publish: with a
 * new sequence, so hosts that keep the highest sequence they accepted take it, and, with a key,
 * signed anew (the archived signature is for an older sequence, so hosts would refuse it as a
 * replay).
 */
public final class RemoteRollback {
    private final Store store;
    private final Clock clock;
    private final RemoteHistory history;

    public RemoteRollback(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.history = new RemoteHistory(store, clock);
    }

    public record RolledBack(String remote, String from, String to) { }

    public RolledBack rollback(String remote) throws IOException, RemoteException {
        return rollback(remote, Signing.NONE);
    }

    /** @param signing signs the restored version for {@code remote} and its new sequence, or publishes it unsigned */
    public RolledBack rollback(String remote, Signing signing) throws IOException, RemoteException {
        ObjectInfo current = store.head(Layout.remote(remote)).orElseThrow(() -> new RemoteException(
                "remote '" + remote + "' does not exist in " + store.url() + "; nothing to roll back"));
        String currentSha = current.meta(RemoteMetadata.SHA256);
        for (ObjectInfo listed : history.versions(remote)) {
            // Listings carry no metadata (S3 does not return it): the version's sha256 needs a HEAD.
            ObjectInfo earlier = store.head(listed.key()).orElse(null);
            if (earlier == null) {
                continue;
            }
            String sha = earlier.meta(RemoteMetadata.SHA256);
            if (sha != null && !Objects.equals(sha, currentSha)) {
                signing.checkUnsigning(remote, "npc rollback " + remote, earlier, current);
                RemoteMetadata metadata = signing.apply(remote, RemoteMetadata.of(earlier),
                        Sequence.next(clock, remote, current));
                ObjectInfo archived = history.archive(remote, current);
                try {
                    store.copy(earlier.key(), Layout.remote(remote), earlier.etag(),
                            metadata.toMap(earlier.meta(RemoteMetadata.MD5)));
                } catch (IntegrityException e) {
                    throw new RemoteException("rollback of '" + remote + "' not done: the server did not copy the"
                            + " version checked: " + e.getMessage() + "; " + history.restore(remote, archived));
                }
                return new RolledBack(remote, currentSha, sha);
            }
        }
        throw new RemoteException("remote '" + remote + "' has no earlier version in its history ("
                + RemoteHistory.prefix(remote) + "); push the version you want instead");
    }
}
