package dev.npc.trust;

import dev.npc.digest.Sha256;
import dev.npc.remote.RemoteName;

import java.nio.charset.StandardCharsets;

/**
 * The exact bytes a remote's signature covers (format 2 of the signed message):
 *
 * <pre>
 * npc-remote-v2
 * name=&lt;remote name, as under remotes/&gt;
 * format=&lt;pack format&gt;
 * sha256=&lt;64 lowercase hex of the archive bytes&gt;
 * sequence=&lt;publish sequence, 1..2^63-1, no leading zeros&gt;
 * </pre>
 *
 * Each line ends in "\n". The name binds a signature to the remote it was made for, so a copy of
 * {@code staging} over {@code prod} is not signed for {@code prod}; the sequence, which grows with
 * every publish, lets a host refuse an older signed version put back (a replay). Pre-built
 * toplevels need no line of their own: they travel inside the archive (.npc/prebuilt.json), so
 * the sha256 covers them. The bootstrap script builds the same bytes in shell: change both or none.
 */
public final class SignedMessage {
    private SignedMessage() { }

    public static byte[] forRemote(String name, int format, String sha256, long sequence) {
        RemoteName.check(name);
        if (!Sha256.isHex(sha256)) {
            throw new IllegalArgumentException("'" + sha256 + "' is not a lowercase hex sha256");
        }
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence " + sequence + " is not in 1.." + Long.MAX_VALUE);
        }
        return ("npc-remote-v2\nname=" + name + "\nformat=" + format + "\nsha256=" + sha256 + "\nsequence=" + sequence
                + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Format 1, which npc 0.1 signed: the format and sha256 only, valid under any name and at any
     * time. Only recognised, to tell its owner to re-publish; never accepted.
     */
    static byte[] version1(int format, String sha256) {
        return ("npc-remote\nformat=" + format + "\nsha256=" + sha256 + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}
