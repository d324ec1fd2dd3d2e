package dev.npc.trust;

import java.security.PublicKey;

/**
 * An Ed25519 public key whose signatures a host (or {@code npc verify}) accepts.
 *
 * @param keyId the short fingerprint remotes carry in {@code npc-key-id}
 */
public record TrustedKey(PublicKey key, String keyId) { }
