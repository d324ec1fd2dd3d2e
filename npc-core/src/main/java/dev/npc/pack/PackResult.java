package dev.npc.pack;

/**
 * @param sha256    hex sha256 of the archive bytes: the remote's version
 * @param files     number of regular files and symlinks packed
 * @param bytes     archive size
 * @param sourceRev the git commit of the flake directory, or null outside git
 */
public record PackResult(String sha256, int files, long bytes, String sourceRev) { }
