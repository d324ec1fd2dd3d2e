package dev.npc.trust;

import dev.npc.digest.Sha256;

import java.nio.charset.StandardCharsets;

/**
 * The exact bytes a remote's signature covers: its pack format and the sha256 of its bytes. The
 * remote's name is left out on purpose, so promote and rollout (server-side copies) keep a valid
 * signature; docs/reliability.md says what that means for replays.
 */
public final class SignedMessage {
    private SignedMessage() { }

    public static byte[] forRemote(int format, String sha256) {
        if (!Sha256.isHex(sha256)) {
            throw new IllegalArgumentException("'" + sha256 + "' is not a lowercase hex sha256");
        }
        return ("npc-remote\nformat=" + format + "\nsha256=" + sha256 + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}
