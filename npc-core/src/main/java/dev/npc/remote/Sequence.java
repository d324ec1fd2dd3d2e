package dev.npc.remote;

import dev.npc.store.ObjectInfo;

import java.time.Clock;
import java.util.regex.Pattern;

/**
 * The publish sequence every remote carries ({@code npc-sequence}): decimal, 1..2^63-1, no leading
 * zeros. Each publish (push, promote, rollout wave, rollback) writes max(now in epoch
 * milliseconds, the sequence of the object it replaces + 1), so it grows even when clocks
 * disagree, and it reads as the publish time. Signed, it lets a host refuse an older version.
 */
public final class Sequence {
    /** What {@link #parse} returns for an absent value. */
    public static final long ABSENT = 0;
    /** What {@link #parse} returns for a value that is not a valid sequence. */
    public static final long MALFORMED = -1;
    private static final Pattern VALID = Pattern.compile("[1-9][0-9]{0,18}");

    private Sequence() { }

    /** The sequence in {@code text}, {@link #ABSENT} when null, {@link #MALFORMED} when not valid. */
    public static long parse(String text) {
        if (text == null) {
            return ABSENT;
        }
        if (!VALID.matcher(text).matches()) {
            return MALFORMED;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return MALFORMED; // 19 digits above 2^63-1
        }
    }

    /**
     * The sequence for a publish that replaces {@code replaced} (null: a new remote).
     *
     * @throws RemoteException when the replaced object's sequence is already the largest there is
     */
    public static long next(Clock clock, String remote, ObjectInfo replaced) throws RemoteException {
        long previous = replaced == null ? ABSENT : Math.max(ABSENT, parse(replaced.meta(RemoteMetadata.SEQUENCE)));
        if (previous == Long.MAX_VALUE) {
            throw new RemoteException("remote '" + remote + "' carries npc-sequence " + Long.MAX_VALUE
                    + ", the largest there is, so no later publish can follow it (npc never writes that: someone"
                    + " else did); delete remotes/" + remote + ".npc, publish it again, and reset what hosts have seen"
                    + " (sequences.json in their state directory)");
        }
        return Math.max(clock.millis(), previous + 1);
    }
}
