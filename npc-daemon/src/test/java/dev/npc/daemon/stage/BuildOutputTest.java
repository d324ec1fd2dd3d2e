package dev.npc.daemon.stage;

import dev.npc.daemon.config.SystemCommands;
import dev.npc.process.SystemProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The system a build made is what Nix printed on stdout ({@code --print-out-paths}, or
 * nix-store's realised path), never a line of the build log on stderr, even one that looks like a
 * store path: a derivation's builder that echoes {@code $out}, which nix-store prints verbatim
 * while it builds.
 */
class BuildOutputTest {
    private static final String BUILT = "/nix/store/0c4c6gh8q7n5dqx2j6h6zq2l1w9x0f3b-nixos-system-web-1";
    private static final String LOGGED = "/nix/store/9v4m2l3k1j0h8g7f6d5s4a3q2w1e0r9t-hello-2.12";

    @TempDir
    Path tmp;

    @Test
    void nixBuildsStorePathComesFromStdoutOnly() throws Exception {
        Path bin = stub("nix", "echo '" + BUILT + "'\necho \"building '/nix/store/x-hello.drv'...\" >&2\n"
                + "echo '" + LOGGED + "' >&2\n");

        String toplevel = builder(bin).build(tmp, "web-1");

        assertEquals(BUILT, toplevel);
    }

    @Test
    void nixStoreRealisesPathComesFromStdoutOnly() throws Exception {
        Path bin = stub("nix-store", "echo '" + LOGGED + "' >&2\necho \"$2\"\necho '" + LOGGED + "' >&2\n");

        assertEquals(BUILT, builder(bin).realise(BUILT));
    }

    @Test
    void aBuildThatPrintsNoPathOnStdoutFailsWithItsLogInTheTail() throws Exception {
        Path bin = stub("nix", "echo '" + LOGGED + "' >&2\n");

        StageFailure failure = org.junit.jupiter.api.Assertions.assertThrows(StageFailure.class,
                () -> builder(bin).build(tmp, "web-1"));

        assertTrue(failure.getMessage().contains("printed no output path"), failure.getMessage());
        assertTrue(failure.logTail().contains(LOGGED), failure.logTail());
    }

    private Path stub(String program, String body) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path script = bin.resolve(program);
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private static Builder builder(Path bin) {
        SystemCommands system = new SystemCommands(bin.resolve("nix").toString(), bin.resolve("nix-env").toString(),
                bin.resolve("nix-store").toString(), "systemctl", "systemd-run", Path.of("/run/current-system"),
                Path.of("/nix/var/nix/profiles/system"), Path.of("/run/booted-system"));
        return new Builder(new Commands(new SystemProcessRunner()), system, List.of(), List.of(),
                Duration.ofMinutes(1), null, Map.of());
    }
}
