package dev.npc.remote;

import dev.npc.digest.Sha256;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.PreconditionFailedException;
import dev.npc.store.Store;

import java.io.IOException;

/**
 * Copies one remote's current version to another, server side. The copy gets its own publish
 * sequence and, with a key, its own signature for the destination's name ({@link Signing}): a
 * signature made for the source would not cover it. With an expected version the copy is guarded
 * by the source's ETag, so what gets promoted is what was tested, not whatever was pushed since.
 */
public final class RemotePromoter {
    private final Store store;
    private final java.time.Clock clock;
    private final RemoteHistory history;

    public RemotePromoter(Store store, java.time.Clock clock) {
        this.store = store;
        this.clock = clock;
        this.history = new RemoteHistory(store, clock);
    }

    public record Promoted(String from, String to, String sha256, boolean unchanged) { }

    /**
     * @param ifVersion a full sha256 or a prefix of at least 8 hex characters, or null for any
     */
    public Promoted promote(String from, String to, String ifVersion) throws IOException, RemoteException {
        return promote(from, to, ifVersion, Signing.NONE);
    }

    /**
     * @param ifVersion a full sha256 or a prefix of at least 8 hex characters, or null for any
     * @param signing   signs the copy for {@code to}, or publishes it unsigned
     */
    public Promoted promote(String from, String to, String ifVersion, Signing signing)
            throws IOException, RemoteException {
        if (from.equals(to)) {
            throw new RemoteException("cannot promote remote '" + from + "' onto itself; name two different remotes");
        }
        String fromKey = Layout.remote(from);
        String toKey = Layout.remote(to);
        ObjectInfo source = store.head(fromKey).orElseThrow(() -> new RemoteException(
                "remote '" + from + "' does not exist in " + store.url() + "; push it first"));
        String version = source.meta(RemoteMetadata.SHA256);
        if (!Sha256.isHex(version)) {
            throw new RemoteException("remote '" + from + "' has no valid npc-sha256 metadata; re-publish it with npc push");
        }
        if (ifVersion != null && !matchesVersion(version, ifVersion)) {
            throw new RemoteException("remote '" + from + "' now holds " + Sha256.shortForm(version)
                    + ", not " + ifVersion + "; nothing promoted (promote what was tested)");
        }
        ObjectInfo target = store.head(toKey).orElse(null);
        if (target != null && version.equals(target.meta(RemoteMetadata.SHA256)) && signing.satisfiedBy(to, target)) {
            return new Promoted(from, to, version, true);
        }
        signing.checkUnsigning(to, "npc promote " + from + " " + to, source, target);
        RemoteMetadata metadata = signing.apply(to, RemoteMetadata.of(source), Sequence.next(clock, to, target));
        history.archive(to, target);
        try {
            store.copy(fromKey, toKey, source.etag(), metadata.toMap());
        } catch (PreconditionFailedException e) {
            throw new RemoteException("remote '" + from + "' changed while promoting it; nothing promoted, try again");
        }
        return new Promoted(from, to, version, false);
    }

    public static boolean matchesVersion(String sha256, String wanted) {
        String w = wanted.toLowerCase(java.util.Locale.ROOT);
        return w.length() >= 8 && sha256.startsWith(w);
    }
}
