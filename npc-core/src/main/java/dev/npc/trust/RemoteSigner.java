package dev.npc.trust;

import dev.npc.remote.RemoteMetadata;

import java.util.Base64;
import java.util.Map;

/** Signs a remote's version: the metadata {@code npc push --sign-key} adds to the object. */
public final class RemoteSigner {
    private final SigningKey key;

    public RemoteSigner(SigningKey key) {
        this.key = key;
    }

    public String keyId() {
        return key.keyId();
    }

    /** {@code npc-signature} and {@code npc-key-id} for an archive of this format and sha256. */
    public Map<String, String> metadata(int format, String sha256) {
        byte[] signature = Ed25519.sign(key.key(), SignedMessage.forRemote(format, sha256));
        return Map.of(RemoteMetadata.SIGNATURE, Base64.getEncoder().encodeToString(signature),
                RemoteMetadata.KEY_ID, key.keyId());
    }
}
