package dev.npc.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the benchmark tree of {@link PackBenchmark} (same seed, same files) into a directory, so
 * bench/pack-bench.sh can time whole processes ({@code bin/npc pack}, GNU tar | zstd) on it.
 *
 * <p>Arguments: directory (must not exist), number of files, total megabytes.
 */
public final class PackTree {
    private PackTree() { }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: PackTree DIRECTORY FILES MEGABYTES");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        if (Files.exists(dir)) {
            System.err.println("PackTree: " + dir + " exists; name a new directory");
            System.exit(2);
        }
        int files = Integer.parseInt(args[1]);
        long bytes = PackBenchmark.generate(dir, files, Long.parseLong(args[2]) << 20);
        Figures.print("tree", "%,d files / %.0f MB", files + 2, bytes / 1e6);
    }
}
