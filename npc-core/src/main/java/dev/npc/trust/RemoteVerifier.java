package dev.npc.trust;

import dev.npc.digest.Sha256;
import dev.npc.remote.RemoteException;
import dev.npc.remote.RemoteMetadata;
import dev.npc.text.SafeText;

import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decides whether a remote's signature comes from a trusted key and covers what a host acts on:
 * the remote's name, its format, the sha256 of its bytes and its publish sequence
 * ({@link SignedMessage}). The caller still checks that the bytes hash to that sha256 and that
 * the sequence is not older than one it accepted ({@link dev.npc.remote.RemoteDownloader} does
 * both, before anything is unpacked). With no trusted keys every remote is accepted, as before
 * signing existed.
 */
public final class RemoteVerifier {
    public static final RemoteVerifier ACCEPT_ALL = new RemoteVerifier(List.of());

    private final List<TrustedKey> keys;

    public RemoteVerifier(List<TrustedKey> keys) {
        this.keys = List.copyOf(keys);
    }

    /** A signature a trusted key made for this remote. */
    public record Verified(String keyId, long sequence) { }

    /** True when remotes must carry a signature by one of the trusted keys. */
    public boolean enforcing() {
        return !keys.isEmpty();
    }

    public List<TrustedKey> keys() {
        return keys;
    }

    /** The trusted key ids, comma-separated, for messages. */
    public String describeKeys() {
        return keys.stream().map(TrustedKey::keyId).collect(Collectors.joining(", "));
    }

    /**
     * @param remote the name the remote is read under (the one the host follows)
     * @return the key and sequence of a valid signature, or null when not enforcing
     * @throws RemoteException naming the remote, the reason and the fix, when the remote must be refused
     */
    public Verified verify(String remote, RemoteMetadata metadata) throws RemoteException {
        if (!enforcing()) {
            return null;
        }
        String version = Sha256.shortForm(metadata.sha256());
        String what = "remote '" + remote + "' (version " + version + ")";
        if (!metadata.signed()) {
            throw new RemoteException(what + " is not signed, and this host trusts only remotes signed by key "
                    + describeKeys() + "; publish it with --sign-key (npc push, promote, rollout or rollback)");
        }
        if (!Sha256.isHex(metadata.sha256())) {
            throw new RemoteException("remote '" + remote + "' has no valid npc-sha256 metadata, so its signature "
                    + "cannot cover it; re-publish it with npc push --sign-key");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(metadata.signature().strip());
        } catch (IllegalArgumentException e) {
            throw new RemoteException(what + " has a malformed npc-signature (not base64); re-publish it with"
                    + " npc push --sign-key");
        }
        List<TrustedKey> candidates = candidates(metadata.keyId());
        if (candidates.isEmpty()) {
            throw new RemoteException(what + " is signed by key " + SafeText.line(abbreviate(metadata.keyId()))
                    + ", which this host does not trust (trusted: " + describeKeys()
                    + "); sign it with a trusted key or add its public key to the host's trusted keys");
        }
        if (metadata.sequence() < 1) {
            String problem = metadata.sequence() == 0 ? "has no npc-sequence" : "has a malformed npc-sequence";
            throw new RemoteException(what + " " + problem + (signedVersion1(metadata, candidates, signature)
                    ? ": it carries a version-1 signature, which covers neither the remote's name nor a sequence"
                    : "") + "; hosts with trusted keys refuse it: re-publish it with this npc and --sign-key"
                    + " (npc push --sign-key, or npc rollback/promote --sign-key)");
        }
        byte[] message = SignedMessage.forRemote(remote, metadata.format(), metadata.sha256(), metadata.sequence());
        for (TrustedKey key : candidates) {
            if (Ed25519.verify(key.key(), message, signature)) {
                return new Verified(key.keyId(), metadata.sequence());
            }
        }
        if (signedVersion1(metadata, candidates, signature)) {
            throw new RemoteException(what + " carries a version-1 signature, which covers neither the remote's"
                    + " name nor a sequence, so hosts with trusted keys refuse it; re-publish it with this npc and"
                    + " --sign-key (npc push, promote, rollout or rollback)");
        }
        throw new RemoteException(what + ": its signature does not cover remote '" + remote + "' with this version"
                + " and sequence " + metadata.sequence() + " (key " + (metadata.keyId() == null ? describeKeys()
                : SafeText.line(abbreviate(metadata.keyId()))) + "): it was made for another remote and copied here,"
                + " or the remote was changed after signing; publish it to '" + remote + "' with --sign-key"
                + " (npc push, promote, rollout or rollback)");
    }

    /** Whether the signature is one npc 0.1 made: valid over the old message, which any name or time shares. */
    private static boolean signedVersion1(RemoteMetadata metadata, List<TrustedKey> candidates, byte[] signature) {
        byte[] old = SignedMessage.version1(metadata.format(), metadata.sha256());
        return candidates.stream().anyMatch(k -> Ed25519.verify(k.key(), old, signature));
    }

    /** The key the remote names, or every trusted key when it names none. */
    private List<TrustedKey> candidates(String keyId) {
        if (keyId == null || keyId.isBlank()) {
            return keys;
        }
        return keys.stream().filter(k -> k.keyId().equals(keyId.strip())).toList();
    }

    private static String abbreviate(String text) {
        return text == null || text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
