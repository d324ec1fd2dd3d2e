package dev.npc.pack;

import dev.npc.process.SystemProcessRunner;
import dev.npc.testing.TestArchives;
import dev.npc.testing.TestCommands;
import dev.npc.testing.TestFlakes;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FileSelectionTest {
    @TempDir
    Path tmp;

    private final Packer packer = new Packer(new SystemProcessRunner());

    @Test
    void inGitOnlyTrackedFilesThatExistAreTaken() throws Exception {
        assumeTrue(TestCommands.available("git"), "git is not installed");
        Path repo = tmp.resolve("repo");
        Path flake = TestFlakes.minimal(repo.resolve("infra"));
        TestFlakes.write(repo, "README", "outside the flake directory");
        TestFlakes.write(flake, "hosts/web.nix", "{ }");
        TestFlakes.write(flake, "hosts/gone.nix", "{ }");
        TestFlakes.write(flake, ".gitignore", "secrets/\n");
        TestFlakes.symlink(flake, "current", "hosts/web.nix");
        TestCommands.git(repo, "init", "-q");
        TestCommands.git(repo, "add", ".");
        TestCommands.git(repo, "commit", "-q", "-m", "first");
        TestFlakes.write(flake, "untracked.nix", "{ }");
        TestFlakes.write(flake, "secrets/key", "ignored");
        TestFlakes.write(flake, "staged.nix", "{ }");
        TestCommands.git(repo, "add", "infra/staged.nix");
        Files.delete(flake.resolve("hosts/gone.nix"));

        Pack pack = pack(flake, PackOptions.DEFAULT);

        assertEquals(List.of(".gitignore", "current", "flake.lock", "flake.nix", "hosts/", "hosts/web.nix", "staged.nix"),
                pack.names);
        String head = TestCommands.git(repo, "rev-parse", "HEAD").strip();
        assertEquals(head + "-dirty", pack.result.sourceRev(), "staged and deleted files make the tree dirty");

        TestCommands.git(repo, "add", "-A", "infra/hosts", "infra/staged.nix");
        TestCommands.git(repo, "commit", "-q", "-m", "second");
        String second = TestCommands.git(repo, "rev-parse", "HEAD").strip();
        assertEquals(second, pack(flake, PackOptions.DEFAULT).result.sourceRev(), "untracked files do not make it dirty");

        TestFlakes.write(repo, "README", "changed outside the flake directory");
        assertEquals(second, pack(flake, PackOptions.DEFAULT).result.sourceRev(), "changes elsewhere in the repo do not count");
        TestFlakes.write(flake, "hosts/web.nix", "{ changed = true; }");
        assertEquals(second + "-dirty", pack(flake, PackOptions.DEFAULT).result.sourceRev());
    }

    @Test
    void inGitAnUntrackedFlakeNixIsRefusedWithTheFix() throws Exception {
        assumeTrue(TestCommands.available("git"), "git is not installed");
        Path flake = TestFlakes.minimal(tmp.resolve("repo"));
        TestCommands.git(flake, "init", "-q");
        TestCommands.git(flake, "add", "flake.lock");
        PackException e = org.junit.jupiter.api.Assertions.assertThrows(PackException.class,
                () -> pack(flake, PackOptions.DEFAULT));
        assertTrue(e.getMessage().contains("git add flake.nix"), e.getMessage());
    }

    @Test
    void beforeTheFirstCommitThereIsNoSourceRev() throws Exception {
        assumeTrue(TestCommands.available("git"), "git is not installed");
        Path flake = TestFlakes.minimal(tmp.resolve("repo"));
        TestCommands.git(flake, "init", "-q");
        TestCommands.git(flake, "add", ".");
        Pack pack = pack(flake, PackOptions.DEFAULT);
        assertNull(pack.result.sourceRev());
        assertEquals(List.of("flake.lock", "flake.nix"), pack.names);
    }

    @Test
    void outsideGitEverythingButBuildOutputVcsAndIgnoredFiles() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(flake, ".npcignore", String.join("\n",
                "# comments and blank lines are skipped", "", "*.swp", "/secrets/", "scratch/", "docs/**/draft-*",
                "/top-only.txt", "**/cache"));
        TestFlakes.write(flake, "hosts/web.nix", "{ }");
        TestFlakes.write(flake, "hosts/.web.nix.swp", "editor");
        TestFlakes.write(flake, "secrets/key", "no");
        TestFlakes.write(flake, "modules/secrets/keep.nix", "anchored pattern: only the top-level secrets/ goes");
        TestFlakes.write(flake, "a/scratch/x", "no");
        TestFlakes.write(flake, "docs/x/y/draft-1.md", "no");
        TestFlakes.write(flake, "docs/final.md", "yes");
        TestFlakes.write(flake, "top-only.txt", "no");
        TestFlakes.write(flake, "nested/top-only.txt", "yes");
        TestFlakes.write(flake, "deep/er/cache", "no");
        TestFlakes.write(flake, ".git/config", "no");
        TestFlakes.write(flake, ".direnv/flake-profile", "no");
        TestFlakes.write(flake, "result-file", "a plain file named like a link is kept");
        TestFlakes.symlink(flake, "result", "/nix/store/aaaa-nixos-system");
        TestFlakes.symlink(flake, "result-1", "/nix/store/bbbb-nixos-system");
        Files.createDirectories(flake.resolve("empty"));

        Pack pack = pack(flake, PackOptions.DEFAULT);

        assertEquals(List.of(".npcignore", "a/", "deep/", "deep/er/", "docs/", "docs/final.md", "docs/x/", "docs/x/y/",
                "empty/", "flake.lock", "flake.nix", "hosts/", "hosts/web.nix", "modules/", "modules/secrets/",
                "modules/secrets/keep.nix", "nested/", "nested/top-only.txt", "result-file"), pack.names);
        assertNull(pack.result.sourceRev());
        assertEquals(8, pack.result.files());
    }

    @Test
    void includesNarrowToTheNamedDirectoriesPlusTheFlakeFiles() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(flake, "hosts/web.nix", "{ }");
        TestFlakes.write(flake, "modules/base.nix", "{ }");
        TestFlakes.write(flake, "modules-old/base.nix", "{ }");
        TestFlakes.write(flake, "lib/x/y.nix", "{ }");
        TestFlakes.write(flake, "README.md", "docs");

        Pack pack = pack(flake, new PackOptions(List.of("modules/", "./lib/x"), false));

        assertEquals(List.of("flake.lock", "flake.nix", "lib/", "lib/x/", "lib/x/y.nix", "modules/", "modules/base.nix"),
                pack.names);
    }

    @Test
    void walkingOutsideGitGivesTheSameArchiveAsGitForTheSameFiles() throws Exception {
        assumeTrue(TestCommands.available("git"), "git is not installed");
        List<String> names = List.of("a", "a.nix/x", "a-b", "a/b", "a b/c", "a!x", "ab", "a/c/d", "a/c.d", "Z", "z/z",
                "\u00e9.txt", "\u00e9/x", "\ud83d\ude00.nix");
        Path plain = TestFlakes.minimal(tmp.resolve("plain"));
        Path repo = TestFlakes.minimal(tmp.resolve("repo"));
        for (String name : names) {
            TestFlakes.write(plain, name.equals("a") ? "a/f" : name, name);
            TestFlakes.write(repo, name.equals("a") ? "a/f" : name, name);
        }
        TestCommands.git(repo, "init", "-q");
        TestCommands.git(repo, "add", ".");

        ByteArrayOutputStream fromWalk = new ByteArrayOutputStream();
        ByteArrayOutputStream fromGit = new ByteArrayOutputStream();
        packer.pack(plain, PackOptions.DEFAULT, fromWalk);
        packer.pack(repo, PackOptions.DEFAULT, fromGit);

        assertEquals(TestArchives.headers(fromGit.toByteArray()).stream().map(TarArchiveEntry::getName).toList(),
                TestArchives.headers(fromWalk.toByteArray()).stream().map(TarArchiveEntry::getName).toList());
        org.junit.jupiter.api.Assertions.assertArrayEquals(fromGit.toByteArray(), fromWalk.toByteArray());
    }

    private record Pack(PackResult result, List<String> names) { }

    private Pack pack(Path flake, PackOptions options) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PackResult result = packer.pack(flake, options, out);
        return new Pack(result, TestArchives.headers(out.toByteArray()).stream().map(TarArchiveEntry::getName).toList());
    }
}
