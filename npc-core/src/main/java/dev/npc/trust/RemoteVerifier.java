package dev.npc.trust;

import dev.npc.digest.Sha256;
import dev.npc.remote.RemoteException;
import dev.npc.remote.RemoteMetadata;

import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decides whether a remote's signature comes from a trusted key. It checks the signature against
 * the sha256 the remote was published with; the caller must still check that the bytes hash to
 * that sha256 ({@link dev.npc.remote.RemoteDownloader} does both, before anything is unpacked).
 * With no trusted keys every remote is accepted, as before signing existed.
 */
public final class RemoteVerifier {
    public static final RemoteVerifier ACCEPT_ALL = new RemoteVerifier(List.of());

    private final List<TrustedKey> keys;

    public RemoteVerifier(List<TrustedKey> keys) {
        this.keys = List.copyOf(keys);
    }

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
     * @return the id of the key whose signature is valid, or null when not enforcing and unsigned
     * @throws RemoteException naming the remote, the reason and the fix, when the remote must be refused
     */
    public String verify(String remote, RemoteMetadata metadata) throws RemoteException {
        if (!enforcing()) {
            return null;
        }
        String version = Sha256.shortForm(metadata.sha256());
        if (metadata.signature() == null || metadata.signature().isBlank()) {
            throw new RemoteException("remote '" + remote + "' (version " + version + ") is not signed, and this host "
                    + "trusts only remotes signed by key " + describeKeys() + "; publish it with npc push --sign-key");
        }
        if (!Sha256.isHex(metadata.sha256())) {
            throw new RemoteException("remote '" + remote + "' has no valid npc-sha256 metadata, so its signature "
                    + "cannot cover it; re-publish it with npc push --sign-key");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(metadata.signature().strip());
        } catch (IllegalArgumentException e) {
            throw new RemoteException("remote '" + remote + "' (version " + version + ") has a malformed npc-signature "
                    + "(not base64); re-publish it with npc push --sign-key");
        }
        List<TrustedKey> candidates = candidates(metadata.keyId());
        if (candidates.isEmpty()) {
            throw new RemoteException("remote '" + remote + "' (version " + version + ") is signed by key "
                    + metadata.keyId() + ", which this host does not trust (trusted: " + describeKeys()
                    + "); sign it with a trusted key or add its public key to the host's trusted keys");
        }
        byte[] message = SignedMessage.forRemote(metadata.format(), metadata.sha256());
        for (TrustedKey key : candidates) {
            if (Ed25519.verify(key.key(), message, signature)) {
                return key.keyId();
            }
        }
        throw new RemoteException("remote '" + remote + "' (version " + version + ") has a signature that does not "
                + "match its content for key " + (metadata.keyId() == null ? describeKeys() : metadata.keyId())
                + ": it was changed after signing; re-publish it with npc push --sign-key");
    }

    /** The key the remote names, or every trusted key when it names none. */
    private List<TrustedKey> candidates(String keyId) {
        if (keyId == null || keyId.isBlank()) {
            return keys;
        }
        return keys.stream().filter(k -> k.keyId().equals(keyId.strip())).toList();
    }
}
