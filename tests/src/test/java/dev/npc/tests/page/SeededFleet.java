package dev.npc.tests.page;

import dev.npc.fleet.RolloutRecord;
import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.testing.StateBuilder;
import dev.npc.testing.TestFlakes;
import dev.npc.tests.cli.CliRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A fleet in every state the page must tell apart, written as npc and the daemons write it: two
 * remotes published by the real CLI (one signed), hosts set by the CLI, and state.json, history
 * records and rollouts/last.json in their documented schemas. The canary's error is hostile.
 */
final class SeededFleet {
    /** What a compromised host may report: markup, a terminal escape, a bidi override, a fake row. */
    static final String HOSTILE = "health check failed: <script>document.title='pwned';window.pwned=1</script>"
            + "<img src=x onerror=\"window.pwned=2\"> \u001B[2J\u202Egnp.exe\u202C & \"quoted\" 'single'";
    static final DateTimeFormatter RECORD_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    final String oldVersion;
    final String newVersion;
    final Instant now;

    private SeededFleet(String oldVersion, String newVersion, Instant now) {
        this.oldVersion = oldVersion;
        this.newVersion = newVersion;
        this.now = now;
    }

    static SeededFleet seed(Store store, Path tmp) throws Exception {
        return seed(store, tmp, List.of());
    }

    /** @param endpoint the CLI's --endpoint-url for an S3 store on loopback, or nothing */
    static SeededFleet seed(Store store, Path tmp, List<String> endpoint) throws Exception {
        List<String> at = new java.util.ArrayList<>(List.of("--store", store.url()));
        at.addAll(endpoint);
        Path flake = TestFlakes.minimal(Files.createDirectories(tmp.resolve("flake")));
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        ok(CliRun.npc("keys", "generate", "--private", keys.resolve("ci.key").toString(), "--public", keys.resolve("ci.pub").toString()));
        String key = keys.resolve("ci.key").toString();
        TestFlakes.write(flake, "version.txt", "release 1\n");
        ok(CliRun.npcWith(at, "push", "--src", flake.toString(), "--remote", "prod", "--sign-key", key));
        TestFlakes.write(flake, "version.txt", "release 2\n");
        ok(CliRun.npcWith(at, "push", "--src", flake.toString(), "--remote", "prod-canary", "--sign-key", key));
        ok(CliRun.npcWith(at, "push", "--src", flake.toString(), "--remote", "staging"));
        String old = store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256);
        String next = store.head(Layout.remote("prod-canary")).orElseThrow().meta(RemoteMetadata.SHA256);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        SeededFleet fleet = new SeededFleet(old, next, now);

        for (String[] host : new String[][]{{"canary-1", "prod-canary"}, {"web-1", "prod"}, {"web-2", "prod"},
                {"web-3", "prod"}, {"db-1", "prod"}, {"db-2", "prod"}}) {
            ok(CliRun.npcWith(at, "hosts", "set", host[0], "--remote", host[1]));
        }
        Instant earlier = now.minus(Duration.ofHours(3));
        // canary-1 ran the old version, then rolled back from the new one with the hostile error.
        HostState canaryOk = StateBuilder.host("canary-1").at(earlier).desired("prod-canary", old).running("prod-canary", old)
                .attempted(old, Result.SUCCESS).build();
        HostState canary = StateBuilder.host("canary-1").at(now.minusSeconds(20)).desired("prod-canary", next)
                .current(canaryOk.current()).attempted(next, Result.ROLLED_BACK, HOSTILE,
                        "nginx.service: Failed with result 'exit-code'.\n<b>not bold</b>\u001B[31m red?\n").build();
        put(store, Layout.state("canary-1"), canary);
        history(store, "canary-1", canaryOk, Result.SUCCESS);
        history(store, "canary-1", canary, Result.ROLLED_BACK);
        // web-1 is up to date.
        HostState web1 = StateBuilder.host("web-1").at(now.minusSeconds(5)).desired("prod", old).running("prod", old)
                .attempted(old, Result.SUCCESS).build();
        put(store, Layout.state("web-1"), web1);
        history(store, "web-1", web1, Result.SUCCESS);
        // web-2 stopped reporting two hours ago.
        HostState web2 = StateBuilder.host("web-2").at(now.minus(Duration.ofHours(2))).desired("prod", old)
                .running("prod", old).attempted(old, Result.SUCCESS).build();
        put(store, Layout.state("web-2"), web2);
        // web-3 is up to date too.
        put(store, Layout.state("web-3"), StateBuilder.host("web-3").at(now.minusSeconds(12)).desired("prod", old)
                .running("prod", old).attempted(old, Result.SUCCESS).build());
        // db-1 failed to build the published version.
        HostState db1 = StateBuilder.host("db-1").at(now.minusSeconds(40)).desired("prod", old).running("prod", null)
                .attempted(old, Result.FAILED, "build failed: nix build exited with 1", "error: attribute 'db' missing\n").build();
        put(store, Layout.state("db-1"), db1);
        history(store, "db-1", db1, Result.FAILED);
        // db-2 is paused by its admin.
        put(store, Layout.state("db-2"), StateBuilder.host("db-2").at(now.minusSeconds(30)).desired("prod", old)
                .running("prod", "0".repeat(64)).paused(new HostState.Paused(now.minus(Duration.ofHours(1)), null,
                        "disk migration")).build());

        RolloutRecord rollout = new RolloutRecord(RolloutRecord.SCHEMA, "staging", next, now.minusSeconds(60), now.minusSeconds(15),
                RolloutRecord.State.STOPPED, List.of(
                new RolloutRecord.Wave("prod-canary", RolloutRecord.WaveState.FAILED, "canary-1 rolled back on "
                        + next.substring(0, 8) + ": " + HOSTILE),
                new RolloutRecord.Wave("prod", RolloutRecord.WaveState.NOT_REACHED, null)));
        store.put(Layout.ROLLOUT, Json.write(rollout), Map.of());
        return fleet;
    }

    private static void history(Store store, String host, HostState state, Result result) throws Exception {
        Instant when = state.lastAttempt().finishedAt();
        store.put(Layout.history(host, RECORD_TIME.format(when), result.toString()), Json.write(state), Map.of());
    }

    private static void put(Store store, String key, HostState state) throws Exception {
        store.put(key, Json.write(state), Map.of());
    }

    private static void ok(CliRun run) {
        assertEquals(0, run.exitCode(), run::toString);
    }
}
