package dev.npc.remote;

import dev.npc.digest.Sha256;
import dev.npc.store.Layout;
import dev.npc.store.ParallelRequests;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The remotes a store holds, with the metadata a listing does not carry (one HEAD each). */
public final class RemoteCatalog {
    private static final int PARALLEL_HEADS = 8;
    private final Store store;

    public RemoteCatalog(Store store) {
        this.store = store;
    }

    /**
     * One remote as people see it in {@code npc remotes}.
     *
     * @param stored        {@link #VERIFIED} when a digest the store vouches for (sha256 checksum,
     *                      MD5-ETag) agrees with the metadata, {@link #DAMAGED} when one disagrees,
     *                      {@link #UNCHECKED} when the store vouches for none (checked at download)
     * @param storedProblem what disagrees, when damaged
     */
    public record RemoteInfo(String name, String sha256, long bytes, int files, Instant updated,
                             String sourceRev, boolean signed, String keyId, String etag,
                             String stored, String storedProblem) {
        public RemoteInfo(String name, String sha256, long bytes, int files, Instant updated,
                          String sourceRev, boolean signed, String keyId, String etag) {
            this(name, sha256, bytes, files, updated, sourceRev, signed, keyId, etag, UNCHECKED, null);
        }
    }

    public static final String VERIFIED = "verified";
    public static final String UNCHECKED = "unchecked";
    public static final String DAMAGED = "damaged";

    public List<RemoteInfo> list() throws IOException {
        List<String> names = new ArrayList<>();
        for (ObjectInfo object : store.list(Layout.REMOTES)) {
            String name = Layout.remoteNameOf(object.key());
            if (name != null) {
                names.add(name);
            }
        }
        List<RemoteInfo> result = new ArrayList<>();
        ParallelRequests.map(names, PARALLEL_HEADS, "listing remotes", this::describe).forEach(info -> info.ifPresent(result::add));
        return result;
    }

    /** A remote deleted between the listing and its HEAD is simply left out. */
    public Optional<RemoteInfo> describe(String name) throws IOException {
        return store.head(Layout.remote(name)).map(object -> {
            RemoteMetadata meta = RemoteMetadata.of(object);
            String problem = problem(object);
            String stored = problem != null ? DAMAGED : vouched(object) ? VERIFIED : UNCHECKED;
            return new RemoteInfo(name, meta.sha256(), object.size(), meta.files(), object.lastModified(),
                    meta.sourceRev(), meta.signature() != null, meta.keyId(), object.etag(), stored, problem);
        });
    }

    /**
     * What the store's own digests say against the metadata, with no byte read: the sha256
     * checksum the server checked at upload against npc-sha256, a plain ETag against npc-md5.
     */
    static String problem(ObjectInfo object) {
        String sha = object.meta(RemoteMetadata.SHA256);
        if (object.sha256() != null && sha != null && !object.sha256().equals(sha)) {
            return "the stored bytes have sha256 " + Sha256.shortForm(object.sha256()) + " but the metadata says "
                    + Sha256.shortForm(sha);
        }
        String md5 = object.meta(RemoteMetadata.MD5);
        if (object.md5() != null && md5 != null && !object.md5().equalsIgnoreCase(md5)) {
            return "the stored bytes have MD5 " + object.md5() + " (ETag) but push recorded " + md5;
        }
        return null;
    }

    private static boolean vouched(ObjectInfo object) {
        return object.sha256() != null && object.meta(RemoteMetadata.SHA256) != null
                || object.md5() != null && object.meta(RemoteMetadata.MD5) != null;
    }
}
