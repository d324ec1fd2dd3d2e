package dev.npc.pack;

import dev.npc.process.SystemProcessRunner;
import dev.npc.testing.TestCommands;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every flake directory npc must refuse to pack, each with a one-line message naming the thing and the fix. */
class PackRefusalTest {
    @TempDir
    Path tmp;

    private final Packer packer = new Packer(new SystemProcessRunner());

    @Test
    void noFlakeNix() {
        Path dir = TestFlakes.write(tmp, "flake/flake.lock", TestFlakes.FLAKE_LOCK).getParent();
        assertRefused(dir, PackOptions.DEFAULT, "no flake.nix");
    }

    @Test
    void notADirectory() {
        assertRefused(tmp.resolve("missing"), PackOptions.DEFAULT, "is not a directory");
    }

    @Test
    void noFlakeLockUnlessAllowed() throws Exception {
        Path dir = TestFlakes.write(tmp, "flake/flake.nix", TestFlakes.FLAKE_NIX).getParent();
        assertRefused(dir, PackOptions.DEFAULT, "--allow-unlocked");
        PackResult result = packer.pack(dir, new PackOptions(List.of(), true), new ByteArrayOutputStream());
        assertEquals(1, result.files());
    }

    @Test
    void absoluteSymlinkNamesPathAndTarget() {
        Path dir = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.symlink(dir, "hosts/secrets", "/etc/secrets");
        assertRefused(dir, PackOptions.DEFAULT, "symlink hosts/secrets points to /etc/secrets, which is absolute");
    }

    @Test
    void escapingSymlinkNamesPathAndTarget() {
        Path dir = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.symlink(dir, "hosts/common", "../../common");
        assertRefused(dir, PackOptions.DEFAULT, "symlink hosts/common points to ../../common, which leads outside");
    }

    @Test
    void specialFile() {
        assumeTrue(TestCommands.available("mkfifo"), "mkfifo is not installed");
        Path dir = TestFlakes.minimal(tmp.resolve("flake"));
        TestCommands.sh(dir, "mkdir run && mkfifo run/pipe");
        assertRefused(dir, PackOptions.DEFAULT, "run/pipe is a special file");
    }

    @Test
    void ignoredSpecialFileIsFine() throws Exception {
        assumeTrue(TestCommands.available("mkfifo"), "mkfifo is not installed");
        Path dir = TestFlakes.minimal(tmp.resolve("flake"));
        TestCommands.sh(dir, "mkdir .direnv && mkfifo .direnv/pipe");
        assertEquals(2, packer.pack(dir, PackOptions.DEFAULT, new ByteArrayOutputStream()).files());
    }

    @Test
    void pathInputWithAbsolutePath() {
        Path dir = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(dir, "flake.lock", TestFlakes.lockWithPathInput("/home/me/secrets"));
        assertRefused(dir, PackOptions.DEFAULT, "input 'local' is the local path /home/me/secrets");
    }

    @Test
    void pathInputEscapingTheDirectory() {
        Path dir = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(dir, "flake.lock", TestFlakes.lockWithPathInput("./sub/../../shared"));
        assertRefused(dir, PackOptions.DEFAULT, "input 'local' is the path ./sub/../../shared, outside");
    }

    @Test
    void pathInputInsideTheDirectoryIsFine() throws Exception {
        Path dir = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(dir, "flake.lock", TestFlakes.lockWithPathInput("./pkgs/tool"));
        TestFlakes.write(dir, "pkgs/tool/flake.nix", TestFlakes.FLAKE_NIX);
        assertEquals(3, packer.pack(dir, PackOptions.DEFAULT, new ByteArrayOutputStream()).files());
    }

    @Test
    void flakeLockThatIsNotJson() {
        Path dir = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(dir, "flake.lock", "{ not json");
        assertRefused(dir, PackOptions.DEFAULT, "flake.lock is not valid JSON");
    }

    @Test
    void includeThatDoesNotExist() {
        Path dir = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(dir, "hosts/web.nix", "{ }");
        assertRefused(dir, new PackOptions(List.of("host"), false), "--include host: no such directory");
        assertRefused(dir, new PackOptions(List.of("../flake"), false), "--include ../flake is not a directory path inside");
        assertRefused(dir, new PackOptions(List.of("flake.nix"), false), "--include flake.nix: no such directory");
    }

    @Test
    void unsupportedIgnorePattern() {
        Path dir = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(dir, ".npcignore", "*.log\n!keep.log\n");
        assertRefused(dir, PackOptions.DEFAULT, ".npcignore line 2 '!keep.log': negation is not supported");
    }

    @Test
    void ignoringTheFlakeFiles() {
        Path dir = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(dir, ".npcignore", "*.lock\n");
        assertRefused(dir, PackOptions.DEFAULT, "flake.lock matches a pattern in .npcignore");
    }

    @Test
    void refusedPackToFileWritesNothing() {
        Path dir = TestFlakes.write(tmp, "flake/flake.nix", TestFlakes.FLAKE_NIX).getParent();
        Path file = tmp.resolve("out/remote.npc");
        PackException e = assertThrows(PackException.class, () -> packer.pack(dir, PackOptions.DEFAULT, file));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(Files.exists(file.getParent()));
    }

    private void assertRefused(Path dir, PackOptions options, String expected) {
        PackException e = assertThrows(PackException.class,
                () -> packer.pack(dir, options, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
