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
    static final String CRASHED = """
            {
              "target" : {
                "remote" : "prod",
                "sha256" : "2222222222222222222222222222222222222222222222222222222222222222",
                "configuration" : "web-1",
                "action" : "switch",
                "prebuilt" : null
              },
              "attempt" : 2,
              "startedAt" : "2026-11-22T10:00:00Z",
              "toplevel" : "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-nixos-system-web-1",
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
            """;

    static final String STARTED = """
            {
              "target" : {
                "remote" : "prod",
                "sha256" : "2222222222222222222222222222222222222222222222222222222222222222",
                "configuration" : "web-1",
                "action" : "boot",
                "prebuilt" : "/nix/store/cccccccccccccccccccccccccccccccc-nixos-system-web-1"
              },
              "attempt" : 1,
              "startedAt" : "2026-11-22T10:00:00Z",
              "toplevel" : null,
              "previous" : null,
              "failedBefore" : null,
              "crash" : null
            }
            """;

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
