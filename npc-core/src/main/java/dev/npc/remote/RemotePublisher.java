package dev.npc.remote;

import dev.npc.digest.Sha256;
import dev.npc.pack.PackResult;
import dev.npc.store.BodyDigest;
import dev.npc.store.GetResult;
import dev.npc.store.IntegrityException;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Uploads a packed archive as a remote. A remote that already holds the same version (signed by
 * the same key for this name, when signing) is left alone, so its ETag stays and no host
 * rebuilds (npcnix re-uploaded on every publish), but only when the store vouches that its bytes
 * are this archive: a remote whose stored bytes differ from its metadata is uploaded again
 * (repaired). Anything else is written with a new publish sequence ({@link Sequence}). An upload
 * the store did not verifiably keep is undone: the remote gets back what it held before.
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

    /**
     * What a publish did.
     *
     * @param repaired the remote claimed this version but its stored bytes were not it, so it was uploaded again
     */
    public record Published(String remote, String sha256, boolean unchanged, boolean repaired, ObjectInfo object) { }

    /**
     * @param signing  signs the remote for its name and new sequence, or publishes it unsigned
     * @param wrapBody lets the caller observe the upload (a progress bar); identity when not needed
     * @param signing  signs the remote for its name and new sequence, or publishes it unsigned
     * @throws RemoteException when the store did not keep the upload as sent (the remote is put back),
     *                         or when the remote is signed and {@code signing} would publish it unsigned
     */
    public Published publish(String remote, Path archive, PackResult pack, Signing signing,
                             UnaryOperator<InputStream> wrapBody) throws IOException, RemoteException {
        String key = Layout.remote(remote);
        BodyDigest local = BodyDigest.of(archive);
        Optional<ObjectInfo> existing = store.head(key);
        boolean repair = false;
        if (existing.isPresent() && pack.sha256().equals(existing.get().meta(RemoteMetadata.SHA256))
                && signing.satisfiedBy(remote, existing.get())) {
            if (storedBytesAre(existing.get(), local)) {
                return new Published(remote, pack.sha256(), true, false, existing.get());
            }
            repair = true;
        }
        signing.checkUnsigning(remote, "npc push --remote " + remote, existing.orElse(null));
        RemoteMetadata metadata = signing.apply(remote, new RemoteMetadata(RemoteMetadata.CURRENT_FORMAT, pack.sha256(),
                pack.files(), pack.sourceRev(), null, null), Sequence.next(clock, remote, existing.orElse(null)));
        Map<String, String> meta = new LinkedHashMap<>(metadata.toMap());
        // The ETag a store gives these bytes when it is an MD5: what npc remotes compares cheaply
        // on servers that return no sha256 checksum.
        meta.put(RemoteMetadata.MD5, local.md5());
        // Bytes that are not what the metadata says are no version worth rolling back to.
        ObjectInfo archived = repair ? null : history.archive(remote, existing.orElse(null));
        ObjectInfo written;
        try {
            written = store.put(key, () -> wrapBody.apply(Files.newInputStream(archive)), local, meta,
                    dev.npc.store.Precondition.NONE);
        } catch (IntegrityException e) {
            throw notPublished(remote, e.getMessage(), archived, repair);
        }
        if (Boolean.FALSE.equals(written.holds(local))) {
            throw notPublished(remote, "the store answered " + written.describeDigests() + " for an archive with "
                    + local.describe(), archived, repair);
        }
        return new Published(remote, pack.sha256(), false, repair, written);
    }

    /**
     * Whether the stored object is known to be this archive: the store's MD5-ETag or sha256
     * checksum agrees; when it vouches for neither (SSE-KMS without checksums), its bytes are read.
     */
    private boolean storedBytesAre(ObjectInfo stored, BodyDigest local) throws IOException {
        Boolean holds = stored.holds(local);
        if (holds != null) {
            return holds;
        }
        try (GetResult result = store.get(stored.key(), null)) {
            if (!(result instanceof GetResult.Found found)) {
                return false;
            }
            MessageDigest sha = Sha256.newDigest();
            try (InputStream in = new DigestInputStream(found.body(), sha)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(sha.digest()).equals(local.sha256());
        }
    }

    private RemoteException notPublished(String remote, String why, ObjectInfo archived, boolean repair) {
        String undo = repair ? "the remote held damaged bytes before and still does (hosts refuse them: their sha256"
                + " is checked); push again once the store keeps uploads intact" : history.restore(remote, archived);
        return new RemoteException("remote '" + remote + "' not published: " + why + "; " + undo);
    }
}
