package dev.npc.bench;

import dev.npc.digest.Sha256;
import dev.npc.digest.Sha256Digest;

import java.security.MessageDigest;
import java.util.Random;

/**
 * Hashes MEGABYTES of random bytes with one SHA-256 implementation, in 128 KiB pieces as a pack
 * hands its output over, and prints the rate measured from the first byte (compilation included:
 * a pack is a fresh process too). bench/hash-bench.sh runs it under several sets of JVM flags.
 *
 * <p>Arguments: {@code npc} (dev.npc.digest.Sha256Digest) or {@code jdk} (MessageDigest), megabytes.
 */
public final class HashSpeed {
    private HashSpeed() { }

    public static void main(String[] args) {
        if (args.length != 2 || !args[0].matches("npc|jdk")) {
            System.err.println("usage: HashSpeed npc|jdk MEGABYTES");
            System.exit(2);
        }
        long bytes = Long.parseLong(args[1]) << 20;
        byte[] piece = new byte[1 << 17];
        new Random(42).nextBytes(piece);
        MessageDigest digest = args[0].equals("npc") ? new Sha256Digest() : Sha256.newDigest();
        long start = System.nanoTime();
        for (long done = 0; done < bytes; done += piece.length) {
            digest.update(piece, 0, piece.length);
        }
        byte[] sum = digest.digest();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (sum.length != 32) {
            throw new IllegalStateException("not a SHA-256 digest: " + sum.length + " bytes");
        }
        Figures.print(args[0], "%.0f MB/s", bytes / 1e6 / seconds);
    }
}
