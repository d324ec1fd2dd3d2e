package dev.npc.host;

import dev.npc.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * state.json is a contract between every daemon and every {@code npc} in a fleet, old and new:
 * a document as the daemon has always written it reads and writes back to the same bytes.
 */
class HostStateJsonTest {
    /** Every field set, as npc 0.1.0's daemon writes it (failedBefore only when not empty). */
    static final String FULL = doc("""
            {
              "host" : "web-1",
              "daemonVersion" : "0.1.0",
              "updatedAt" : "2026-11-22T10:01:35Z",
              "phase" : "idle",
              "desired" : {
                "remote" : "prod",
                "configuration" : "web-1",
                "sha256" : "<v2>",
                "error" : null
              },
              "current" : {
                "remote" : "prod",
                "sha256" : "<v1>",
                "configuration" : "web-1",
                "system" : "<running>",
                "activatedAt" : "2026-11-22T10:00:00Z"
              },
              "lastAttempt" : {
                "sha256" : "<v2>",
                "result" : "rolled-back",
                "attempt" : 2,
                "startedAt" : "2026-11-22T10:00:30Z",
                "finishedAt" : "2026-11-22T10:01:30Z",
                "error" : "health check failed: nginx.service",
                "logTail" : "line 1\\nline 2",
                "failedBefore" : [ "foo.service" ]
              },
              "paused" : {
                "since" : "2026-11-22T10:01:31Z",
                "until" : null,
                "reason" : "maintenance"
              },
              "pollIntervalSeconds" : 60,
              "message" : "paused (maintenance)"
            }
            """);

    /** A daemon's first state, before it reported anything. */
    static final String INITIAL = doc("""
            {
              "host" : "web-2",
              "daemonVersion" : "0.1.0",
              "updatedAt" : null,
              "phase" : "idle",
              "desired" : null,
              "current" : null,
              "lastAttempt" : null,
              "paused" : null,
              "pollIntervalSeconds" : 60,
              "message" : null
            }
            """);

    /** Mid-attempt, with an unusable desired.json reported and an attempt without failedBefore. */
    static final String BUSY = doc("""
            {
              "host" : "web-3",
              "daemonVersion" : "0.1.0",
              "updatedAt" : "2026-11-22T10:00:00Z",
              "phase" : "PHASE",
              "desired" : {
                "remote" : null,
                "configuration" : null,
                "sha256" : null,
                "error" : "desired.json is not valid"
              },
              "current" : null,
              "lastAttempt" : {
                "sha256" : "<v1>",
                "result" : "RESULT",
                "attempt" : 1,
                "startedAt" : "2026-11-22T10:00:00Z",
                "finishedAt" : "2026-11-22T10:00:00Z",
                "error" : null,
                "logTail" : null
              },
              "paused" : null,
              "pollIntervalSeconds" : 60,
              "message" : null
            }
            """);

    /** The versions and the running system, which the placeholder check would take for fakes if spelled out. */
    static String doc(String text) {
        return text.replace("<v1>", "1".repeat(64)).replace("<v2>", "2".repeat(64))
                .replace("<running>", "/nix/store/" + "a".repeat(32) + "-nixos-system-web-1");
    }

    static final List<String> PHASES = List.of("idle", "downloading", "building", "activating", "checking",
            "rolling-back", "rebooting");
    static final List<String> RESULTS = List.of("success", "failed", "rolled-back", "interrupted");

    @Test
    void documentsAsTheDaemonWritesThemRoundTripToTheSameBytes() throws Exception {
        assertRoundTrips(FULL);
        assertRoundTrips(INITIAL);
        for (String phase : PHASES) {
            for (String result : RESULTS) {
                assertRoundTrips(BUSY.replace("PHASE", phase).replace("RESULT", result));
            }
        }
    }

    @Test
    void anAttemptNamesItsSystemOnlyWhenItHadOne() throws Exception {
        String system = "/nix/store/" + "b".repeat(32) + "-nixos-system-web-1";
        String built = FULL.replace("\"failedBefore\" : [ \"foo.service\" ]\n",
                "\"failedBefore\" : [ \"foo.service\" ],\n    \"system\" : \"" + system + "\"\n");
        assertRoundTrips(built);
        HostState state = Json.read(built.getBytes(StandardCharsets.UTF_8), HostState.class, "state.json");
        assertEquals(system, state.lastAttempt().system());
        assertEquals(FULL, Json.writeString(state.withLastAttempt(state.lastAttempt().withSystem(null))),
                "absent, as before the field existed, when the attempt built nothing");
    }

    /** A host whose new version waits for its window while its running system needs a reboot. */
    static final String WAITING_AND_REBOOT = INITIAL.replace("  \"message\" : null\n", """
              "message" : "waiting for window Sat 02:00-04:00 UTC",
              "waiting" : {
                "window" : "Sat 02:00-04:00 UTC",
                "next" : "2026-11-28T02:00:00Z",
                "remote" : "prod",
                "configuration" : "web-2",
                "sha256" : "<v2>",
                "system" : "<running>"
              },
              "reboot" : {
                "changed" : [ "kernel", "initrd" ],
                "system" : "<running>",
                "booted" : "<running>",
                "since" : "2026-11-22T10:00:00Z",
                "next" : null,
                "note" : "reboot = never"
              }
            """);

    @Test
    void waitingAndRebootAreWrittenOnlyWhenPresent() throws Exception {
        String document = doc(WAITING_AND_REBOOT);
        assertRoundTrips(document);
        HostState state = Json.read(document.getBytes(StandardCharsets.UTF_8), HostState.class, "state.json");
        assertEquals("Sat 02:00-04:00 UTC", state.waiting().window());
        assertEquals("kernel, initrd changed", state.reboot().reason());
        String without = Json.writeString(state.withWaiting(null).withReboot(null));
        assertFalse(without.contains("\"waiting\" :") || without.contains("\"reboot\" :"), without);
    }

    @Test
    void theEnumsWriteExactlyTheseNames() {
        assertEquals(PHASES, Phase.known().stream().map(Phase::toString).toList());
        assertEquals(RESULTS, Arrays.stream(Result.values()).filter(r -> r != Result.UNKNOWN).map(Result::toString).toList());
    }

    @Test
    void aNewerDaemonsPhaseAndResultReadAsUnknown() throws Exception {
        String newer = BUSY.replace("PHASE", "verifying").replace("RESULT", "skipped");
        HostState state = Json.read(newer.getBytes(StandardCharsets.UTF_8), HostState.class, "state.json");
        assertEquals(Phase.UNKNOWN, state.phase());
        assertEquals(Result.UNKNOWN, state.lastAttempt().result());
        assertFalse(state.isIdle(), "some attempt is under way");
        String missing = INITIAL.replace("  \"phase\" : \"idle\",\n", "");
        assertFalse(missing.contains("phase"));
        assertTrue(Json.read(missing.getBytes(StandardCharsets.UTF_8), HostState.class, "state.json").isIdle(),
                "a state without a phase is idle");
    }

    private static void assertRoundTrips(String document) throws Exception {
        HostState state = Json.read(document.getBytes(StandardCharsets.UTF_8), HostState.class, "state.json");
        assertEquals(document, Json.writeString(state));
    }
}
