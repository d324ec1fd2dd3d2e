package dev.npc.tests.cli;

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

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CI gate's exit codes, with host reports written as a daemon writes them. (Reports produced
 * by real daemon runs are covered in the daemon end-to-end tests.)
 */
class WaitCommandTest {
    @TempDir
    Path tmp;
    String storeUrl;
    Store store;
    String version;

    @BeforeEach
    void setUp() throws Exception {
        storeUrl = tmp.resolve("store").toUri().toString();
        store = Stores.open(storeUrl, StoreOptions.DEFAULT);
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        assertEquals(0, npc("push", "--src", flake.toString(), "--remote", "prod").exitCode());
        version = store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private CliRun npc(String... args) {
        return CliRun.npcWith(java.util.List.of("--store", storeUrl), args);
    }


    private void report(String host, String running, String attemptSha, Result result) throws Exception {
        StateBuilder state = StateBuilder.host(host);
        if (running != null) {
            state.running("prod", running);
        }
        if (attemptSha != null) {
            state.attempted(attemptSha, result, "health check failed: curl http://localhost/healthz", "tail");
        }
        store.put(Layout.state(host), Json.write(state.build()), Map.of());
    }

    @Test
    void exitsZeroWhenEveryFollowerRunsTheVersion() throws Exception {
        npc("hosts", "set", "web-1", "--remote", "prod");
        npc("hosts", "set", "web-2", "--remote", "prod");
        report("web-1", version, version, Result.SUCCESS);
        report("web-2", version, version, Result.SUCCESS);
        CliRun wait = npc("wait", "--remote", "prod", "--timeout", "5s", "--every", "100ms");
        assertEquals(0, wait.exitCode(), wait::toString);
        assertTrue(wait.out().contains("2 hosts up to date"), wait::toString);
    }

    @Test
    void exitsOneAtOnceNamingTheHostThatRolledBack() throws Exception {
        npc("hosts", "set", "web-1", "--remote", "prod");
        npc("hosts", "set", "web-2", "--remote", "prod");
        report("web-1", version, version, Result.SUCCESS);
        report("web-2", "0".repeat(64), version, Result.ROLLED_BACK);
        long start = System.nanoTime();
        CliRun wait = npc("wait", "--remote", "prod", "--timeout", "30s", "--every", "100ms");
        assertEquals(1, wait.exitCode(), wait::toString);
        assertTrue(wait.err().contains("web-2 rolled back on " + version.substring(0, 8)), wait::toString);
        assertTrue(wait.err().contains("health check failed"), wait::toString);
        assertTrue(System.nanoTime() - start < 20_000_000_000L, "must not wait for the timeout");
    }

    @Test
    void timesOutWithItsOwnExitCodeNamingTheHostsNotDone() throws Exception {
        npc("hosts", "set", "web-1", "--remote", "prod");
        report("web-1", "0".repeat(64), null, null);
        CliRun wait = npc("wait", "--remote", "prod", "--timeout", "300ms", "--every", "100ms");
        assertEquals(3, wait.exitCode(), wait::toString);
        assertTrue(wait.err().contains("web-1 (pending)"), wait::toString);
    }

    @Test
    void onlyTheNamedHostsCount() throws Exception {
        npc("hosts", "set", "web-1", "--remote", "prod");
        npc("hosts", "set", "web-2", "--remote", "prod");
        report("web-1", version, version, Result.SUCCESS);
        report("web-2", "0".repeat(64), version, Result.FAILED);
        CliRun wait = npc("wait", "--remote", "prod", "--hosts", "web-1", "--timeout", "2s", "--every", "100ms");
        assertEquals(0, wait.exitCode(), wait::toString);
    }

    @Test
    void noFollowersIsNotASilentPass() {
        CliRun wait = npc("wait", "--remote", "prod", "--timeout", "1s");
        assertEquals(4, wait.exitCode(), wait::toString);
        assertTrue(wait.err().contains("no host follows remote 'prod'"), wait::toString);
        CliRun allowed = npc("wait", "--remote", "prod", "--timeout", "1s", "--allow-empty");
        assertEquals(0, allowed.exitCode(), allowed::toString);
    }

    @Test
    void statusListsProblemsFirstAndAlwaysExitsZero() throws Exception {
        npc("hosts", "set", "web-1", "--remote", "prod");
        npc("hosts", "set", "web-2", "--remote", "prod");
        npc("hosts", "set", "web-3", "--remote", "prod");
        report("web-1", version, version, Result.SUCCESS);
        report("web-2", "0".repeat(64), version, Result.ROLLED_BACK);
        CliRun status = npc("status");
        assertEquals(0, status.exitCode(), status::toString);
        String[] lines = status.out().split("\n");
        assertTrue(lines[0].startsWith("HOST"), status::toString);
        assertTrue(lines[1].startsWith("web-2") && lines[1].contains("rolled back"), status::toString);
        assertTrue(lines[2].startsWith("web-3") && lines[2].contains("unknown"), status::toString);
        assertTrue(lines[3].startsWith("web-1") && lines[3].contains("up to date"), status::toString);
        assertTrue(status.out().contains("3 hosts, 1 rolled back, 1 unknown, 1 up to date"), status::toString);

        CliRun json = npc("status", "--json");
        Map<?, ?> doc = Json.mapper().readValue(json.out(), Map.class);
        assertEquals(1, doc.get("schema"));
        assertEquals(1, ((Map<?, ?>) doc.get("summary")).get("rolled-back"));
        Map<?, ?> first = (Map<?, ?>) ((java.util.List<?>) doc.get("hosts")).get(0);
        assertEquals("web-2", first.get("host"));
        assertEquals(true, first.get("problem"));
        assertEquals(version, first.get("remoteVersion"));
    }

    @Test
    void hostsSetValidatesAndListShowsWhatWasSet() throws Exception {
        CliRun bad = npc("hosts", "set", "web-1", "--remote", "prod", "--action", "reboot");
        assertEquals(2, bad.exitCode(), bad::toString);
        assertTrue(bad.err().contains("action 'reboot' is not one of switch, boot, test"), bad::toString);
        assertTrue(store.head(Layout.desired("web-1")).isEmpty());

        assertEquals(0, npc("hosts", "set", "web-1", "--remote", "prod", "--action", "test", "--paused").exitCode());
        CliRun list = npc("hosts", "list", "--json");
        Map<?, ?> row = (Map<?, ?>) Json.mapper().readValue(list.out(), java.util.List.class).get(0);
        assertEquals("web-1", row.get("host"));
        assertEquals("test", row.get("action"));
        assertEquals(true, row.get("paused"));

        assertEquals(0, npc("hosts", "rm", "web-1").exitCode());
        assertTrue(store.head(Layout.desired("web-1")).isEmpty());
        assertEquals(2, npc("hosts", "rm", "web-1").exitCode());
    }
}
