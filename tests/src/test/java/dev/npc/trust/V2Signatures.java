package dev.npc.trust;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Signs format 2 of the signed message (name, format, sha256, sequence; docs/format.md) with
 * npc's own Ed25519 and key files, for tests of the bootstrap, which checks that format in shell.
 * A test helper in this package because {@link Ed25519} is package-private.
 */
public final class V2Signatures {
    private V2Signatures() { }

    /** The exact bytes of format 2. */
    public static byte[] message(String name, int format, String sha256, long sequence) {
        return ("npc-remote-v2\nname=" + name + "\nformat=" + format + "\nsha256=" + sha256 + "\nsequence="
                + sequence + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** npc-signature, npc-key-id and npc-sequence, as a publish with --sign-key writes them. */
    public static Map<String, String> metadata(SigningKey key, String name, int format, String sha256, long sequence) {
        byte[] signature = Ed25519.sign(key.key(), message(name, format, sha256, sequence));
        return Map.of("npc-signature", Base64.getEncoder().encodeToString(signature), "npc-key-id", key.keyId(),
                "npc-sequence", Long.toString(sequence));
    }
}
