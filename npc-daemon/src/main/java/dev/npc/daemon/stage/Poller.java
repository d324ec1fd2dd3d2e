package dev.npc.daemon.stage;

import dev.npc.digest.Sha256;
import dev.npc.host.Desired;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.Store;

import java.io.IOException;

/**
 * Step 1, poll: reads {@code hosts/<host>/desired.json} and then the remote it names, each with
 * the ETag of the last read, so an unchanged store answers 304 and costs no body bytes. Remembers
 * what it learned, so a 304 still answers "which version is wanted".
 */
public final class Poller {
    private final Store store;
    private final String host;
    private String desiredEtag;
    private Desired desired;
    private String desiredError;
    private String remoteName;
    private String remoteEtag;
    private String remoteSha256;
    private String remoteError;

    public Poller(Store store, String host) {
        this.store = store;
        this.host = host;
    }

    /**
     * What the store says now. When the remote changed, {@link PollResult#remoteBody()} holds its
     * open body, which the caller closes (or streams, to avoid a second download).
     *
     * @throws IOException when the store cannot be reached
     */
    public PollResult poll() throws IOException {
        String desiredKey = Layout.desired(host);
        boolean desiredChanged;
        try (GetResult result = store.get(desiredKey, desiredEtag)) {
            if (result instanceof GetResult.Missing) {
                forgetDesired();
                return PollResult.missing(desiredKey);
            }
            desiredChanged = result instanceof GetResult.Found;
            if (result instanceof GetResult.Found found) {
                byte[] bytes = found.body().readNBytes(Json.MAX_DOCUMENT_BYTES + 1);
                desiredEtag = found.info().etag();
                try {
                    desired = Desired.parse(bytes, desiredKey);
                    desiredError = null;
                } catch (InvalidDocumentException e) {
                    desired = null;
                    desiredError = e.getMessage();
                }
            }
        }
        if (desired == null) {
            return PollResult.invalid(desiredError, desiredChanged);
        }
        if (!desired.remote().equals(remoteName)) {
            remoteName = desired.remote();
            remoteEtag = null;
            remoteSha256 = null;
            remoteError = null;
        }
        GetResult remote = store.get(Layout.remote(remoteName), remoteEtag);
        if (remote instanceof GetResult.NotModified) {
            return PollResult.of(desired, remoteSha256, remoteError, desiredChanged, false, null);
        }
        if (remote instanceof GetResult.Missing) {
            remoteEtag = null;
            remoteSha256 = null;
            remoteError = "remote '" + remoteName + "' does not exist in " + store.url()
                    + "; publish it with npc push --remote " + remoteName + " or point desired.json at another remote";
            return PollResult.of(desired, null, remoteError, desiredChanged, true, null);
        }
        GetResult.Found found = (GetResult.Found) remote;
        remoteEtag = found.info().etag();
        String sha = found.info().meta(RemoteMetadata.SHA256);
        if (!Sha256.isHex(sha)) {
            found.close();
            remoteSha256 = null;
            remoteError = "remote '" + remoteName + "' has no valid " + RemoteMetadata.SHA256
                    + " metadata, so it cannot be verified; re-publish it with npc push";
            return PollResult.of(desired, null, remoteError, desiredChanged, true, null);
        }
        remoteSha256 = sha;
        remoteError = null;
        return PollResult.of(desired, sha, null, desiredChanged, true, found);
    }

    /** Forget ETags, so the next poll reads both documents in full (after `retry`, or a failure). */
    public void forgetEtags() {
        desiredEtag = null;
        remoteEtag = null;
    }

    private void forgetDesired() {
        desiredEtag = null;
        desired = null;
        desiredError = null;
    }
}
