package dev.npc.pack;

/**
 * Bounds on what an archive may expand to, so a hostile remote cannot fill a host's disk or its
 * memory.
 *
 * @param maxTotalBytes  file contents plus the metadata headers (long names, PAX records) read
 * @param maxEntries     entries, directories made as parents included
 * @param maxHeaderBytes the largest GNU long name or link, or PAX extended header, one entry may
 *                       carry; larger ones are refused before a byte of them is read (a tar reader
 *                       keeps them in memory whole)
 */
public record UnpackLimits(long maxTotalBytes, int maxEntries, int maxHeaderBytes) {
    /** 64 KiB: sixteen times Linux's PATH_MAX, far beyond any name a flake holds. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 64 << 10;
    public static final UnpackLimits DEFAULT = new UnpackLimits(2L << 30, 200_000, DEFAULT_MAX_HEADER_BYTES);

    public UnpackLimits(long maxTotalBytes, int maxEntries) {
        this(maxTotalBytes, maxEntries, DEFAULT_MAX_HEADER_BYTES);
    }
}
