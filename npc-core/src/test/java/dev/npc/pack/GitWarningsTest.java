package dev.npc.pack;

import dev.npc.process.SystemProcessRunner;
import dev.npc.testing.TestArchives;
import dev.npc.testing.TestCommands;
import dev.npc.testing.TestFlakes;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What git prints on stderr is not its answer: warnings and hints must neither join the first
 * tracked path nor make a clean tree "-dirty". Both warnings below are printed by git 2.39 while
 * the command succeeds, and both used to be read as part of git's answer.
 */
class GitWarningsTest {
    @TempDir
    Path tmp;

    @Test
    void aWarningOnEveryCommandChangesNeitherTheFilesNorTheSourceRev() throws Exception {
        assumeTrue(TestCommands.available("git"), "git is not installed");
        Path flake = tmp.resolve("flake");
        String head = TestFlakes.committedGitFlake(flake);
        // An index written by a newer git (or another tool) with an optional extension this git does
        // not know: read-cache.c prints "ignoring Zzzz extension" for every command that reads it.
        addIndexExtension(flake.resolve(".git/index"), "Zzzz");

        Pack pack = pack(flake);

        assertEquals(List.of("flake.lock", "flake.nix"), pack.names);
        assertEquals(head, pack.result.sourceRev(), "a warning on stderr is not a changed file");
    }

    @Test
    void aFailingGitIsReportedByItsErrorNotByTheWarningBeforeIt() throws Exception {
        assumeTrue(TestCommands.available("git"), "git is not installed");
        Path flake = tmp.resolve("flake");
        TestFlakes.committedGitFlake(flake);
        // setup.c warns "core.bare and core.worktree do not make sense"; git status then fails.
        TestCommands.git(flake, "config", "core.bare", "true");
        TestCommands.git(flake, "config", "core.worktree", flake.toString());

        PackException failure = assertThrows(PackException.class, () -> pack(flake));

        assertTrue(failure.getMessage().contains("`git status` failed: fatal: unable to set up work tree using invalid"
                + " config;"), failure.getMessage());
    }

    @Test
    void aHintFromGitStatusDoesNotMakeTheSourceDirty() throws Exception {
        assumeTrue(TestCommands.available("git"), "git is not installed");
        Path flake = tmp.resolve("flake");
        String head = TestFlakes.committedGitFlake(flake);
        // commit.c: "hint: Support for <GIT_DIR>/info/grafts is deprecated", printed by git status.
        Files.writeString(flake.resolve(".git/info/grafts"), head + "\n");

        assertEquals(head, pack(flake).result.sourceRev(), "a hint on stderr is not a changed file");
    }

    /** Appends an empty extension to a git index and rewrites its SHA-1 trailer, as git would. */
    private static void addIndexExtension(Path index, String signature) throws Exception {
        byte[] bytes = Files.readAllBytes(index);
        ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
        rewritten.write(bytes, 0, bytes.length - 20);
        rewritten.write(signature.getBytes(StandardCharsets.US_ASCII));
        rewritten.write(new byte[4]);
        byte[] body = rewritten.toByteArray();
        rewritten.write(MessageDigest.getInstance("SHA-1").digest(body));
        Files.write(index, rewritten.toByteArray());
    }

    private record Pack(PackResult result, List<String> names) { }

    private static Pack pack(Path flake) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PackResult result = new Packer(new SystemProcessRunner()).pack(flake, PackOptions.DEFAULT, out);
        return new Pack(result, TestArchives.headers(out.toByteArray()).stream().map(TarArchiveEntry::getName).toList());
    }
}
