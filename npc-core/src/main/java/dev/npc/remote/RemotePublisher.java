package dev.npc.remote;

import dev.npc.pack.PackResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Uploads a packed archive as a remote. A remote that already holds the same version is left
 * alone, so its ETag stays and no host rebuilds (npcnix re-uploaded on every publish).
 */
public final class RemotePublisher {
    private final Store store;
    private final RemoteHistory history;

    public RemotePublisher(Store store, java.time.Clock clock) {
        this.store = store;
        this.history = new RemoteHistory(store, clock);
    }

    /** What a publish did. */
    public record Published(String remote, String sha256, boolean unchanged, ObjectInfo object) { }

    /**
     * @param wrapBody lets the caller observe the upload (a progress bar); identity when not needed
     */
    public Published publish(String remote, Path archive, PackResult pack, Map<String, String> extraMetadata,
                             UnaryOperator<InputStream> wrapBody) throws IOException {
        String key = Layout.remote(remote);
        Optional<ObjectInfo> existing = store.head(key);
        if (existing.isPresent() && pack.sha256().equals(existing.get().meta(RemoteMetadata.SHA256))
                && sameSignature(existing.get(), extraMetadata)) {
            return new Published(remote, pack.sha256(), true, existing.get());
        }
        RemoteMetadata metadata = new RemoteMetadata(RemoteMetadata.CURRENT_FORMAT, pack.sha256(), pack.files(),
                pack.sourceRev(), extraMetadata.get(RemoteMetadata.SIGNATURE), extraMetadata.get(RemoteMetadata.KEY_ID));
        history.archive(remote, existing.orElse(null));
        ObjectInfo written = store.put(key, () -> wrapBody.apply(Files.newInputStream(archive)), Files.size(archive),
                metadata.toMap(), dev.npc.store.Precondition.NONE);
        return new Published(remote, pack.sha256(), false, written);
    }

    /** Re-publishing the same bytes with a new signature must still reach the store. */
    private static boolean sameSignature(ObjectInfo existing, Map<String, String> extraMetadata) {
        String wanted = extraMetadata.get(RemoteMetadata.SIGNATURE);
        return wanted == null || wanted.equals(existing.meta(RemoteMetadata.SIGNATURE));
    }
}
