package dev.npc.daemon.loop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * attempt.json outlives the daemon that wrote it (that is its point): a record an earlier daemon
 * left, crash and all, reads back and is written again to the same bytes.
 */
class InFlightTest {
    static final String CRASHED = doc("""
            {
              "target" : {
                "remote" : "prod",
                "sha256" : "<v2>",
                "configuration" : "web-1",
                "action" : "switch",
                "prebuilt" : null
              },
              "attempt" : 2,
              "startedAt" : "2026-11-22T10:00:00Z",
              "toplevel" : "<built>",
              "previous" : {
                "profile" : "/nix/store/p",
                "running" : "/nix/store/r"
              },
              "failedBefore" : [ "foo.service" ],
              "crash" : {
                "phase" : "checking",
                "cause" : "java.lang.OutOfMemoryError: Java heap space"
              }
            }
            """);

    static final String STARTED = doc("""
            {
              "target" : {
                "remote" : "prod",
                "sha256" : "<v2>",
                "configuration" : "web-1",
                "action" : "boot",
                "prebuilt" : "<prebuilt>"
              },
              "attempt" : 1,
              "startedAt" : "2026-11-22T10:00:00Z",
              "toplevel" : null,
              "previous" : null,
              "failedBefore" : null,
              "crash" : null
            }
            """);

    /** The version and the systems, which the placeholder check would take for fakes if spelled out. */
    static String doc(String text) {
        return text.replace("<v2>", "2".repeat(64))
                .replace("<built>", "/nix/store/" + "b".repeat(32) + "-nixos-system-web-1")
                .replace("<prebuilt>", "/nix/store/" + "c".repeat(32) + "-nixos-system-web-1");
    }

    @TempDir
    Path tmp;

    @Test
    void aRecordAnEarlierDaemonLeftRoundTrips() throws Exception {
        for (String document : new String[] {CRASHED, STARTED}) {
            Path file = tmp.resolve("attempt.json");
            Files.writeString(file, document);
            InFlight.read(file).save(file);
            assertEquals(document, Files.readString(file));
        }
    }
}
