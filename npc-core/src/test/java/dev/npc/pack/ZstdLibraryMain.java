package dev.npc.pack;

import dev.npc.files.Trees;
import dev.npc.process.SystemProcessRunner;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Run by ZstdLibraryTest in a JVM of its own (zstd-jni loads its library once per JVM): packs a
 * small flake with the cache directory of its argument, then prints which file the library was
 * mapped from, as /proc/self/maps says.
 */
public final class ZstdLibraryMain {
    private ZstdLibraryMain() { }

    public static void main(String[] args) throws Exception {
        ZstdLibrary.load(Path.of(args[0]));
        Path flake = Files.createTempDirectory("npc-zstd-library");
        Files.writeString(flake.resolve("flake.nix"), "{ outputs = _: { }; }\n");
        byte[] data = new byte[100_000];
        new Random(1).nextBytes(data);
        Files.write(flake.resolve("data.bin"), data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Packer(new SystemProcessRunner()).pack(flake, new PackOptions(List.of(), true), out);
        Trees.deleteRecursively(flake);
        System.out.println("packed " + out.size());
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            lines.filter(line -> line.contains("libzstd-jni")).map(line -> line.substring(line.indexOf('/')))
                    .distinct().forEach(path -> System.out.println("mapped " + path));
        }
    }
}
