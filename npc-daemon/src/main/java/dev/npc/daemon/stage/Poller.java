package dev.npc.daemon.stage;

import dev.npc.files.AtomicFiles;
import dev.npc.digest.Sha256;
import dev.npc.host.Desired;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import dev.npc.remote.RemoteDownloader;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Step 1, poll: asks for the ETags of {@code hosts/<host>/desired.json} and then of the remote it
 * names (a HEAD each), and reads an object (a GET) only when its ETag changed, so an unchanged
 * store costs two requests and no body bytes. Remembers what it learned, so an unchanged ETag
 * still answers "which version is wanted" — on disk too, so a daemon run by a timer
 * ({@code follow --once} every minute) also sends two HEADs instead of downloading.
 */
public final class Poller {
    private final Store store;
    private final String host;
    private final Path memoryFile;
    private final RemoteTrust trust;
    private String desiredEtag;
    private Desired desired;
    private String desiredError;
    private String remoteName;
    private String remoteEtag;
    private String remoteSha256;
    private String remoteError;

    /**
     * What a poll learned, as kept on disk between runs.
     *
     * @param trust what the remote was checked against ({@link RemoteTrust#fingerprint()})
     */
    record Memory(String desiredEtag, Desired desired, String desiredError, String remoteName, String remoteEtag,
                  String remoteSha256, String remoteError, String trust) { }

    /**
     * @param memoryFile where ETags and what they stand for are kept between runs, or null
     * @param trust      which remotes may be followed and what their signatures must cover
     */
    public Poller(Store store, String host, Path memoryFile, RemoteTrust trust) {
        this.store = store;
        this.host = host;
        this.memoryFile = memoryFile;
        this.trust = trust;
        Memory memory = load(memoryFile);
        if (memory != null) {
            desiredEtag = memory.desiredEtag();
            desired = memory.desired();
            desiredError = memory.desiredError();
            // A remote checked under other keys or allowed remotes is read and checked again.
            if (trust.fingerprint().equals(memory.trust())) {
                remoteName = memory.remoteName();
                remoteEtag = memory.remoteEtag();
                remoteSha256 = memory.remoteSha256();
                remoteError = memory.remoteError();
            }
        }
    }

    /**
     * What the store says now. When the remote changed, {@link PollResult#remoteBody()} holds its
     * open body, which the caller closes (or streams, to avoid a second download).
     *
     * @throws IOException when the store cannot be reached
     */
    public PollResult poll() throws IOException {
        PollResult result = read();
        if (result.changed()) {
            save();
        }
        return result;
    }

    private PollResult read() throws IOException {
        String desiredKey = Layout.desired(host);
        boolean desiredChanged;
        // Read whole, as the store reads a small document most cheaply: its ETag and bytes are all
        // a desired.json is taken for (getSmall may leave out its time and metadata).
        try (GetResult result = read(desiredKey, desiredEtag,
                (key, etag) -> store.getSmall(key, etag, Json.MAX_DOCUMENT_BYTES))) {
            if (result instanceof GetResult.Missing) {
                forgetDesired();
                return PollResult.missing(desiredKey);
            }
            desiredChanged = result instanceof GetResult.Found;
            if (result instanceof GetResult.Found found) {
                // Read before its ETag is kept: a body damaged on the way throws here (GetResult.Found),
                // so nothing of it is remembered and the next poll reads it again.
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
        String notAllowed = trust.notAllowed(desired.remote());
        if (notAllowed != null) {
            // Not even read: a host reads only the remotes it may follow.
            return PollResult.of(desired, null, desiredKey + ": " + notAllowed, desiredChanged, false, null);
        }
        if (!desired.remote().equals(remoteName)) {
            remoteName = desired.remote();
            remoteEtag = null;
            remoteSha256 = null;
            remoteError = null;
        }
        // Through get(): the remote's metadata (its sha256, signature, sequence) is what vouches for it.
        GetResult remote = read(Layout.remote(remoteName), remoteEtag, store::get);
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
        try {
            trust.check(remoteName, found.info());
        } catch (RemoteDownloader.Failure e) {
            // Refused on its metadata alone, before a byte of the body: reported once for this
            // object (its ETag), never attempted, never retried.
            found.close();
            remoteError = e.getMessage() + "; nothing was downloaded";
            return PollResult.of(desired, null, remoteError, desiredChanged, true, null);
        }
        remoteError = null;
        return PollResult.of(desired, sha, null, desiredChanged, true, found);
    }

    /** How a document is read once it is known to have changed, or was never read. */
    @FunctionalInterface
    private interface Read {
        GetResult of(String key, String ifNoneMatch) throws IOException;
    }

    /**
     * A HEAD when the ETag is known, and a GET only when it changed: an unchanged object costs one
     * request and no body either way, but a HEAD answers 200, which the AWS SDK handles far more
     * cheaply than the 304 of a conditional GET (an exception, built through its error path).
     * The store's own probe ({@link Store#probe}) is that HEAD where the store has one: it answers
     * an unchanged object without the SDK's client, and sends a changed one straight to the GET
     * (two requests); only when it cannot tell does {@link Store#head} ask again, and report.
     */
    private GetResult read(String key, String etag, Read read) throws IOException {
        if (etag == null) {
            return read.of(key, null);
        }
        return switch (store.probe(key, etag)) {
            case UNCHANGED -> new GetResult.NotModified(etag);
            // Still conditional: an object that changed back since the probe answers 304.
            case CHANGED -> read.of(key, etag);
            case CANNOT_TELL -> {
                Optional<ObjectInfo> head = store.head(key);
                if (head.isEmpty()) {
                    yield new GetResult.Missing(key);
                }
                yield etag.equals(head.get().etag()) ? new GetResult.NotModified(etag) : read.of(key, etag);
            }
        };
    }

    /**
     * The ETag of the valid desired.json the last poll holds, or null: what state.json names next
     * to its copy, so a fleet read that lists this ETag need not fetch desired.json.
     */
    public String desiredEtag() {
        return desired == null ? null : desiredEtag;
    }

    /** Forget ETags, so the next poll reads both documents in full (after `retry`, or a failure). */
    public void forgetEtags() throws IOException {
        desiredEtag = null;
        remoteEtag = null;
        save();
    }

    private void save() throws IOException {
        if (memoryFile != null) {
            AtomicFiles.write(memoryFile, Json.write(new Memory(desiredEtag, desired, desiredError,
                    remoteName, remoteEtag, remoteSha256, remoteError, trust.fingerprint())));
        }
    }

    /** A missing or unreadable memory only costs one full read. */
    private static Memory load(Path file) {
        try {
            if (file == null || !Files.exists(file)) {
                return null;
            }
            Memory memory = Json.read(Files.readAllBytes(file), Memory.class, file.toString());
            if (memory.desired() != null) {
                memory.desired().validate(file.toString());
            }
            return memory;
        } catch (IOException | InvalidDocumentException e) {
            return null;
        }
    }

    private void forgetDesired() {
        desiredEtag = null;
        desired = null;
        desiredError = null;
    }
}
