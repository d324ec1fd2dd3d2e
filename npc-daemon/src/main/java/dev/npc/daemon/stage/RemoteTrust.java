package dev.npc.daemon.stage;

import dev.npc.daemon.files.SequenceStore;
import dev.npc.remote.RemoteDownloader;
import dev.npc.store.ObjectInfo;
import dev.npc.trust.RemoteVerifier;

import java.io.IOException;
import java.util.List;

/**
 * What this host accepts from the bucket: which remotes desired.json may name (empty: any), and,
 * with trusted keys, only remotes signed for the name they are read under, at a sequence no lower
 * than the highest one accepted for that name. Checked at every poll on the metadata alone, and
 * again before a version is used.
 */
public final class RemoteTrust {
    private final List<String> allowedRemotes;
    private final RemoteDownloader downloader;
    private final SequenceStore sequences;

    public RemoteTrust(List<String> allowedRemotes, RemoteDownloader downloader, SequenceStore sequences) {
        this.allowedRemotes = List.copyOf(allowedRemotes);
        this.downloader = downloader;
        this.sequences = sequences;
    }

    public RemoteDownloader downloader() {
        return downloader;
    }

    public boolean enforcing() {
        return downloader.verifier().enforcing();
    }

    /** Why this host must not follow {@code remote}, or null when it may. */
    public String notAllowed(String remote) {
        if (allowedRemotes.isEmpty() || allowedRemotes.contains(remote)) {
            return null;
        }
        return "remote '" + remote + "' is not one this host may follow (allowed: " + String.join(", ", allowedRemotes)
                + "); point desired.json at an allowed remote, or add it to services.npc.allowedRemotes (--allowed-remote)";
    }

    /** Checks a remote's metadata, reading none of its body. */
    public RemoteDownloader.Checked check(String remote, ObjectInfo object) throws RemoteDownloader.Failure {
        return downloader.check(remote, object, enforcing() ? sequences.seen(remote) : 0);
    }

    /** Remembers the sequence of a version about to be used, durably, before it is used. */
    public void accepted(RemoteDownloader.Checked checked) throws IOException {
        if (enforcing() && checked.keyId() != null) {
            sequences.accepted(checked.remote(), checked.sequence());
        }
    }

    /**
     * What the checks depend on, so a poll remembered from before a change of keys or allowed
     * remotes is not taken for an answer under the new ones.
     */
    public String fingerprint() {
        return "keys=" + downloader.verifier().describeKeys() + ";allowed=" + String.join(",", allowedRemotes);
    }
}
