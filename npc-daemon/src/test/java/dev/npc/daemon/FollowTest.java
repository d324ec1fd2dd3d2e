package dev.npc.daemon;

import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import dev.npc.store.Layout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop end to end against a real file store and stand-in system commands. */
class FollowTest {
    @TempDir
    Path tmp;
    TestFleet fleet;

    @BeforeEach
    void setUp() {
        fleet = new TestFleet(tmp);
    }

    /** nixos-rebuild's systemd-run line (nixpkgs' nixos-rebuild-ng nix.py), plus --wait. */
    static String systemdRun(String toplevel, String action) {
        return "systemd-run -E LOCALE_ARCHIVE -E NIXOS_INSTALL_BOOTLOADER --collect --no-ask-password --pipe --quiet"
                + " --service-type=exec --unit=nixos-rebuild-switch-to-configuration --wait " + toplevel
                + "/bin/switch-to-configuration " + action;
    }

    static final String IS_ACTIVE = "systemctl is-active nixos-rebuild-switch-to-configuration.service";
    static final String LIST_FAILED = "systemctl list-units --state=failed --plain --no-legend --no-pager";

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    @Test
    void newVersionIsFetchedVerifiedBuiltSwitchedCheckedAndReported() throws Exception {
        String sha = fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        Path flake = fleet.stateDir.flakes().resolve(sha);
        String toplevel = fleet.system.nixStore.resolve("v1").toString();
        assertEquals(List.of(
                "nix --extra-experimental-features nix-command flakes build --no-update-lock-file --out-link "
                        + fleet.stateDir.result() + " --print-out-paths path:"
                        + flake.toAbsolutePath() + "#nixosConfigurations.\"web-1\".config.system.build.toplevel",
                IS_ACTIVE,
                LIST_FAILED,
                "nix-env -p " + fleet.system.systemProfile + " --set " + toplevel,
                systemdRun(toplevel, "switch"),
                toplevel + "/bin/switch-to-configuration switch",
                "systemctl is-system-running --wait"), fleet.system.commands());
        assertEquals(List.of("nix NIX_REMOTE=daemon", "systemd-run NIXOS_INSTALL_BOOTLOADER=0"),
                fleet.system.environment(), "builds go through the Nix daemon; the switch gets nixos-rebuild's environment");
        assertFalse(Files.exists(fleet.stateDir.result(), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                "the out-link rooted the system until the profile did, and is gone");
        assertEquals(List.of(1, 2), fleet.system.generations());
        assertTrue(Files.isRegularFile(flake.resolve("flake.nix")), "unpacked into flakes/<sha256>/");
        assertEquals(fleet.system.nixStore.resolve("v1").toRealPath().toString(), fleet.system.running());
        assertEquals(fleet.system.running(), fleet.system.profile());

        HostState state = fleet.bucketState();
        assertNotNull(state, "state.json uploaded");
        assertEquals(Phase.IDLE, state.phase());
        assertEquals(Result.SUCCESS, state.lastAttempt().result());
        assertEquals(1, state.lastAttempt().attempt());
        assertEquals(sha, state.current().sha256());
        assertEquals("prod", state.current().remote());
        assertEquals("web-1", state.current().configuration());
        assertEquals(toplevel, state.current().system());
        assertEquals(sha, state.desired().sha256());
        assertEquals(fleet.store.head(Layout.desired("web-1")).orElseThrow().etag(), state.desired().etag(),
                "the report names the desired.json it acted on, so a fleet read need not fetch it");
        assertEquals("prod", state.desired().document().remote());
        assertFalse(state.desired().document().isPaused());
        assertEquals(60, state.pollIntervalSeconds());
        assertEquals(state, fleet.localState(), "the bucket holds exactly the local state");
        assertEquals(List.of(Layout.historyPrefix("web-1") + "20261122T100000.000Z-success.json"), fleet.history());
        assertTrue(fleet.out().contains("npc-daemon: building " + sha.substring(0, 8) + " (prod/web-1)"), fleet.out());
    }

    @Test
    void unchangedStoreAnswers304AndNothingIsDownloadedOrBuilt() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        try (Daemon daemon = fleet.daemon()) {
            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE));
            fleet.system.clearCalls();
            fleet.store.clearReads();

            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE));

            assertEquals(List.of(), fleet.system.commands(), "no build, no switch, no checks");
            assertEquals(List.of("hosts/web-1/desired.json Probe CANNOT_TELL", "hosts/web-1/desired.json Head",
                    "remotes/prod.npc Probe CANNOT_TELL", "remotes/prod.npc Head"), fleet.store.reads(),
                    "a directory has no cheaper way than its HEAD");
        }
    }

    @Test
    void separateRunsFromATimerAlsoGet304sAndOnlyHeartbeatUploads() {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        HostState reported = fleet.bucketState();
        fleet.system.clearCalls();
        fleet.store.clearReads();
        fleet.clock.advance(java.time.Duration.ofMinutes(1));

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertEquals(List.of("hosts/web-1/desired.json Probe CANNOT_TELL", "hosts/web-1/desired.json Head",
                "remotes/prod.npc Probe CANNOT_TELL", "remotes/prod.npc Head"), fleet.store.reads().subList(0, 4));
        assertEquals(List.of(), fleet.system.commands());
        assertEquals(reported.updatedAt(), fleet.bucketState().updatedAt(), "nothing new to upload yet");

        fleet.clock.advance(java.time.Duration.ofMinutes(5));
        assertEquals(0, fleet.run("follow", "--once"));
        assertEquals(fleet.clock.instant(), fleet.bucketState().updatedAt(), "the heartbeat re-reports");
    }

    @Test
    void aChangedConfigurationIsPendingEvenWhenTheRemoteAnswers304() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        try (Daemon daemon = fleet.daemon()) {
            daemon.follow(FollowLoop.Mode.ONCE);
            fleet.system.clearCalls();
            fleet.store.clearReads();
            fleet.desired("{\"remote\": \"prod\", \"configuration\": \"web-2\"}");

            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE));

            assertTrue(fleet.store.reads().contains("remotes/prod.npc Head"), fleet.store.reads().toString());
            assertTrue(fleet.system.commands().get(0).contains("#nixosConfigurations.\"web-2\""),
                    fleet.system.commands().toString());
            assertEquals("web-2", fleet.localState().current().configuration());
        }
    }

    @Test
    void buildGivingTheRunningSystemRecordsSuccessWithoutSwitching() {
        String sha = fleet.publishSystem("prod", "initial");
        fleet.desired("{\"remote\": \"prod\"}");

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        List<String> commands = fleet.system.commands();
        assertEquals(2, commands.size(), commands.toString());
        assertTrue(commands.get(0).startsWith("nix "), commands.toString());
        assertEquals("systemctl is-system-running --wait", commands.get(1),
                "a system npc did not record as checked is checked, never switched");
        HostState state = fleet.localState();
        assertEquals(Result.SUCCESS, state.lastAttempt().result());
        assertEquals(sha, state.current().sha256());
        assertTrue(fleet.out().contains("already the running system"), fleet.out());
    }

    @Test
    void prebuiltSystemIsRealisedNotBuilt() {
        fleet.publishSystem("prod", "v1");
        String prebuilt = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixos-system-web-1";
        fleet.desired("{\"remote\": \"prod\", \"prebuilt\": \"" + prebuilt + "\"}");

        assertEquals(0, fleet.run("follow", "--once", "--extra-substituter", "https://cache.example"), fleet.err());

        String toplevel = fleet.system.nixStore.resolve(Path.of(prebuilt).getFileName()).toString();
        assertEquals(List.of(
                "nix-store --realise " + prebuilt + " --add-root " + fleet.stateDir.result()
                        + " --option extra-substituters https://cache.example",
                IS_ACTIVE,
                LIST_FAILED,
                "nix-env -p " + fleet.system.systemProfile + " --set " + toplevel,
                systemdRun(toplevel, "switch"),
                toplevel + "/bin/switch-to-configuration switch",
                "systemctl is-system-running --wait"), fleet.system.commands());
        assertFalse(Files.exists(fleet.stateDir.flakes()) && fleet.stateDir.flakes().toFile().list().length > 0,
                "a pre-built system needs no flake on the host");
        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
    }

    @Test
    void failedSwitchRollsBackToTheRememberedSystem() throws Exception {
        String initial = fleet.system.running();
        String sha = fleet.publish("prod", java.util.Map.of("system-name", "v2", "switch-fails", ""));
        fleet.desired("{\"remote\": \"prod\"}");

        assertEquals(1, fleet.run("follow", "--once"));

        String toplevel = fleet.system.nixStore.resolve("v2").toString();
        List<String> commands = fleet.system.commands();
        assertEquals(List.of(
                IS_ACTIVE,
                LIST_FAILED,
                "nix-env -p " + fleet.system.systemProfile + " --set " + toplevel,
                systemdRun(toplevel, "switch"),
                toplevel + "/bin/switch-to-configuration switch",
                "nix-env -p " + fleet.system.systemProfile + " --set " + initial,
                systemdRun(initial, "switch"),
                initial + "/bin/switch-to-configuration switch"), commands.subList(1, commands.size()));
        assertEquals(initial, fleet.system.running());
        assertEquals(initial, fleet.system.profile());
        HostState state = fleet.bucketState();
        assertEquals(Result.ROLLED_BACK, state.lastAttempt().result());
        assertEquals(sha, state.lastAttempt().sha256());
        assertTrue(state.lastAttempt().error().contains("switch-to-configuration switch failed (exit 4)"),
                state.lastAttempt().error());
        assertTrue(state.lastAttempt().logTail().contains("the following units failed: nginx.service"),
                state.lastAttempt().logTail());
        assertNull(state.current(), "the host never ran an npc version");
        assertEquals(Phase.IDLE, state.phase());
        assertTrue(fleet.history().get(0).endsWith("-rolled-back.json"), fleet.history().toString());
    }

    @Test
    void degradedSystemAfterSwitchRollsBack() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        String initial = fleet.system.running();
        fleet.system.systemState("degraded");

        assertEquals(1, fleet.run("follow", "--once", "--health-timeout", "5s"));

        HostState state = fleet.localState();
        assertEquals(Result.ROLLED_BACK, state.lastAttempt().result());
        assertTrue(state.lastAttempt().error().contains("the system is 'degraded'"), state.lastAttempt().error());
        assertEquals(initial, fleet.system.running());
        assertEquals(fleet.system.nixStore.resolve("v1").toString(), state.lastAttempt().system(),
                "the system that failed its checks, to inspect");
        long checks = fleet.system.commands().stream().filter(c -> c.startsWith("systemctl")).count();
        assertTrue(checks >= 2, "checks are retried until the deadline: " + checks);
    }

    @Test
    void failingHealthCommandAndUrlRollBack() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        http.start();
        try {
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/healthz";
            assertEquals(1, fleet.run("follow", "--once", "--health-timeout", "0s", "--health-url", url));
            assertEquals(Result.ROLLED_BACK, fleet.localState().lastAttempt().result());
            assertTrue(fleet.localState().lastAttempt().error().contains("answered 503"),
                    fleet.localState().lastAttempt().error());

            fleet.publishSystem("prod", "v3");
            assertEquals(1, fleet.run("follow", "--once", "--health-timeout", "0s",
                    "--health-command", "echo nginx is down; exit 3"));
            HostState.Attempt attempt = fleet.localState().lastAttempt();
            assertEquals(Result.ROLLED_BACK, attempt.result());
            assertTrue(attempt.error().contains("health command 'echo nginx is down; exit 3' failed (exit 3)"),
                    attempt.error());
            assertTrue(attempt.logTail().contains("nginx is down"), attempt.logTail());
        } finally {
            http.stop(0);
        }
    }

    @Test
    void passingHealthChecksKeepTheNewSystem() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        http.start();
        try {
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/healthz";
            assertEquals(0, fleet.run("follow", "--once", "--health-url", url, "--health-command", "true"),
                    fleet.err());
            assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
        } finally {
            http.stop(0);
        }
    }

    // The TCP check through the whole loop, against a real loopback socket: a port that accepts a
    // connection keeps the new system; a closed one rolls it back, naming host:port.
    @Test
    void aTcpHealthCheckNeedsThePortToAcceptAConnection() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket listening = new ServerSocket(0, 50, loopback)) {
            assertEquals(0, fleet.run("follow", "--once", "--health-tcp", "127.0.0.1:" + listening.getLocalPort()),
                    fleet.err());
            assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
        }
        int closed;
        try (ServerSocket released = new ServerSocket(0, 50, loopback)) {
            closed = released.getLocalPort();
        }

        String running = fleet.system.running();
        fleet.publishSystem("prod", "v2");
        assertEquals(1, fleet.run("follow", "--once", "--health-tcp", "127.0.0.1:" + closed));

        Attempt attempt = fleet.localState().lastAttempt();
        assertEquals(Result.ROLLED_BACK, attempt.result());
        assertTrue(attempt.error().contains("health TCP port 127.0.0.1:" + closed + " accepts no connection:"
                + " Connection refused"), attempt.error());
        assertEquals(running, fleet.system.running());
    }

    @Test
    void retriesAreBoundedUntilANewVersionOrRetry() throws Exception {
        fleet.publish("prod", java.util.Map.of("system-name", "v1", "build-fails", "error: attribute 'nginx' missing"));
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.with("--retries", "1");

        assertEquals(1, fleet.run("follow", "--once"));
        fleet.clock.advance(java.time.Duration.ofSeconds(1));
        assertEquals(1, fleet.run("follow", "--once"));
        fleet.clock.advance(java.time.Duration.ofSeconds(1));
        HostState state = fleet.localState();
        assertEquals(Result.FAILED, state.lastAttempt().result());
        assertEquals(2, state.lastAttempt().attempt());
        assertTrue(state.lastAttempt().logTail().contains("attribute 'nginx' missing"), state.lastAttempt().logTail());
        fleet.system.clearCalls();

        assertEquals(0, fleet.run("follow", "--once"), "a blocked version is not an error of this poll");
        assertEquals(List.of(), fleet.system.commands(), "no third attempt");
        assertTrue(fleet.localState().message().contains("waiting for a new version, or run npc-daemon retry"),
                fleet.localState().message());

        assertEquals(3, fleet.run("retry"), "no daemon runs now: kept for the next follow, and said so");
        assertEquals(1, fleet.run("follow", "--once"));
        fleet.clock.advance(java.time.Duration.ofSeconds(1));
        assertEquals(1, fleet.system.commands().size(), "retry allows one more attempt");
        assertEquals(1, fleet.localState().lastAttempt().attempt(), "counting starts afresh");

        fleet.system.clearCalls();
        fleet.publishSystem("prod", "v2");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
        assertEquals(3, fleet.history().stream().filter(k -> k.endsWith("-failed.json")).count());
    }

    @Test
    void retryWaitsForTheBackoff() {
        fleet.publish("prod", java.util.Map.of("system-name", "v1", "build-fails", "boom"));
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.with("--retry-backoff", "10m");

        assertEquals(1, fleet.run("follow", "--once"));
        fleet.system.clearCalls();
        assertEquals(0, fleet.run("follow", "--once"));
        assertEquals(List.of(), fleet.system.commands());
        assertTrue(fleet.localState().message().contains("trying again in 10m (attempt 2 of 3)"),
                fleet.localState().message());

        fleet.clock.advance(java.time.Duration.ofMinutes(10));
        assertEquals(1, fleet.run("follow", "--once"));
        assertEquals(1, fleet.system.commands().size());
    }

    @Test
    void failingPreActivateHookStopsTheActivation() throws Exception {
        Path marker = tmp.resolve("on-failure.env");
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        String initial = fleet.system.running();

        assertEquals(1, fleet.run("follow", "--once", "--pre-activate", "echo draining failed; exit 7",
                "--on-failure", "env | grep ^NPC_ | sort > " + marker));

        List<String> commands = fleet.system.commands();
        assertEquals(1, commands.size(), "built, never activated: " + commands);
        assertEquals(initial, fleet.system.running());
        HostState.Attempt attempt = fleet.localState().lastAttempt();
        assertEquals(Result.FAILED, attempt.result());
        assertTrue(attempt.error().startsWith("pre-activate hook failed"), attempt.error());
        assertTrue(attempt.logTail().contains("draining failed"), attempt.logTail());
        String env = Files.readString(marker);
        assertTrue(env.contains("NPC_HOST=web-1"), env);
        assertTrue(env.contains("NPC_REMOTE=prod"), env);
        assertTrue(env.contains("NPC_RESULT=failed"), env);
        assertTrue(env.contains("NPC_VERSION=" + attempt.sha256()), env);
        assertTrue(env.contains("NPC_ERROR=pre-activate hook failed"), env);
    }

    @Test
    void postActivateHookRunsAfterSuccess() throws Exception {
        Path marker = tmp.resolve("post.env");
        String sha = fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");

        assertEquals(0, fleet.run("follow", "--once", "--post-activate", "echo $NPC_RESULT $NPC_VERSION > " + marker));

        assertEquals("success " + sha, Files.readString(marker).strip());
    }

    @Test
    void corruptRemoteIsNeitherUnpackedNorBuilt() throws Exception {
        String sha = fleet.publishSystem("prod", "v1");
        var info = fleet.store.head(Layout.remote("prod")).orElseThrow();
        byte[] bytes;
        try (var got = (dev.npc.store.GetResult.Found) fleet.store.get(Layout.remote("prod"), null)) {
            bytes = got.body().readAllBytes();
        }
        java.util.Map<String, String> meta = new java.util.HashMap<>(info.metadata());
        String claimed = "0".repeat(64);
        meta.put("npc-sha256", claimed);
        fleet.store.put(Layout.remote("prod"), bytes, meta);
        fleet.desired("{\"remote\": \"prod\"}");

        assertEquals(1, fleet.run("follow", "--once"));

        assertEquals(List.of(), fleet.system.commands());
        assertFalse(Files.exists(fleet.stateDir.flakes().resolve(claimed)));
        assertFalse(Files.exists(fleet.stateDir.flakes().resolve(sha)));
        try (var files = Files.list(fleet.stateDir.flakes())) {
            assertEquals(0, files.count(), "no temporary download left behind");
        }
        HostState.Attempt attempt = fleet.localState().lastAttempt();
        assertEquals(Result.FAILED, attempt.result());
        assertTrue(attempt.error().contains("corrupt or was tampered with"), attempt.error());
        assertTrue(attempt.error().contains("hash to " + sha.substring(0, 8)), attempt.error());
    }

    @Test
    void bootActionSetsTheProfileWithoutChecksOrChangingTheRunningSystem() {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\", \"action\": \"boot\"}");
        String initial = fleet.system.running();

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        String toplevel = fleet.system.nixStore.resolve("v1").toString();
        assertEquals(List.of(IS_ACTIVE, "nix-env -p " + fleet.system.systemProfile + " --set " + toplevel,
                systemdRun(toplevel, "boot"), toplevel + "/bin/switch-to-configuration boot"),
                fleet.system.commands().subList(1, 5));
        assertEquals(5, fleet.system.commands().size(), "boot: no health check, so no baseline of failed units");
        assertEquals(initial, fleet.system.running());

        fleet.system.clearCalls();
        assertEquals(0, fleet.run("follow", "--once"));
        assertEquals(List.of(), fleet.system.commands(), "a booted-into profile is up to date");
    }

    @Test
    void testActionLeavesTheProfileAlone() {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\", \"action\": \"test\"}");
        String initial = fleet.system.profile();

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertTrue(fleet.system.commands().stream().noneMatch(c -> c.startsWith("nix-env")), fleet.system.commands().toString());
        assertEquals(initial, fleet.system.profile());
        assertTrue(fleet.system.running().endsWith("/v1"));
    }

    @Test
    void flakesBeyondTheNewestThreeArePruned() throws Exception {
        fleet.desired("{\"remote\": \"prod\"}");
        List<String> versions = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            versions.add(fleet.publishSystem("prod", "v" + i));
            fleet.clock.advance(java.time.Duration.ofMinutes(1));
            assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        }
        try (var files = Files.list(fleet.stateDir.flakes())) {
            assertEquals(java.util.Set.copyOf(versions.subList(2, 5)),
                    files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }
}
