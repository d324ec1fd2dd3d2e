package dev.npc.tests.cli;

import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code npc status --json} (schema 1, README "Fleet status") is what scripts read: for reports as
 * daemons write them, its bytes stay exactly these. Only the times and the version, which differ
 * at every run, are replaced by placeholders before comparing.
 */
class StatusJsonTest {
    static final String OLD = "0".repeat(64);

    @TempDir
    Path tmp;
    String storeUrl;
    Store store;
    String version;
    String now;

    @BeforeEach
    void setUp() throws Exception {
        storeUrl = tmp.resolve("store").toUri().toString();
        store = Stores.open(storeUrl, StoreOptions.DEFAULT);
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        assertEquals(0, npc("push", "--src", flake.toString(), "--remote", "prod").exitCode());
        version = store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256);
        now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private CliRun npc(String... args) {
        return CliRun.npcWith(List.of("--store", storeUrl), args);
    }

    /** A state.json as the daemon writes it; VERSION, OLD and NOW stand for the versions and the time. */
    private void report(String host, String phase, String running, String result, String error) throws Exception {
        npc("hosts", "set", host, "--remote", "prod");
        String attempt = result == null ? "null" : """
                {
                    "sha256" : "VERSION",
                    "result" : "%s",
                    "attempt" : 1,
                    "startedAt" : "NOW",
                    "finishedAt" : "NOW",
                    "error" : %s,
                    "logTail" : null
                  }""".formatted(result, error == null ? "null" : "\"" + error + "\"");
        String state = """
                {
                  "host" : "%s",
                  "daemonVersion" : "0.1.0",
                  "updatedAt" : "NOW",
                  "phase" : "%s",
                  "desired" : null,
                  "current" : {
                    "remote" : "prod",
                    "sha256" : "%s",
                    "configuration" : "%s",
                    "system" : "/nix/store/x-nixos-system",
                    "activatedAt" : "NOW"
                  },
                  "lastAttempt" : %s,
                  "paused" : null,
                  "pollIntervalSeconds" : 60,
                  "message" : null
                }
                """.formatted(host, phase, running, host, attempt)
                .replace("VERSION", version).replace("NOW", now);
        store.put(Layout.state(host), state.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    // What a daemon with a maintenance window and a reboot policy reports, as npc status shows it.
    @Test
    void aHostWaitingForItsWindowAndOneThatNeedsARebootAreShownAsSuch() throws Exception {
        Instant at = Instant.parse(now);
        Instant next = Instant.parse("2026-11-28T02:00:00Z");
        npc("hosts", "set", "db-1", "--remote", "prod", "--window", "Sat 02:00-04:00 UTC");
        npc("hosts", "set", "db-2", "--remote", "prod", "--reboot", "allowed");
        dev.npc.host.HostState waiting = dev.npc.testing.StateBuilder.host("db-1").at(at).running("prod", OLD).build()
                .withWaiting(new dev.npc.host.HostState.Waiting("Sat 02:00-04:00 UTC", next, "prod", "db-1", version,
                        "/nix/store/y-nixos-system-db-1"));
        dev.npc.host.HostState reboot = dev.npc.testing.StateBuilder.host("db-2").at(at).running("prod", version).build()
                .withReboot(new dev.npc.host.HostState.Reboot(List.of("kernel", "kernel-params"),
                        "/nix/store/y-nixos-system-db-2", "/nix/store/x-nixos-system-db-2", at, next, null));
        store.put(Layout.state("db-1"), dev.npc.json.Json.write(waiting), Map.of());
        store.put(Layout.state("db-2"), dev.npc.json.Json.write(reboot), Map.of());

        CliRun table = npc("status");
        assertEquals(0, table.exitCode(), table::toString);
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("db-1 ") && l.contains(" waiting ")
                && l.contains("waiting for window Sat 02:00-04:00 UTC (next: 2026-11-28T02:00:00Z)")), table::toString);
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("db-2 ") && l.contains("reboot required")
                && l.contains("kernel, kernel-params changed; reboots in the maintenance window (next:"
                + " 2026-11-28T02:00:00Z)")), table::toString);
        assertTrue(table.out().contains("1 waiting, 1 reboot required"), table::toString);
        CliRun json = npc("status", "--json");
        assertTrue(json.out().contains("\"status\" : \"waiting\"") && json.out().contains("\"status\" : \"reboot-required\""),
                json::toString);
        try (dev.npc.store.GetResult desired = store.get(Layout.desired("db-1"), null)) {
            byte[] bytes = ((dev.npc.store.GetResult.Found) desired).body().readAllBytes();
            assertEquals("Sat 02:00-04:00 UTC", dev.npc.host.Desired.parse(bytes, "desired.json").window(),
                    "npc hosts set --window writes desired.json's window");
        }
    }

    @Test
    void aNewerDaemonsPhaseOrResultStillShowsTheHost() throws Exception {
        report("web-1", "verifying", OLD, null, null);
        report("web-2", "idle", OLD, "skipped", "a result this npc does not know");

        CliRun table = npc("status");
        assertEquals(0, table.exitCode(), table::toString);
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("web-1 ") && l.contains("in progress (unknown)")),
                table::toString);
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("web-2 ") && l.contains("pending")), table::toString);
        CliRun json = npc("status", "--json");
        assertEquals(0, json.exitCode(), json::toString);
        assertTrue(json.out().contains("\"phase\" : \"unknown\""), json::toString);
    }

    @Test
    void theSchemaStaysByteForByteTheSame() throws Exception {
        report("web-1", "idle", version, "success", null);
        report("web-2", "idle", OLD, "rolled-back", "health check failed: nginx.service");
        report("web-3", "idle", OLD, "failed", "nix build failed");
        report("web-4", "building", OLD, null, null);
        report("web-5", "idle", OLD, "interrupted", "npc-daemon stopped during building");
        npc("hosts", "set", "web-6", "--remote", "prod");

        CliRun status = npc("status", "--json");
        assertEquals(0, status.exitCode(), status::toString);
        String out = status.out().replace(version, "VERSION").replace(now, "NOW")
                .replaceAll("\"(generatedAt|publishedAt)\" : \"[^\"]+\"", "\"$1\" : \"TIME\"");
        assertEquals("""
                {
                  "schema" : 1,
                  "store" : "STORE",
                  "generatedAt" : "TIME",
                  "summary" : {
                    "failed" : 1,
                    "rolled-back" : 1,
                    "stale" : 0,
                    "unknown" : 1,
                    "in-progress" : 1,
                    "waiting" : 0,
                    "reboot-required" : 0,
                    "pending" : 1,
                    "paused" : 0,
                    "up-to-date" : 1
                  },
                  "hosts" : [ {
                    "host" : "web-3",
                    "status" : "failed",
                    "problem" : true,
                    "remote" : "prod",
                    "remoteVersion" : "VERSION",
                    "runningVersion" : "OLD",
                    "phase" : "idle",
                    "lastSeen" : "NOW",
                    "publishedAt" : "TIME",
                    "detail" : "nix build failed"
                  }, {
                    "host" : "web-2",
                    "status" : "rolled-back",
                    "problem" : true,
                    "remote" : "prod",
                    "remoteVersion" : "VERSION",
                    "runningVersion" : "OLD",
                    "phase" : "idle",
                    "lastSeen" : "NOW",
                    "publishedAt" : "TIME",
                    "detail" : "health check failed: nginx.service"
                  }, {
                    "host" : "web-6",
                    "status" : "unknown",
                    "problem" : false,
                    "remote" : "prod",
                    "remoteVersion" : "VERSION",
                    "runningVersion" : null,
                    "phase" : null,
                    "lastSeen" : null,
                    "publishedAt" : "TIME",
                    "detail" : "no report yet"
                  }, {
                    "host" : "web-4",
                    "status" : "in-progress",
                    "problem" : false,
                    "remote" : "prod",
                    "remoteVersion" : "VERSION",
                    "runningVersion" : "OLD",
                    "phase" : "building",
                    "lastSeen" : "NOW",
                    "publishedAt" : "TIME",
                    "detail" : "building"
                  }, {
                    "host" : "web-5",
                    "status" : "pending",
                    "problem" : false,
                    "remote" : "prod",
                    "remoteVersion" : "VERSION",
                    "runningVersion" : "OLD",
                    "phase" : "idle",
                    "lastSeen" : "NOW",
                    "publishedAt" : "TIME",
                    "detail" : "waiting for VERSION8"
                  }, {
                    "host" : "web-1",
                    "status" : "up-to-date",
                    "problem" : false,
                    "remote" : "prod",
                    "remoteVersion" : "VERSION",
                    "runningVersion" : "VERSION",
                    "phase" : "idle",
                    "lastSeen" : "NOW",
                    "publishedAt" : "TIME",
                    "detail" : null
                  } ]
                }
                """.replace("STORE", storeUrl).replace("OLD", OLD).replace("VERSION8", version.substring(0, 8)), out);
    }
}
