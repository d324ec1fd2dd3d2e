package dev.npc.tests.cli;

import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Names and URLs on the command line that try to reach outside the store's prefix: each is a
 * usage error (exit 2) in one line naming the argument, and nothing in or next to the store
 * changes.
 */
class EscapingArgumentsTest {
    @TempDir
    static Path tmp;
    static Path store;
    static Path flake;

    /** One store for all cases: none of them may change it. */
    @BeforeAll
    static void setUp() throws Exception {
        store = tmp.resolve("fleet/store");
        flake = TestFlakes.minimal(tmp.resolve("flake"));
        CliRun push = CliRun.npc("push", "--src", flake.toString(), "--remote", "staging", "--store", store.toUri().toString());
        assertEquals(0, push.exitCode(), push::toString);
        CliRun set = CliRun.npc("hosts", "set", "web-1", "--remote", "staging", "--store", store.toUri().toString());
        assertEquals(0, set.exitCode(), set::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "hosts set ../outside --remote staging",
            "hosts set web-1/../../outside --remote staging",
            "hosts set web-1 --remote ../outside",
            "hosts set web-1 --remote staging/../../outside",
            "hosts set web-1 --remote staging --configuration web-1\"#--impure",
            "hosts set web-1 --remote staging --prebuilt /nix/store/../../etc/shadow",
            "hosts rm ../outside --purge",
            "hosts rm .. --purge",
            "push --src FLAKE --remote ../outside",
            "push --src FLAKE --remote a/b",
            "pull --remote ../outside --dst DST",
            "promote staging ../outside",
            "promote ../outside staging",
            "rollback ../outside",
            "rollout --from staging --through prod,../outside",
            "wait --remote ../outside --timeout 1s",
            "wait --remote staging --hosts web-1,../outside --timeout 1s",
            "status --remote ../outside",
            "verify --remote ../outside --trusted-key KEY",
            "remotes --store file://STORE/../outside",
            "remotes --store s3://npc-test/../outside"})
    void isRefusedAndTouchesNothing(String commandLine) throws Exception {
        List<String> before = listing();
        List<String> args = new ArrayList<>();
        boolean explicitStore = commandLine.contains("--store");
        for (String word : commandLine.split(" ")) {
            args.add(word.replace("FLAKE", flake.toString()).replace("DST", tmp.resolve("pulled").toString())
                    .replace("KEY", tmp.resolve("missing.pub").toString()).replace("file://STORE", store.toUri().toString()
                            .replaceAll("/$", "")));
        }
        if (!explicitStore) {
            args.add("--store");
            args.add(store.toUri().toString());
        }
        CliRun run = CliRun.npc(args.toArray(String[]::new));

        assertEquals(2, run.exitCode(), run::toString);
        assertEquals(1, run.err().strip().lines().count(), run::toString);
        assertTrue(run.err().startsWith("npc: "), run::toString);
        assertEquals(before, listing(), "nothing changed in or next to the store");
        assertFalse(Files.exists(tmp.resolve("pulled")));
    }

    /** Every path under tmp/fleet with its size: the store and its surroundings. */
    private List<String> listing() throws Exception {
        try (Stream<Path> files = Files.walk(tmp.resolve("fleet"))) {
            return files.filter(p -> !p.toString().contains(".lock")).map(p -> {
                try {
                    return tmp.relativize(p) + (Files.isRegularFile(p) ? " " + Files.size(p) : "/");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        }
    }
}
