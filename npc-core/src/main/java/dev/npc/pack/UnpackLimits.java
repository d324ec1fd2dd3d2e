package dev.npc.pack;

/** Bounds on what an archive may expand to, so a hostile remote cannot fill a host's disk. */
public record UnpackLimits(long maxTotalBytes, int maxEntries) {
    public static final UnpackLimits DEFAULT = new UnpackLimits(2L << 30, 200_000);
}
