package dev.npc.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.daemon.control.StopSignal;
import dev.npc.daemon.control.Waiter;
import dev.npc.testing.TestClock;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands around the loop: pause, unpause, trigger, retry, status, install, help, metrics. */
class CommandsTest {
    @TempDir
    Path tmp;
    TestFleet fleet;

    @BeforeEach
    void setUp() {
        fleet = new TestFleet(tmp);
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    /** Only the named subcommand is given to picocli; without a name it knows, all of them are there. */
    @Test
    void anUnknownCommandIsRefusedWithTheCommandsThereAreAndAnOptionOfAnotherCommandIsUnknown() {
        assertEquals(2, NpcDaemon.run(fleet.seams(), "folow"));
        assertTrue(fleet.err().contains("'folow'") && fleet.err().contains("Try: npc-daemon --help"), fleet.err());
        assertEquals(2, NpcDaemon.run(fleet.seams(), "--debug", "pause", "--once"));
        assertTrue(fleet.err().contains("--once"), fleet.err());
        assertEquals(0, NpcDaemon.run(fleet.seams(), "--help"));
        for (String command : List.of("follow", "install", "status", "pause", "unpause", "trigger", "retry")) {
            assertTrue(fleet.out().contains("\n  " + command + " "), command + " is not listed:\n" + fleet.out());
        }
    }

    @Test
    void pauseHoldsNewVersionsBackAndUnpauseLetsThemThrough() {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");

        assertEquals(0, fleet.run("pause", "--for", "2h", "--reason", "debugging nginx"));
        assertTrue(fleet.out().contains("paused until 2026-11-22T12:00:00Z: debugging nginx"), fleet.out());
        assertEquals(0, fleet.run("follow", "--once"));

        assertEquals(List.of(), fleet.system.commands(), "nothing built while paused");
        HostState state = fleet.bucketState();
        assertNotNull(state.paused());
        assertEquals("debugging nginx", state.paused().reason());
        assertEquals(Instant.parse("2026-11-22T12:00:00Z"), state.paused().until());
        assertTrue(state.message().contains("not activating"), state.message());

        assertEquals(0, fleet.run("unpause"));
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertNull(fleet.bucketState().paused());
        assertEquals(Result.SUCCESS, fleet.bucketState().lastAttempt().result());
    }

    @Test
    void pauseEndsByItselfAfterItsDuration() {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.run("pause", "--for", "30m");

        fleet.clock.advance(Duration.ofMinutes(31));
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
        assertFalse(Files.exists(fleet.stateDir.paused()));
    }

    @Test
    void pausedInDesiredJsonAlsoHolds() {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\", \"paused\": true}");

        assertEquals(0, fleet.run("follow", "--once"));

        assertEquals(List.of(), fleet.system.commands());
        assertEquals("paused in desired.json", fleet.localState().paused().reason());
    }

    @Test
    void triggerWakesTheWaitingDaemonAndIsConsumed() throws Exception {
        // No follow runs here: the request is kept for the next start, and the command says so.
        assertEquals(3, fleet.run("trigger"));
        assertTrue(fleet.err().contains("no npc-daemon follow is running"), fleet.err());
        assertTrue(Files.exists(fleet.stateDir.trigger()));

        TestClock clock = new TestClock(Instant.EPOCH);
        AtomicInteger slices = new AtomicInteger();
        Path trigger = tmp.resolve("t/trigger");
        Files.createDirectories(trigger.getParent());
        Waiter waiter = new Waiter(d -> {
            clock.advance(d);
            if (slices.incrementAndGet() == 3) {
                try {
                    dev.npc.daemon.control.Flags.raise(trigger);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }, clock, new StopSignal(), trigger, tmp.resolve("t/retry"));

        assertTrue(waiter.await(Duration.ofMinutes(5)), "woken by the trigger");
        assertEquals(3, slices.get(), "within one slice of the trigger");

        Files.delete(trigger);
        assertFalse(waiter.await(Duration.ofSeconds(10)), "without a trigger the full time passes");
        assertEquals(Instant.EPOCH.plusSeconds(13), clock.instant());

        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.run("follow", "--once");
        assertFalse(Files.exists(fleet.stateDir.trigger()), "a poll consumes the trigger");
    }

    @Test
    void statusShowsTheLocalStateToAPerson() {
        String sha = fleet.publish("prod", java.util.Map.of("system-name", "v1", "switch-fails", ""));
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.run("follow", "--once");

        assertEquals(0, fleet.run("status"));

        String out = fleet.out();
        assertTrue(out.contains("host          web-1"), out);
        assertTrue(out.contains("phase         idle"), out);
        assertTrue(out.contains("desired       " + sha.substring(0, 8) + " prod/web-1  (pending)"), out);
        assertTrue(out.contains("last attempt  rolled-back " + sha.substring(0, 8) + ", attempt 1"), out);
        assertTrue(out.contains("error         switch-to-configuration switch failed (exit 4)"), out);
        assertTrue(out.contains("  | warning: the following units failed: nginx.service"), out);
        assertTrue(out.contains("paused        no"), out);
    }

    @Test
    void statusJsonIsTheStateDocument() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.run("follow", "--once");
        int before = fleet.out().length();

        assertEquals(0, fleet.run("status", "--json"));

        HostState printed = dev.npc.json.Json.read(fleet.out().substring(before).getBytes(), HostState.class, "out");
        assertEquals(fleet.localState(), printed);
    }

    @Test
    void statusWithoutStateSaysWhatToDo() {
        assertEquals(1, fleet.run("status"));
        assertTrue(fleet.err().startsWith("npc-daemon: no state in "), fleet.err());
        assertTrue(fleet.err().contains("start npc-daemon follow"), fleet.err());
        assertEquals(1, fleet.err().strip().lines().count(), fleet.err());
    }

    @Test
    void metricsFileHasPrometheusTextForTheTextfileCollector() throws Exception {
        Path metrics = tmp.resolve("textfile/npc.prom");
        String sha = fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");

        assertEquals(0, fleet.run("follow", "--once", "--metrics-file", metrics.toString()));

        String text = Files.readString(metrics);
        assertTrue(text.contains("# TYPE npc_last_poll_timestamp_seconds gauge\n"
                + "npc_last_poll_timestamp_seconds{host=\"web-1\"} 1795341600\n"), text);
        assertTrue(text.contains("npc_last_success_timestamp_seconds{host=\"web-1\"} 1795341600\n"), text);
        assertTrue(text.contains("npc_attempts_total{host=\"web-1\"} 1\n"), text);
        assertTrue(text.contains("npc_failures_total{host=\"web-1\"} 0\n"), text);
        assertTrue(text.contains("npc_current_version_info{host=\"web-1\",remote=\"prod\",version=\"" + sha
                + "\",configuration=\"web-1\",system=\"" + fleet.system.nixStore.resolve("v1") + "\"} 1\n"), text);
        assertTrue(text.contains("npc_phase{host=\"web-1\",phase=\"idle\"} 1\n"), text);
        assertTrue(text.contains("npc_phase{host=\"web-1\",phase=\"building\"} 0\n"), text);
        try (var files = Files.list(metrics.getParent())) {
            assertEquals(1, files.count(), "no temporary file left for the collector to read");
        }
    }

    @Test
    void installWritesTheConfigAndPollsOnce() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\", \"configuration\": \"web\"}");

        assertEquals(0, fleet.run("install", "--configuration", "other", "--interval", "5m"), fleet.err());

        JsonNode config = Json.mapper().readTree(fleet.stateDir.config().toFile());
        assertEquals(fleet.store.url(), config.get("store").asText());
        assertEquals("web-1", config.get("host").asText());
        assertEquals("5m", config.get("interval").asText());
        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
        assertEquals("web", fleet.localState().current().configuration(), "desired.json's configuration wins");

        // follow with only --state-dir now finds everything in config.json
        fleet.system.clearCalls();
        fleet.publishSystem("prod", "v2");
        assertEquals(0, NpcDaemon.run(fleet.seams(), "follow", "--once", "--state-dir", fleet.stateDir.root().toString()),
                fleet.err());
        assertTrue(fleet.system.running().endsWith("/v2"));
    }

    @Test
    void installRecordsWhatItIsGivenOverWhatConfigJsonHad() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        Files.createDirectories(fleet.stateDir.root());
        Files.writeString(fleet.stateDir.config(), "{\"interval\": \"5m\", \"healthCommands\": [\"true\"],"
                + " \"retries\": 4, \"unknownToThisVersion\": 1}");

        assertEquals(0, NpcDaemon.run(fleet.seams(), "install", "--state-dir", fleet.stateDir.root().toString(),
                "--store", fleet.store.url(), "--host", "web-1", "--nix-bin", fleet.system.bin.toString(),
                "--systemctl", fleet.system.bin.resolve("systemctl").toString(),
                "--current-system", fleet.system.currentSystem.toString(),
                "--system-profile", fleet.system.systemProfile.toString(),
                "--booted-system", fleet.system.bootedSystem.toString(),
                "--allowed-remote", "prod", "--allowed-remote", "prod-canary",
                "--health-strict", "--keep-generations", "3", "--retries", "0", "--health-timeout", "0s"),
                fleet.err());

        JsonNode config = Json.mapper().readTree(fleet.stateDir.config().toFile());
        assertEquals("5m", config.get("interval").asText(), "kept from the earlier file");
        assertEquals("[\"true\"]", config.get("healthCommands").toString());
        assertEquals(1, config.get("unknownToThisVersion").asInt(), "what a newer version wrote is kept");
        assertEquals("[\"prod\",\"prod-canary\"]", config.get("allowedRemotes").toString());
        assertTrue(config.get("healthStrict").isBoolean() && config.get("healthStrict").asBoolean(), config.toString());
        assertTrue(config.get("keepGenerations").isInt() && config.get("keepGenerations").asInt() == 3, config.toString());
        assertEquals(0, config.get("retries").asInt(), "given, so it replaces the file's 4");
        assertEquals("0s", config.get("healthTimeout").asText(), "the text given, not a reformatted duration");
        assertFalse(config.has("stateDir"), "the state directory is where config.json is, not in it");
    }

    @Test
    void aBadConfigJsonStopsFollowWithOneLineNamingIt() throws Exception {
        Files.createDirectories(fleet.stateDir.root());
        String stateDir = fleet.stateDir.root().toString();
        Files.writeString(fleet.stateDir.config(), "{ nope");
        int before = fleet.err().length();
        assertEquals(1, NpcDaemon.run(fleet.seams(), "follow", "--once", "--state-dir", stateDir));
        String err = fleet.err().substring(before);
        assertTrue(err.startsWith("npc-daemon: " + fleet.stateDir.config() + " is not valid: ")
                && err.strip().endsWith("; fix it or run npc-daemon install again") && err.strip().lines().count() == 1, err);

        Files.writeString(fleet.stateDir.config(), "{\"store\": \"file:///x\", \"keepGenerations\": 0}");
        before = fleet.err().length();
        assertEquals(2, NpcDaemon.run(fleet.seams(), "follow", "--once", "--state-dir", stateDir));
        assertEquals("npc-daemon: --keep-generations (from " + fleet.stateDir.config() + "): must be 1 or more, not 0",
                fleet.err().substring(before).strip());
    }

    // The help of follow and install: paragraphs picocli wraps at 80 columns, every option
    // described, every example line whole; and it shows the declared defaults, whatever this
    // host's config.json says (help reads nothing, so a broken config.json does not hide it).
    @Test
    void followAndInstallHelpFitsEightyColumnsDescribesEveryOptionAndKeepsExamplesWhole() throws Exception {
        Files.createDirectories(fleet.stateDir.root());
        Files.writeString(fleet.stateDir.config(), "{\"interval\": \"5m\", \"store\": \"not a store\"");
        for (String command : List.of("follow", "install")) {
            int before = fleet.out().length();
            assertEquals(0, NpcDaemon.run(fleet.seams(), command, "--help", "--state-dir",
                    fleet.stateDir.root().toString()), fleet.err());
            String help = fleet.out().substring(before);
            for (String line : help.split("\n")) {
                assertTrue(line.length() <= 80, command + " help has a line over 80 columns: " + line);
            }
            CommandSpec spec = NpcDaemon.commandLine(fleet.seams()).getSubcommands().get(command)
                    .getCommandSpec();
            for (String example : spec.usageMessage().footer()) {
                assertTrue(help.contains(example), command + " help breaks the example line '" + example + "':\n" + help);
            }
            for (OptionSpec option : spec.options()) {
                assertTrue(option.description().length > 0 && !option.description()[0].isBlank(),
                        command + " " + option.longestName() + " has no description");
            }
            assertTrue(help.contains("Time between polls, with +-20% jitter; default 60s."), help);
        }
    }

    @Test
    void everyCommandHasHelpWithAnExample() {
        for (String command : List.of("follow", "install", "status", "pause", "unpause", "trigger", "retry")) {
            int before = fleet.out().length();
            assertEquals(0, fleet.run(command, "--help"), command);
            String help = fleet.out().substring(before);
            assertTrue(help.contains("Example"), command + " help has an example:\n" + help);
            assertTrue(help.contains("npc-daemon " + command), help);
        }
    }

    @Test
    void usageErrorsExit2WithOneLine() {
        assertEquals(2, NpcDaemon.run(fleet.seams(), "follow", "--bogus"));
        assertTrue(fleet.err().startsWith("npc-daemon: Unknown option: '--bogus'"), fleet.err());

        int before = fleet.err().length();
        assertEquals(2, fleet.run("follow", "--once", "--interval", "soon"));
        String err = fleet.err().substring(before);
        assertEquals("npc-daemon: --interval: duration 'soon' is not valid; write e.g. 30s, 5min, 1h30m or 2 h (systemd's time span syntax)", err.strip());

        before = fleet.err().length();
        assertEquals(2, NpcDaemon.run(fleet.seams(), "follow", "--once", "--state-dir", tmp.resolve("empty").toString()));
        assertTrue(fleet.err().substring(before).startsWith("npc-daemon: no store configured; give --store"),
                fleet.err());
        assertFalse(fleet.err().contains("\tat "), "no stack traces without --debug");
    }

    @Test
    void nixBinMayNameTheNixBinaryItself() {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        // The NixOS module sets NPC_NIX_BIN to .../bin/nix: its directory holds nix-env and nix-store too.
        assertEquals(0, fleet.run("follow", "--once", "--nix-bin", fleet.system.bin.resolve("nix").toString()),
                fleet.err());
        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
    }
}
