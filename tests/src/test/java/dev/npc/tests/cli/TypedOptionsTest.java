package dev.npc.tests.cli;

import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Options are typed fields that picocli fills: a store URL is parsed once, by StoreLocation; a
 * duration that does not parse is a usage error naming its option; lists are split by picocli;
 * --debug is one inherited option, accepted before or after the subcommand.
 */
class TypedOptionsTest {
    @TempDir
    Path tmp;
    Path flake;

    @BeforeEach
    void setUp() {
        flake = TestFlakes.minimal(tmp.resolve("flake"));
    }

    /** StoreLocation takes a plain path, spaces included; no command may re-parse it as a URI. */
    @Test
    void aStoreWhosePathHasASpaceWorksWithEveryCommand() throws Exception {
        String store = "file://" + tmp.resolve("my fleet/store");
        List<String> withStore = List.of("--store", store);

        for (List<String> args : List.of(
                List.of("push", "--src", flake.toString(), "--remote", "prod"),
                List.of("hosts", "set", "web-1", "--remote", "prod"),
                List.of("hosts", "list"),
                List.of("remotes"),
                List.of("status"),
                List.of("pull", "--remote", "prod", "--dst", tmp.resolve("pulled").toString()),
                List.of("wait", "--remote", "prod", "--hosts", "web-2", "--allow-empty"))) {
            CliRun run = CliRun.npcWith(withStore, args.toArray(String[]::new));
            assertEquals(0, run.exitCode(), args + ": " + run);
        }
        assertTrue(Files.isRegularFile(tmp.resolve("pulled/flake.nix")));
        assertTrue(Files.isRegularFile(tmp.resolve("my fleet/store/remotes/prod.npc")));
    }

    @Test
    void aBadDurationOrStoreUrlIsAUsageErrorNamingTheOption() {
        String store = tmp.resolve("store").toUri().toString();
        CliRun duration = CliRun.npc("wait", "--remote", "prod", "--timeout", "5 parsecs", "--store", store);
        CliRun every = CliRun.npc("status", "--every", "soon", "--store", store);
        CliRun url = CliRun.npc("remotes", "--store", "s4://bucket/npc");

        assertEquals(2, duration.exitCode(), duration::toString);
        assertTrue(duration.err().startsWith("npc: Invalid value for option '--timeout': duration '5 parsecs' is not valid;"),
                duration::toString);
        assertEquals(2, every.exitCode(), every::toString);
        assertTrue(every.err().startsWith("npc: Invalid value for option '--every': duration 'soon' is not valid;"),
                every::toString);
        assertEquals(2, url.exitCode(), url::toString);
        assertTrue(url.err().startsWith("npc: Invalid value for option '--store': store URL 's4://bucket/npc' is not"
                + " supported; use s3://bucket/prefix or file:///absolute/dir\n"), url::toString);
        for (CliRun run : List.of(duration, every, url)) {
            assertEquals(1, run.err().lines().count(), run::toString);
        }
    }

    @Test
    void listsAreCommaSeparatedOrRepeated() {
        String store = tmp.resolve("store").toUri().toString();
        List<String> withStore = List.of("--store", store);
        assertEquals(0, CliRun.npcWith(withStore, "push", "--src", flake.toString(), "--remote", "staging").exitCode());

        CliRun waited = CliRun.npcWith(withStore, "wait", "--remote", "staging", "--hosts", "web-1, web-2",
                "--hosts", "web-3", "--allow-empty");
        CliRun rollout = CliRun.npcWith(withStore, "rollout", "--from", "staging", "--through", "wave-1,wave-2",
                "--through", "wave-3", "--create", "--allow-empty-wave", "--timeout", "5s", "--every", "50ms");

        assertEquals(0, waited.exitCode(), waited::toString);
        assertTrue(waited.out().contains("none of web-1,web-2,web-3 follows remote 'staging'"), waited::toString);
        assertEquals(0, rollout.exitCode(), rollout::toString);
        assertTrue(rollout.out().contains("complete: wave-1 -> wave-2 -> wave-3"), rollout::toString);
    }

    @Test
    void debugIsAcceptedBeforeAndAfterTheSubcommandAndAddsTheStackTrace() {
        String store = tmp.resolve("store").toUri().toString();
        assertEquals(0, CliRun.npc("push", "--src", flake.toString(), "--remote", "staging", "--store", store).exitCode());
        List<String> pull = List.of("pull", "--remote", "nosuch", "--dst", tmp.resolve("x").toString(), "--store", store);

        CliRun plain = CliRun.npc(pull.toArray(String[]::new));
        CliRun after = CliRun.npcWith(List.of("--debug"), pull.toArray(String[]::new));
        CliRun before = CliRun.npcWith(pull, "--debug");

        assertEquals(1, plain.exitCode(), plain::toString);
        assertEquals(1, plain.err().lines().count(), plain::toString);
        assertFalse(plain.err().contains("\tat "), plain::toString);
        for (CliRun debug : List.of(after, before)) {
            assertEquals(1, debug.exitCode(), debug::toString);
            assertTrue(debug.err().startsWith(plain.err()), debug::toString);
            assertTrue(debug.err().contains("\tat dev.npc."), debug::toString);
        }
    }
}
