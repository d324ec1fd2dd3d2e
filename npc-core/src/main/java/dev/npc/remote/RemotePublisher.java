package dev.npc.remote;

import dev.npc.pack.PackResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Uploads a packed archive as a remote. A remote that already holds the same version (signed by
 * the same key for this name, when signing) is left alone, so its ETag stays and no host
 * rebuilds (npcnix re-uploaded on every publish). Anything else is written with a new publish
 * sequence ({@link Sequence}).
 */
public final class RemotePublisher {
    private final Store store;
    private final java.time.Clock clock;
    private final RemoteHistory history;

    public RemotePublisher(Store store, java.time.Clock clock) {
        this.store = store;
        this.clock = clock;
        this.history = new RemoteHistory(store, clock);
    }

    /** What a publish did. */
    public record Published(String remote, String sha256, boolean unchanged, ObjectInfo object) { }

    /**
     * @param signing  signs the remote for its name and new sequence, or publishes it unsigned
     * @param wrapBody lets the caller observe the upload (a progress bar); identity when not needed
     * @throws RemoteException when the remote is signed and {@code signing} would publish it unsigned
     */
    public Published publish(String remote, Path archive, PackResult pack, Signing signing,
                             UnaryOperator<InputStream> wrapBody) throws IOException, RemoteException {
        String key = Layout.remote(remote);
        Optional<ObjectInfo> existing = store.head(key);
        if (existing.isPresent() && pack.sha256().equals(existing.get().meta(RemoteMetadata.SHA256))
                && signing.satisfiedBy(remote, existing.get())) {
            return new Published(remote, pack.sha256(), true, existing.get());
        }
        signing.checkUnsigning(remote, "npc push --remote " + remote, existing.orElse(null));
        RemoteMetadata metadata = signing.apply(remote, new RemoteMetadata(RemoteMetadata.CURRENT_FORMAT, pack.sha256(),
                pack.files(), pack.sourceRev(), null, null), Sequence.next(clock, remote, existing.orElse(null)));
        history.archive(remote, existing.orElse(null));
        ObjectInfo written = store.put(key, () -> wrapBody.apply(Files.newInputStream(archive)), Files.size(archive),
                metadata.toMap(), dev.npc.store.Precondition.NONE);
        return new Published(remote, pack.sha256(), false, written);
    }
}
