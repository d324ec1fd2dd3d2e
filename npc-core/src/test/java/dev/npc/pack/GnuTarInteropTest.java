package dev.npc.pack;

import dev.npc.process.SystemProcessRunner;
import dev.npc.testing.TestCommands;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A remote is a plain tar.zst: GNU tar reads what npc writes, and npc reads what GNU tar writes (npcnix's remotes). */
class GnuTarInteropTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void needsTarAndZstd() {
        assumeTrue(TestCommands.available("tar"), "GNU tar is not installed");
        assumeTrue(TestCommands.available("zstd"), "zstd is not installed");
    }

    @Test
    void gnuTarExtractsAnNpcArchiveUnchanged() throws Exception {
        Path flake = sampleFlake(tmp.resolve("flake"));
        Path archive = tmp.resolve("remote.npc");
        new Packer(new SystemProcessRunner()).pack(flake, PackOptions.DEFAULT, archive);
        Path out = Files.createDirectories(tmp.resolve("out"));

        TestCommands.run(out, java.util.List.of("tar", "--zstd", "-xpf", archive.toString(), "--no-same-owner"));

        assertEquals(TestFlakes.describe(flake), TestFlakes.describe(out));
        String listing = TestCommands.run(out, java.util.List.of("tar", "--zstd", "-tvf", archive.toString(), "--numeric-owner"));
        assertEquals(0, listing.lines().filter(l -> !l.contains(" 0/0 ") || !l.contains("1970-01-01 00:00")).count(),
                "every entry owned by 0/0 at the fixed time:\n" + listing);
    }

    @Test
    void npcUnpacksATarZstMadeByGnuTar() throws Exception {
        Path flake = sampleFlake(tmp.resolve("flake"));
        Path archive = tmp.resolve("npcnix-remote.tar.zst");
        TestCommands.run(flake, java.util.List.of("tar", "--zstd", "-cf", archive.toString(), "."));
        Path out = tmp.resolve("out");

        try (InputStream in = Files.newInputStream(archive)) {
            new Unpacker(UnpackLimits.DEFAULT).unpack(in, out);
        }

        assertEquals(TestFlakes.describe(flake), TestFlakes.describe(out));
    }

    /** Modes already normalised (0644/0755), so both directions must reproduce the tree exactly. */
    private static Path sampleFlake(Path dir) {
        TestFlakes.minimal(dir);
        TestFlakes.write(dir, "hosts/web/default.nix", "{ networking.hostName = \"web\"; }\n");
        TestFlakes.writeExecutable(dir, "bin/deploy", "#!/bin/sh\necho deploy\n");
        TestFlakes.symlink(dir, "hosts/current", "web");
        TestFlakes.symlink(dir, "bin/flake.nix", "../flake.nix");
        String longDir = "modules/" + "very-long-directory-name-".repeat(5);
        TestFlakes.write(dir, longDir + "/" + "and-a-long-file-name-".repeat(6) + ".nix", "{ }\n");
        TestFlakes.symlink(dir, "long-link", longDir);
        TestFlakes.write(dir, "empty-dir/.keep", "");
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                boolean exec = Files.isDirectory(p) || Files.isExecutable(p);
                TestFlakes.chmod(p, exec ? "rwxr-xr-x" : "rw-r--r--");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return dir;
    }
}
