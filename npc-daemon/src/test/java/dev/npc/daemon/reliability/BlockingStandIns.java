package dev.npc.daemon.reliability;

import dev.npc.daemon.testing.StandIns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;

/**
 * Wrappers around {@link StandIns}' nix, nix-env, nix-store, systemctl and systemd-run that count their calls
 * and can hold one chosen call (say the 2nd nix-env) until released, so a test knows the daemon
 * is inside that step when it kills it. A held call writes {@code at-<name>-<n>}; releasing it
 * lets the orphaned script exit (the daemon that started it is dead by then).
 */
final class BlockingStandIns {
    final Path bin;
    private final Path control;

    BlockingStandIns(StandIns real, Path root) throws IOException {
        this.bin = Files.createDirectories(root.resolve("bin"));
        this.control = Files.createDirectories(root.resolve("control"));
        for (String name : new String[] {"nix", "nix-env", "nix-store", "systemctl", "systemd-run"}) {
            Path script = bin.resolve(name);
            Files.writeString(script, "#!/bin/sh\n"
                    + "c='" + control + "'\n"
                    + "n=$(( $(cat \"$c/count-" + name + "\" 2>/dev/null || echo 0) + 1 ))\n"
                    + "echo \"$n\" > \"$c/count-" + name + "\"\n"
                    + "if [ -f \"$c/block-" + name + "-$n\" ]; then\n"
                    + "  echo $$ > \"$c/at-" + name + "-$n\"\n"
                    + "  while [ -f \"$c/block-" + name + "-$n\" ]; do sleep 0.05; done\n"
                    + "  exit 1\n"
                    + "fi\n"
                    + "exec '" + real.bin.resolve(name) + "' \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    int calls(String name) throws IOException {
        Path count = control.resolve("count-" + name);
        return Files.exists(count) ? Integer.parseInt(Files.readString(count).strip()) : 0;
    }

    /** Holds the {@code n}-th call of {@code name}. */
    void hold(String name, int n) throws IOException {
        Files.writeString(control.resolve("block-" + name + "-" + n), "");
    }

    void awaitHeld(String name, int n, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (!Files.exists(control.resolve("at-" + name + "-" + n))) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError(name + " call " + n + " was never reached");
            }
            Thread.sleep(20);
        }
    }

    void release(String name, int n) throws IOException {
        Files.deleteIfExists(control.resolve("block-" + name + "-" + n));
    }
}
