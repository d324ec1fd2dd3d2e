package dev.npc.remote;

import dev.npc.digest.Sha256;
import dev.npc.pack.PackException;
import dev.npc.pack.Unpacker;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;
import dev.npc.trust.RemoteVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Downloads a remote to a temporary file, checks its bytes against the sha256 it was published
 * with (and, when the host trusts keys, its signature), and only then unpacks it. Nothing
 * unverified ever reaches the destination.
 */
public final class RemoteDownloader {
    private final Store store;
    private final Unpacker unpacker;
    private final RemoteVerifier verifier;

    public RemoteDownloader(Store store, Unpacker unpacker) {
        this(store, unpacker, RemoteVerifier.ACCEPT_ALL);
    }

    /** @param verifier refuses remotes not signed by a trusted key, before their body is read */
    public RemoteDownloader(Store store, Unpacker unpacker, RemoteVerifier verifier) {
        this.store = store;
        this.unpacker = unpacker;
        this.verifier = verifier;
    }

    /** A verified archive on local disk; the caller deletes it (or lets {@link #unpack} do so). */
    public record Verified(Path archive, ObjectInfo object, String sha256) { }

    /**
     * Streams {@code remotes/<remote>.npc} into a temporary file in {@code workDir} and verifies it.
     *
     * @param ifNoneMatch an ETag already processed, or null
     * @return null when the remote still has ETag {@code ifNoneMatch}
     * @throws RemoteException when the remote is missing, unpublished by npc, or its bytes do not match
     */
    public Verified download(String remote, String ifNoneMatch, Path workDir) throws IOException, RemoteException {
        String key = Layout.remote(remote);
        try (GetResult result = store.get(key, ifNoneMatch)) {
            if (result instanceof GetResult.NotModified) {
                return null;
            }
            if (result instanceof GetResult.Missing) {
                throw new RemoteException("remote '" + remote + "' does not exist in " + store.url()
                        + "; publish it with: npc push --remote " + remote);
            }
            GetResult.Found found = (GetResult.Found) result;
            String expected = found.info().meta(RemoteMetadata.SHA256);
            if (!Sha256.isHex(expected)) {
                throw new RemoteException("remote '" + remote + "' has no valid npc-sha256 metadata; re-publish it with npc push");
            }
            // The signature covers the published sha256 and the bytes are checked against that sha256
            // below, so together nothing unsigned or altered leaves this method.
            verifier.verify(remote, RemoteMetadata.of(found.info()));
            Files.createDirectories(workDir);
            Path temp = Files.createTempFile(workDir, ".download-", ".npc");
            try {
                String actual = Sha256.copyHashing(found.body(), temp);
                if (!actual.equals(expected)) {
                    throw new RemoteException("remote '" + remote + "' is corrupt or was tampered with: its bytes hash to "
                            + Sha256.shortForm(actual) + " but it was published as " + Sha256.shortForm(expected)
                            + "; re-publish it");
                }
                return new Verified(temp, found.info(), actual);
            } catch (IOException | RemoteException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        }
    }

    /** Unpacks a verified archive into {@code destination} (atomically) and deletes the archive. */
    public int unpack(Verified verified, Path destination) throws IOException, PackException {
        try (InputStream in = Files.newInputStream(verified.archive())) {
            return unpacker.unpack(in, destination);
        } finally {
            Files.deleteIfExists(verified.archive());
        }
    }
}
