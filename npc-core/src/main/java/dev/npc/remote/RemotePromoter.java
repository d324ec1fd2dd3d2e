package dev.npc.remote;

import dev.npc.digest.Sha256;
import dev.npc.store.IntegrityException;
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
 * The copy's result must be that version (its ETag, else checksum): a server that ignores the copy
 * condition and copies a newer one is caught, and the target gets back what it held before.
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
        if (target != null && version.equals(target.meta(RemoteMetadata.SHA256)) && signing.satisfiedBy(to, target)
                && !knownToDiffer(source, target)) {
            return new Promoted(from, to, version, true);
        }
        signing.checkUnsigning(to, "npc promote " + from + " " + to, source, target);
        RemoteMetadata metadata = signing.apply(to, RemoteMetadata.of(source), Sequence.next(clock, to, target));
        ObjectInfo archived = history.archive(to, target);
        try {
            store.copy(fromKey, toKey, source.etag(), metadata.toMap(source.meta(RemoteMetadata.MD5)));
        } catch (PreconditionFailedException e) {
            throw new RemoteException("remote '" + from + "' changed while promoting it; nothing promoted, try again");
        } catch (IntegrityException e) {
            throw new RemoteException("promote of '" + from + "' " + Sha256.shortForm(version) + " to '" + to
                    + "' not done: " + e.getMessage()
                    + "; " + history.restore(to, archived) + "; nothing promoted, check the store and try again");
        }
        return new Promoted(from, to, version, false);
    }

    public static boolean matchesVersion(String sha256, String wanted) {
        String w = wanted.toLowerCase(java.util.Locale.ROOT);
        return w.length() >= 8 && sha256.startsWith(w);
    }

    /** Whether the store's digests show that two objects hold different bytes (a damaged target is promoted over). */
    private static boolean knownToDiffer(ObjectInfo a, ObjectInfo b) {
        return a.md5() != null && b.md5() != null && !a.md5().equals(b.md5())
                || a.sha256() != null && b.sha256() != null && !a.sha256().equals(b.sha256());
    }
}
