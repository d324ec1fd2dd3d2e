package dev.npc.bench;

import dev.npc.files.Trees;
import dev.npc.pack.PackOptions;
import dev.npc.pack.PackResult;
import dev.npc.pack.Packer;
import dev.npc.process.SystemProcessRunner;
import dev.npc.testing.TestFlakes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Locale;
import java.util.Random;

/**
 * Packs a generated tree (20,000 files, about 100 MB, part text-like and part random, fixed seed)
 * with npc and with {@code tar --sort=name ... | zstd -3 -T1}, and prints the best of 3 runs of
 * each, after a few untimed packs that let the JIT compiler warm up (the cold first pack is printed
 * too). A warm, in-process figure, only a footnote: the README's pack figures are whole processes,
 * timed by {@code bench/pack-bench.sh} on the tree {@link #generate} writes (through {@link PackTree}).
 * Run this one by hand with the classpath of bench/common.sh's {@code bench_classpath}.
 *
 * <p>Arguments (optional): number of files, total megabytes, runs.
 */
public final class PackBenchmark {
    private static final String[] WORDS = ("services networking hostName enable true false let in inherit "
            + "pkgs lib config options mkIf mkOption types environment systemPackages users imports "
            + "nixosConfigurations system x86_64-linux modules boot loader grub device firewall allowedTCPPorts "
            + "{ } ( ) [ ] = ; . , \" / : 22 80 443 8080 nginx postgresql openssh settings extraConfig").split(" ");

    private static final int WARM_UP_RUNS = 5;

    private PackBenchmark() { }

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        long totalBytes = (args.length > 1 ? Long.parseLong(args[1]) : 100) << 20;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;

        Path work = Files.createTempDirectory("npc-pack-bench-");
        try {
            Path tree = work.resolve("flake");
            long inputBytes = generate(tree, files, totalBytes);
            System.out.printf(Locale.ROOT, "tree: %d files, %.1f MB (seed 42) in %s%n", files + 2, mb(inputBytes), tree);

            Path npcOut = work.resolve("npc.tar.zst");
            Path tarOut = work.resolve("gnu.tar.zst");
            String script = "tar --sort=name --mtime=@1 --owner=0 --group=0 --numeric-owner -cf - . | zstd -3 -T1 -q -f -o "
                    + tarOut;
            Packer packer = new Packer(new SystemProcessRunner());
            long npcBest = Long.MAX_VALUE;
            long tarBest = Long.MAX_VALUE;
            PackResult result = null;
            // The first packs of a JVM run half-interpreted; report the cold one, then measure warm.
            long coldStart = System.nanoTime();
            packer.pack(tree, PackOptions.DEFAULT, npcOut);
            double cold = (System.nanoTime() - coldStart) / 1e9;
            System.out.printf(Locale.ROOT, "npc cold (first pack in this JVM, JIT not warm yet): %.2f s%n", cold);
            for (int i = 0; i < WARM_UP_RUNS; i++) {
                packer.pack(tree, PackOptions.DEFAULT, npcOut);
            }
            // alternated, so a busy moment on a shared machine hurts both sides alike
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                result = packer.pack(tree, PackOptions.DEFAULT, npcOut);
                long npcTime = System.nanoTime() - start;
                npcBest = Math.min(npcBest, npcTime);

                start = System.nanoTime();
                Process p = new ProcessBuilder("sh", "-c", script).directory(tree.toFile()).inheritIO().start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("tar | zstd failed: " + script);
                }
                long tarTime = System.nanoTime() - start;
                tarBest = Math.min(tarBest, tarTime);
                System.out.printf(Locale.ROOT, "run %d: npc %.2f s, tar | zstd %.2f s%n", i + 1, npcTime / 1e9, tarTime / 1e9);
            }

            long npcSize = Files.size(npcOut);
            long tarSize = Files.size(tarOut);
            System.out.printf(Locale.ROOT, "npc pack          : %6.2f s  %6.1f MB/s  %9d bytes  (sha256 %s)%n",
                    npcBest / 1e9, mb(inputBytes) / (npcBest / 1e9), npcSize, result.sha256().substring(0, 8));
            System.out.printf(Locale.ROOT, "tar | zstd -3 -T1 : %6.2f s  %6.1f MB/s  %9d bytes%n",
                    tarBest / 1e9, mb(inputBytes) / (tarBest / 1e9), tarSize);
            System.out.printf(Locale.ROOT, "npc / tar         : time %.2fx, size %.3fx (best of %d runs each, %d cores)%n",
                    (double) npcBest / tarBest, (double) npcSize / tarSize, runs, Runtime.getRuntime().availableProcessors());
            Figures.print("tree", "%,d files / %.0f MB", files + 2, mb(inputBytes));
            Figures.print("runs", "%d", runs);
            Figures.print("npc.time", "%.2f s", npcBest / 1e9);
            Figures.print("npc.throughput", "%.0f MB/s", mb(inputBytes) / (npcBest / 1e9));
            Figures.print("npc.bytes", "%,d", npcSize);
            Figures.print("npc.cold", "%.2f s", cold);
            Figures.print("tar.time", "%.2f s", tarBest / 1e9);
            Figures.print("tar.throughput", "%.0f MB/s", mb(inputBytes) / (tarBest / 1e9));
            Figures.print("tar.bytes", "%,d", tarSize);
            Figures.print("ratio.time", "%.2fx", (double) npcBest / tarBest);
            Figures.print("ratio.size", "%.3fx", (double) npcSize / tarSize);
        } finally {
            Trees.deleteRecursively(work);
        }
    }

    /** Writes the tree and returns its size in bytes; the same arguments always give the same files. */
    static long generate(Path root, int files, long totalBytes) throws IOException {
        TestFlakes.minimal(root);
        Random random = new Random(42);
        long average = totalBytes / files;
        long written = 0;
        byte[] buffer = new byte[(int) Math.min(Integer.MAX_VALUE - 8, average * 8)];
        for (int i = 0; i < files; i++) {
            // sizes spread from tiny to 4x the average, like a real tree of modules, assets and keys
            int size = (int) Math.min(buffer.length, Math.max(16, -Math.log(1 - random.nextDouble()) * average));
            boolean text = random.nextInt(10) < 7;
            if (text) {
                fillText(random, buffer, size);
            } else {
                byte[] noise = new byte[size];
                random.nextBytes(noise);
                System.arraycopy(noise, 0, buffer, 0, size);
            }
            String name = String.format(Locale.ROOT, "d%02d/s%03d/file-%05d.%s", i % 20, i % 400, i, text ? "nix" : "bin");
            Path file = root.resolve(name);
            Files.createDirectories(file.getParent());
            Files.write(file, java.util.Arrays.copyOf(buffer, size));
            written += size;
        }
        return written + Files.size(root.resolve("flake.nix")) + Files.size(root.resolve("flake.lock"));
    }

    private static void fillText(Random random, byte[] buffer, int size) {
        int pos = 0;
        int column = 0;
        while (pos < size) {
            byte[] word = WORDS[random.nextInt(WORDS.length)].getBytes(StandardCharsets.US_ASCII);
            for (int j = 0; j < word.length && pos < size; j++) {
                buffer[pos++] = word[j];
            }
            column += word.length + 1;
            if (pos < size) {
                buffer[pos++] = (byte) (column > 72 ? '\n' : ' ');
                column = column > 72 ? 0 : column;
            }
        }
    }

    private static double mb(long bytes) {
        return bytes / 1e6;
    }

}
