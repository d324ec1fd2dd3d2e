package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.daemon.NpcDaemon;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.process.ProcessRunner.ProcessResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A services.npc setting changed in the fleet's configuration takes effect on the host without a
 * reboot. The real Nix evaluates nixos/module.nix twice (interval 60s, then 5min) against the
 * stand-in nixpkgs, which renders the unit file NixOS would write; the running system carries the
 * first unit, the new system the second. npc-daemon, started exactly as the first unit's
 * ExecStart says (pointed at the stand-in commands), switches, reports, and exits because its
 * unit changed (restartIfChanged = false keeps switch-to-configuration from doing it mid-switch);
 * started again as the new unit says, as systemd's Restart=always does, it runs with the new value.
 */
class ModuleChangeRestartTest {
    @TempDir
    Path work;
    private Nix nix;
    private TestFleet fleet;

    @BeforeEach
    void setUp() {
        nix = new Nix(work.resolve("nix"));
        fleet = new TestFleet(work.resolve("host"));
    }

    @AfterEach
    void tearDown() {
        // Null when set-up stopped early: without Nix the test is skipped, not an error here.
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void aChangedIntervalReachesTheDaemonThroughARestartAfterTheSwitch() throws Exception {
        JsonNode before = evaluate("60s");
        JsonNode after = evaluate("5min");
        assertFalse(before.get("unitText").asText().equals(after.get("unitText").asText()));
        Path runningUnit = fleet.system.nixStore.resolve("initial/etc/systemd/system/npc.service");
        Files.createDirectories(runningUnit.getParent());
        Files.writeString(runningUnit, before.get("unitText").asText());
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.publish("prod", Map.of("system-name", "v1", "npc-unit", after.get("unitText").asText()));

        int exit = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> runAsTheUnitSays(before));

        assertEquals(0, exit, fleet.err());
        assertEquals(Result.SUCCESS, fleet.bucketState().lastAttempt().result(), "reported before exiting");
        assertEquals(60, fleet.bucketState().pollIntervalSeconds(), "the first daemon ran with the old interval");
        assertTrue(fleet.out().contains("the new system changes npc.service (ExecStart); exiting so systemd starts"
                + " npc-daemon as the new system says"), fleet.out());
        assertTrue(Files.readString(fleet.system.currentSystem.resolve("etc/systemd/system/npc.service"))
                .contains("\"--interval\" \"5min\""), "the running system now carries the new unit");

        String firstRun = fleet.out();
        assertEquals(0, runAsTheUnitSays(after, "--once"), fleet.err());

        assertEquals(300, fleet.localState().pollIntervalSeconds(), "the restarted daemon runs with the new interval");
        assertEquals(300, fleet.bucketState().pollIntervalSeconds());
        assertFalse(fleet.out().substring(firstRun.length()).contains("exiting so systemd starts"),
                "the restarted daemon runs as its unit says: no second restart");
    }

    /** npc-daemon with the unit's ExecStart arguments, then the stand-ins' paths (a later flag wins). */
    private int runAsTheUnitSays(JsonNode evaluated, String... more) {
        List<String> execStart = SystemdExecLine.split(
                evaluated.get("service").get("serviceConfig").get("ExecStart").asText());
        List<String> args = new ArrayList<>(execStart.subList(1, execStart.size()));
        args.addAll(List.of(more));
        args.addAll(fleet.flags());
        return NpcDaemon.run(fleet.seams(), args.toArray(String[]::new));
    }

    private JsonNode evaluate(String interval) throws IOException {
        String settings = "{ services.npc = { enable = true; store = \"" + fleet.store.url() + "\";"
                + " host = \"" + TestFleet.HOST + "\"; interval = \"" + interval + "\"; }; }";
        ProcessResult result = Tools.run(List.of("nix-instantiate", "--eval", "--strict", "--json",
                        Checkout.file("tests/src/test/resources/nix/eval-module.nix").toString(),
                        "--argstr", "module", Checkout.file("nixos/module.nix").toString(),
                        "--arg", "settings", settings),
                nix.environment(), work);
        assertTrue(result.ok(), result.toString());
        String[] lines = result.stdout().text().strip().split("\n");
        return Json.mapper().readTree(lines[lines.length - 1]);
    }
}
