package dev.npc.trust;

import dev.npc.remote.RemoteMetadata;

import java.util.Base64;

/** Signs a remote's version for the name it is published under: what --sign-key adds to the object. */
public final class RemoteSigner {
    private final SigningKey key;

    public RemoteSigner(SigningKey key) {
        this.key = key;
    }

    public String keyId() {
        return key.keyId();
    }

    /** {@code metadata} with {@code npc-signature} and {@code npc-key-id} for remote {@code name} at its sequence. */
    public RemoteMetadata sign(String name, RemoteMetadata metadata) {
        return metadata.withSignature(signature(name, metadata), key.keyId());
    }

    /**
     * Whether {@code metadata} already carries this key's signature for {@code name}, its sha256
     * and its sequence. Ed25519 signatures are deterministic, so signing again and comparing
     * answers it without the public key.
     */
    public boolean signed(String name, RemoteMetadata metadata) {
        if (!metadata.signed() || metadata.sequence() < 1 || !key.keyId().equals(metadata.keyId())) {
            return false;
        }
        try {
            return signature(name, metadata).equals(metadata.signature().strip());
        } catch (IllegalArgumentException e) {
            return false; // not a sha256 this key could have signed
        }
    }

    private String signature(String name, RemoteMetadata metadata) {
        byte[] message = SignedMessage.forRemote(name, metadata.format(), metadata.sha256(), metadata.sequence());
        return Base64.getEncoder().encodeToString(Ed25519.sign(key.key(), message));
    }
}
