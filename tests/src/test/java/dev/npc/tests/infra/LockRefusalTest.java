package dev.npc.tests.infra;

import dev.npc.daemon.stage.Builder;
import dev.npc.process.ProcessRunner.ProcessResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon builds with --no-update-lock-file and recognises Nix's refusal by its words
 * ({@link Builder#LOCK_REFUSED}) to tell the admin to run `nix flake lock`. The real Nix says them
 * here, for a flake whose lock misses an input: the stand-in `nix` in the daemon's tests only
 * repeats what this test sees.
 */
class LockRefusalTest {
    @TempDir
    Path work;

    @Test
    void realNixRefusesALockThatMissesAnInputInTheWordsTheDaemonRecognises() throws IOException {
        Nix nix = new Nix(work.resolve("nix"));
        Path flake = Files.createDirectories(work.resolve("fleet/other")).getParent();
        Files.writeString(flake.resolve("flake.nix"),
                "{ inputs.other.url = \"path:./other\"; outputs = { self, other }: { x = 1; }; }\n");
        Files.writeString(flake.resolve("other/flake.nix"), "{ outputs = { self }: { }; }\n");
        Files.writeString(flake.resolve("flake.lock"), "{ \"nodes\": { \"root\": {} }, \"root\": \"root\", \"version\": 7 }\n");

        ProcessResult refused = nix.nix("eval", "--no-update-lock-file", "path:" + flake + "#x");
        ProcessResult completed = nix.nix("eval", "--no-write-lock-file", "path:" + flake + "#x");

        assertFalse(refused.ok(), refused.toString());
        assertTrue(refused.printed(Builder.LOCK_REFUSED), refused.toString());
        assertTrue(completed.ok() && completed.stdout().text().strip().endsWith("1"),
                "without the flag Nix completes the lock by itself, on each host at its own time: " + completed);
    }
}
