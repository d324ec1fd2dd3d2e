package dev.npc.daemon.stage;

import dev.npc.digest.Sha256;
import dev.npc.pack.PackException;
import dev.npc.pack.Unpacker;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;
import dev.npc.remote.RemoteException;
import dev.npc.trust.RemoteVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Step 2, fetch: streams the remote to a temporary file, checks its bytes against the sha256 it
 * was published with, and only then unpacks it into {@code flakes/<sha256>/}, atomically. A
 * mismatch leaves nothing unpacked.
 */
public final class Fetcher {
    private final Store store;
    private final Unpacker unpacker;
    private final FlakeCache cache;
    private final RemoteVerifier verifier;

    public Fetcher(Store store, Unpacker unpacker, FlakeCache cache) {
        this(store, unpacker, cache, RemoteVerifier.ACCEPT_ALL);
    }

    /** @param verifier refuses remotes not signed by a trusted key, before anything is read or unpacked */
    public Fetcher(Store store, Unpacker unpacker, FlakeCache cache, RemoteVerifier verifier) {
        this.store = store;
        this.unpacker = unpacker;
        this.cache = cache;
        this.verifier = verifier;
    }

    /**
     * @param body the remote's body when the poll just read it, or null to read it again
     * @return the unpacked flake directory
     */
    public Path fetch(String remote, String sha256, GetResult.Found body) throws StageFailure, IOException {
        verifySignature(remote, sha256, body);
        Path destination = cache.dir(sha256);
        if (Files.isDirectory(destination)) {
            cache.touch(destination);
            return destination;
        }
        GetResult.Found found = body != null ? body : getAgain(remote);
        try (found) {
            String published = found.info().meta(RemoteMetadata.SHA256);
            if (!sha256.equals(published)) {
                throw new StageFailure("remote '" + remote + "' changed while it was being fetched (now "
                        + Sha256.shortForm(published) + "); the next poll picks up the new version");
            }
            Files.createDirectories(cache.root());
            cache.removeLeftovers();
            Path temp = Files.createTempFile(cache.root(), ".download-", ".npc");
            try {
                String actual = Sha256.copyHashing(found.body(), temp);
                if (!actual.equals(sha256)) {
                    // An IOException, not a StageFailure: a byte flipped in transit is a fault of the
                    // network, so it must not use up the version's retries (the next poll downloads again).
                    throw new IOException("remote '" + remote + "' is corrupt or was tampered with: its bytes hash to "
                            + Sha256.shortForm(actual) + " but it was published as " + Sha256.shortForm(sha256)
                            + "; nothing was unpacked; re-publish it with npc push if this persists");
                }
                try (InputStream in = Files.newInputStream(temp)) {
                    unpacker.unpack(in, destination);
                } catch (PackException e) {
                    throw new StageFailure("remote '" + remote + "' cannot be unpacked: " + e.getMessage());
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        cache.touch(destination);
        return destination;
    }

    /**
     * Checks the signature on the version about to be used, cached or not: the cache is keyed by
     * sha256 and the signature covers the sha256, so a cached tree is as good as the signature
     * the remote carries now. The bytes themselves are checked against the sha256 below.
     */
    private void verifySignature(String remote, String sha256, GetResult.Found body) throws StageFailure, IOException {
        if (!verifier.enforcing()) {
            return;
        }
        ObjectInfo info = body != null ? body.info() : store.head(Layout.remote(remote)).orElseThrow(() ->
                new StageFailure("remote '" + remote + "' disappeared from " + store.url() + " while it was being fetched"));
        if (!sha256.equals(info.meta(RemoteMetadata.SHA256))) {
            throw new StageFailure("remote '" + remote + "' changed while it was being fetched (now "
                    + Sha256.shortForm(info.meta(RemoteMetadata.SHA256)) + "); the next poll picks up the new version");
        }
        try {
            verifier.verify(remote, RemoteMetadata.of(info));
        } catch (RemoteException e) {
            throw new StageFailure("refused: " + e.getMessage() + "; nothing was unpacked or built");
        }
    }

    private GetResult.Found getAgain(String remote) throws IOException, StageFailure {
        GetResult result = store.get(Layout.remote(remote), null);
        if (result instanceof GetResult.Found found) {
            return found;
        }
        result.close();
        throw new StageFailure("remote '" + remote + "' disappeared from " + store.url() + " while it was being fetched");
    }
}
