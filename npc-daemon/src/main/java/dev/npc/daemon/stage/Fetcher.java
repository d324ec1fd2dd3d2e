package dev.npc.daemon.stage;

import dev.npc.digest.Sha256;
import dev.npc.remote.RemoteDownloader;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Step 2, fetch: the remote through npc's one verify-and-unpack path ({@link RemoteDownloader}):
 * its metadata checked (signature for the name this host follows, sequence not replayed), its
 * body streamed to a temporary file and checked against the signed sha256, and only then
 * unpacked into {@code flakes/<sha256>/}, atomically. What is left here is the daemon's own
 * mapping of failures: a corrupt download is the network's fault (an IOException: retried at the
 * next poll, not charged to the version); a refusal or an unpackable archive is the version's
 * (a {@link StageFailure}).
 */
public final class Fetcher {
    private final Store store;
    private final FlakeCache cache;
    private final RemoteTrust trust;

    public Fetcher(Store store, FlakeCache cache, RemoteTrust trust) {
        this.store = store;
        this.cache = cache;
        this.trust = trust;
    }

    /** Whether remotes must be signed by a trusted key: then a pre-built toplevel must be signed too. */
    public boolean signaturesRequired() {
        return trust.enforcing();
    }

    /**
     * @param body the remote's body when the poll just read it, or null to read it again
     * @return the unpacked flake directory
     */
    public Path fetch(String remote, String sha256, GetResult.Found body) throws StageFailure, IOException {
        Path destination = cache.dir(sha256);
        if (Files.isDirectory(destination)) {
            // The cache is keyed by sha256 and the signature covers it: a cached tree is as good as
            // the remote's metadata now, which is checked (signature, sequence) like a download.
            ObjectInfo info = body != null ? body.info() : store.head(Layout.remote(remote)).orElseThrow(() ->
                    new StageFailure("remote '" + remote + "' disappeared from " + store.url() + " while it was being fetched"));
            accept(check(remote, sha256, info));
            cache.touch(destination);
            return destination;
        }
        GetResult.Found found = body != null ? body : getAgain(remote);
        try (found) {
            RemoteDownloader.Checked checked = check(remote, sha256, found.info());
            Files.createDirectories(cache.root());
            cache.removeLeftovers();
            RemoteDownloader downloader = trust.downloader();
            try {
                RemoteDownloader.Downloaded downloaded = downloader.download(checked, found.body(), cache.root());
                accept(checked);
                downloader.unpack(downloaded, destination);
            } catch (RemoteDownloader.Failure e) {
                if (e.problem() == RemoteDownloader.Problem.CORRUPT) {
                    // A byte flipped in transit is a fault of the network: it must not use up the
                    // version's retries (the next poll downloads again).
                    throw new IOException(e.getMessage(), e);
                }
                throw new StageFailure(e.getMessage());
            }
        }
        cache.touch(destination);
        return destination;
    }

    private RemoteDownloader.Checked check(String remote, String sha256, ObjectInfo info) throws StageFailure {
        if (!sha256.equals(info.meta(dev.npc.remote.RemoteMetadata.SHA256))) {
            throw new StageFailure("remote '" + remote + "' changed while it was being fetched (now "
                    + Sha256.shortForm(info.meta(dev.npc.remote.RemoteMetadata.SHA256))
                    + "); the next poll picks up the new version");
        }
        try {
            return trust.check(remote, info);
        } catch (RemoteDownloader.Failure e) {
            throw StageFailure.refusal("refused: " + e.getMessage() + "; nothing was unpacked or built");
        }
    }

    /** The version is verified: remember its sequence before anything is built from it. */
    private void accept(RemoteDownloader.Checked checked) throws IOException {
        trust.accepted(checked);
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
