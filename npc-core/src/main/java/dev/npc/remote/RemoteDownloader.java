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

/**
 * The one way npc turns a remote into files, for {@code npc pull}, {@code npc verify} and the
 * daemon alike, in this order:
 * <ol>
 *   <li>{@link #check}: its metadata, before a byte of the body is read: a valid sha256, and, when
 *       keys are trusted, a signature by one of them over this remote's name, format, sha256 and
 *       sequence, and a sequence no lower than the highest one accepted for this name;</li>
 *   <li>{@link #download}: the body streamed to a temporary file and hashed; it must hash to the
 *       signed sha256;</li>
 *   <li>{@link #unpack}: only then, into a new directory, atomically.</li>
 * </ol>
 * Callers keep only their own mapping of {@link Failure}s: the CLI reports each as an error; the
 * daemon treats a corrupt download as the network's fault (retried at the next poll) and a
 * refusal or an unpackable archive as the version's.
 */
public final class RemoteDownloader {
    private final Unpacker unpacker;
    private final RemoteVerifier verifier;

    public RemoteDownloader(Unpacker unpacker, RemoteVerifier verifier) {
        this.unpacker = unpacker;
        this.verifier = verifier;
    }

    /** What went wrong, so each caller can map it to its own kind of error. */
    public enum Problem {
        /** The remote does not exist. */
        MISSING,
        /** Its metadata does not allow it: no sha256, not signed by a trusted key for this name, replayed. */
        REFUSED,
        /** Its bytes do not hash to the sha256 it was published (and signed) with. */
        CORRUPT,
        /** It is not an archive npc unpacks: malformed, hostile, over a limit. */
        UNPACKABLE
    }

    /** One line naming the remote, what is wrong and the fix; {@link #problem()} says which kind. */
    public static final class Failure extends Exception {
        private final Problem problem;

        Failure(Problem problem, String message) {
            super(message);
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }
    }

    /**
     * A remote whose metadata passed {@link #check}.
     *
     * @param sequence its publish sequence (0 when it has none and no keys are trusted)
     * @param keyId    the trusted key that signed it, or null when no keys are trusted
     */
    public record Checked(String remote, String sha256, long sequence, String keyId, ObjectInfo object) { }

    /** A checked remote whose bytes are in {@code archive} and hash to its sha256; the caller deletes the file. */
    public record Downloaded(Checked checked, Path archive) { }

    public RemoteVerifier verifier() {
        return verifier;
    }

    /**
     * Checks what the remote's metadata claims, reading no byte of its body.
     *
     * @param highestSeen the highest sequence accepted for {@code remote} so far (0: none); lower is
     *                    a replay, refused when keys are trusted
     */
    public Checked check(String remote, ObjectInfo object, long highestSeen) throws Failure {
        RemoteMetadata metadata = RemoteMetadata.of(object);
        if (!Sha256.isHex(metadata.sha256())) {
            throw new Failure(Problem.REFUSED, "remote '" + remote + "' has no valid " + RemoteMetadata.SHA256
                    + " metadata, so it cannot be verified; re-publish it with npc push");
        }
        RemoteVerifier.Verified verified;
        try {
            verified = verifier.verify(remote, metadata);
        } catch (RemoteException e) {
            throw new Failure(Problem.REFUSED, e.getMessage());
        }
        if (verified == null) {
            return new Checked(remote, metadata.sha256(), Math.max(0, metadata.sequence()), null, object);
        }
        if (verified.sequence() < highestSeen) {
            throw new Failure(Problem.REFUSED, "remote '" + remote + "' (version " + Sha256.shortForm(metadata.sha256())
                    + ") is refused: replayed: sequence " + verified.sequence() + ", host has seen " + highestSeen
                    + "; an older signed version was put back. If that rollback is intended, publish it anew:"
                    + " npc rollback " + remote + " --sign-key KEY");
        }
        return new Checked(remote, metadata.sha256(), verified.sequence(), verified.keyId(), object);
    }

    /**
     * Streams {@code body} into a new temporary file in {@code workDir} and checks it hashes to
     * the checked sha256. Nothing is left behind on failure.
     */
    public Downloaded download(Checked checked, InputStream body, Path workDir) throws Failure, IOException {
        Files.createDirectories(workDir);
        Path temp = Files.createTempFile(workDir, ".download-", ".npc");
        try {
            String actual = Sha256.copyHashing(body, temp);
            if (!actual.equals(checked.sha256())) {
                throw new Failure(Problem.CORRUPT, "remote '" + checked.remote() + "' is corrupt or was tampered with:"
                        + " its bytes hash to " + Sha256.shortForm(actual) + " but it was published as "
                        + Sha256.shortForm(checked.sha256()) + "; nothing was unpacked; re-publish it with npc push"
                        + " if this persists");
            }
            return new Downloaded(checked, temp);
        } catch (IOException | Failure | RuntimeException | Error e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Unpacks a downloaded archive into {@code destination} (atomically) and deletes the archive. */
    public int unpack(Downloaded downloaded, Path destination) throws Failure, IOException {
        try (InputStream in = Files.newInputStream(downloaded.archive())) {
            return unpacker.unpack(in, destination);
        } catch (PackException e) {
            throw new Failure(Problem.UNPACKABLE, "remote '" + downloaded.checked().remote() + "' cannot be unpacked: "
                    + e.getMessage());
        } finally {
            Files.deleteIfExists(downloaded.archive());
        }
    }

    /** Reads {@code remotes/<remote>.npc} from {@code store}, checks and downloads it (the CLI's way in). */
    public Downloaded fetch(Store store, String remote, Path workDir) throws Failure, IOException {
        try (GetResult result = store.get(Layout.remote(remote), null)) {
            if (!(result instanceof GetResult.Found found)) {
                throw new Failure(Problem.MISSING, "remote '" + remote + "' does not exist in " + store.url()
                        + "; publish it with: npc push --remote " + remote);
            }
            Checked checked = check(remote, found.info(), 0);
            return download(checked, found.body(), workDir);
        }
    }
}
