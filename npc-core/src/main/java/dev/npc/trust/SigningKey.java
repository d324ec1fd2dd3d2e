package dev.npc.trust;

import java.security.PrivateKey;

/**
 * An Ed25519 private key that signs remotes.
 *
 * @param keyId the fingerprint of the matching public key, so signatures name the key that checks them
 */
public record SigningKey(PrivateKey key, String keyId) {
    @Override
    public String toString() {
        return "SigningKey[" + keyId + "]";
    }
}
