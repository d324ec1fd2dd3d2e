package dev.npc.digest;

import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104) over {@link Sha256Digest}: SigV4 signs every request to the store with a
 * chain of these, and the JDK's {@code Mac} would bring the SunJCE provider's set-up (provider
 * lookup, its classes, the JDK's C1-slow SHA-256) into every start of npc-daemon and every poll.
 * Checked against {@code javax.crypto.Mac} and RFC 4231's examples by HmacSha256Test.
 */
public final class HmacSha256 {
    private static final int BLOCK = 64;

    private HmacSha256() { }

    public static byte[] mac(byte[] key, byte[] message) {
        byte[] block = Arrays.copyOf(key.length > BLOCK ? digest(key) : key, BLOCK);
        byte[] inner = new byte[BLOCK];
        byte[] outer = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            inner[i] = (byte) (block[i] ^ 0x36);
            outer[i] = (byte) (block[i] ^ 0x5c);
        }
        Sha256Digest digest = new Sha256Digest();
        digest.update(inner);
        digest.update(message);
        byte[] innerHash = digest.digest();
        digest.update(outer);
        digest.update(innerHash);
        return digest.digest();
    }

    private static byte[] digest(byte[] bytes) {
        Sha256Digest digest = new Sha256Digest();
        digest.update(bytes);
        return digest.digest();
    }
}
