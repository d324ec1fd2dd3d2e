package dev.npc.tests.cli;

import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.StateBuilder;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The findings of issue 10 about gates and small commands, each reproduced as it was reported:
 * a gate may only fail on a report about the version it waits for, and a name that does not
 * exist is answered at once instead of being created, skipped or waited on.
 */
class GatesTest {
    @TempDir
    Path tmp;
    String storeUrl;
    Store store;
    Path flake;

    @BeforeEach
    void setUp() throws Exception {
        storeUrl = tmp.resolve("store").toUri().toString();
        store = Stores.open(storeUrl, StoreOptions.DEFAULT);
        flake = TestFlakes.minimal(tmp.resolve("flake"));
        assertEquals(0, npc("push", "--src", flake.toString(), "--remote", "staging").exitCode());
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private CliRun npc(String... args) {
        return CliRun.npcWith(List.of("--store", storeUrl), args);
    }

    private String version(String remote) throws Exception {
        return store.head(Layout.remote(remote)).orElseThrow().meta(RemoteMetadata.SHA256);
    }

    /** What a daemon reports while the remote it follows does not exist yet. */
    private void reportMissingRemote(String host, String remote, Instant at) throws Exception {
        HostState state = StateBuilder.host(host).at(at)
                .desiredError(remote, "remote '" + remote + "' does not exist in the store").build();
        store.put(Layout.state(host), Json.write(state), Map.of());
    }

    private void reportRunning(String host, String remote, String sha) throws Exception {
        HostState state = StateBuilder.host(host).desired(remote, sha).running(remote, sha)
                .attempted(sha, Result.SUCCESS).build();
        store.put(Layout.state(host), Json.write(state), Map.of());
    }

    @Test
    void aReportOlderThanTheVersionWaitsInsteadOfFailing() throws Exception {
        npc("hosts", "set", "canary-1", "--remote", "wave-y");
        reportMissingRemote("canary-1", "wave-y", Instant.now().minusSeconds(60));

        CliRun rollout = npc("rollout", "--from", "staging", "--through", "wave-y", "--create",
                "--timeout", "1s", "--every", "100ms");
        assertEquals(3, rollout.exitCode(), rollout::toString);
        assertFalse(rollout.toString().contains("FAILED"), rollout::toString);
        assertTrue(rollout.out().contains("canary-1 (pending: waiting for"), rollout::toString);

        CliRun waiting = npc("wait", "--remote", "wave-y", "--timeout", "1s", "--every", "100ms");
        assertEquals(3, waiting.exitCode(), waiting::toString);
        assertTrue(waiting.err().contains("canary-1 (pending)"), waiting::toString);

        // The host's next report is about the new version: now the gate opens.
        reportRunning("canary-1", "wave-y", version("wave-y"));
        assertEquals(0, npc("wait", "--remote", "wave-y", "--timeout", "5s", "--every", "100ms").exitCode());
    }

    @Test
    void aFailureReportedAfterThePublishStillClosesTheGate() throws Exception {
        npc("hosts", "set", "canary-1", "--remote", "staging");
        reportMissingRemote("canary-1", "staging", Instant.now().plusSeconds(1));
        CliRun waiting = npc("wait", "--remote", "staging", "--timeout", "5s", "--every", "100ms");
        assertEquals(1, waiting.exitCode(), waiting::toString);
        assertTrue(waiting.err().contains("canary-1 failed on"), waiting::toString);
    }

    @Test
    void aMisspelledWaveIsRefusedBeforeAnythingIsPromoted() throws Exception {
        assertEquals(0, npc("promote", "staging", "prod").exitCode());
        TestFlakes.write(flake, "new.nix", "{ }\n");
        assertEquals(0, npc("push", "--src", flake.toString(), "--remote", "staging").exitCode());
        npc("hosts", "set", "canary-1", "--remote", "prod-canary");
        npc("hosts", "set", "web-1", "--remote", "prod");
        String prodBefore = version("prod");

        CliRun typo = npc("rollout", "--from", "staging", "--through", "prod-cnary,prod", "--timeout", "1s", "--every", "100ms");
        assertEquals(4, typo.exitCode(), typo::toString);
        assertTrue(typo.err().contains("wave remote 'prod-cnary' does not exist"), typo::toString);
        assertTrue(typo.err().contains("--create"), typo::toString);
        assertTrue(store.head(Layout.remote("prod-cnary")).isEmpty(), "the typo is not created");
        assertEquals(prodBefore, version("prod"), "prod is not touched");

        CliRun created = npc("rollout", "--from", "staging", "--through", "prod-cnary,prod", "--create",
                "--timeout", "1s", "--every", "100ms");
        assertEquals(4, created.exitCode(), created::toString);
        assertTrue(created.err().contains("no host follows wave prod-cnary"), created::toString);
        assertEquals(prodBefore, version("prod"), "prod is still not touched");

        CliRun alone = npc("rollout", "--from", "staging", "--through", "nosuchwave", "--timeout", "1s", "--every", "100ms");
        assertEquals(4, alone.exitCode(), alone::toString);
        assertFalse(alone.out().contains("complete"), alone::toString);
    }

    @Test
    void anEmptyWaveIsPassedOnlyWhenAllowed() throws Exception {
        CliRun allowed = npc("rollout", "--from", "staging", "--through", "wave-1,wave-2", "--create",
                "--allow-empty-wave", "--timeout", "1s", "--every", "100ms");
        assertEquals(0, allowed.exitCode(), allowed::toString);
        assertEquals(version("staging"), version("wave-2"));
    }

    @Test
    void waitAndRolloutAnswerAMissingRemoteAtOnce() throws Exception {
        npc("hosts", "set", "web-9", "--remote", "nosuch");
        CliRun wait = npc("wait", "--remote", "nosuch", "--timeout", "30s", "--every", "100ms");
        assertEquals(4, wait.exitCode(), wait::toString);
        assertTrue(wait.err().contains("remote 'nosuch' does not exist"), wait::toString);

        CliRun rollout = npc("rollout", "--from", "nosuch", "--through", "prod", "--timeout", "30s");
        assertEquals(4, rollout.exitCode(), rollout::toString);
        assertTrue(rollout.err().contains("remote 'nosuch' does not exist"), rollout::toString);
    }

    @Test
    void zeroIntervalsAreRefused() {
        for (String command : List.of("wait", "status", "rollout")) {
            List<String> args = new java.util.ArrayList<>(List.of(command, "--every", "0s", "--watch"));
            if (command.equals("wait")) {
                args = List.of(command, "--remote", "staging", "--every", "0s");
            } else if (command.equals("rollout")) {
                args = List.of(command, "--from", "staging", "--through", "prod", "--every", "0ms");
            }
            CliRun run = npc(args.toArray(String[]::new));
            assertEquals(2, run.exitCode(), run::toString);
            assertTrue(run.err().contains("is zero"), run::toString);
        }
    }

    @Test
    void hostsSetWarnsOrRefusesAMissingRemote() throws Exception {
        CliRun warned = npc("hosts", "set", "web-2", "--remote", "nosuch");
        assertEquals(0, warned.exitCode(), warned::toString);
        assertTrue(warned.err().contains("warning: remote 'nosuch' does not exist"), warned::toString);
        assertTrue(store.head(Layout.desired("web-2")).isPresent());

        CliRun strict = npc("hosts", "set", "web-3", "--remote", "nosuch", "--strict");
        assertEquals(1, strict.exitCode(), strict::toString);
        assertTrue(store.head(Layout.desired("web-3")).isEmpty());

        CliRun fine = npc("hosts", "set", "web-4", "--remote", "staging", "--strict");
        assertEquals(0, fine.exitCode(), fine::toString);
        assertEquals("", fine.err());
    }

    @Test
    void hostsListShowsAnUnreadableDesiredJsonAsAnError() throws Exception {
        npc("hosts", "set", "web-1", "--remote", "staging");
        store.put(Layout.desired("web-3"), "{\"remote\": ".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
        CliRun list = npc("hosts", "list");
        assertEquals(1, list.exitCode(), list::toString);
        String row = list.out().lines().filter(l -> l.startsWith("web-3")).findFirst().orElseThrow();
        assertTrue(row.contains("ERROR") && row.contains("is not valid"), list::toString);
    }

    @Test
    void keysGenerateCreatesNoDirectory() {
        Path missing = tmp.resolve("nonexistent/dir");
        CliRun run = CliRun.npc("keys", "generate", "--private", missing.resolve("k").toString(),
                "--public", missing.resolve("k.pub").toString());
        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("does not exist; create it first"), run::toString);
        assertFalse(Files.exists(tmp.resolve("nonexistent")));
    }
}
