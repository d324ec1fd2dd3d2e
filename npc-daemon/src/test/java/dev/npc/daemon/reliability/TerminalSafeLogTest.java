package dev.npc.daemon.reliability;

import dev.npc.daemon.testing.TestFleet;
import dev.npc.digest.Sha256;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.testing.TestArchives;
import dev.npc.testing.TestFlakes;
import dev.npc.text.SafeText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's log lines (journald) and npc-daemon status quote text from the bucket: an archive's
 * entry names, desired.json's values. None of it reaches them raw.
 */
class TerminalSafeLogTest {
    static final String HOSTILE = "\u001B[2J\u001B]8;;https://evil.example/\u0007x\u202E\u009B31m";

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

    @Test
    void hostileNamesInAnArchiveAndInDesiredJsonAreLoggedAndShownEscaped() throws Exception {
        byte[] archive = TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX)
                .file(HOSTILE + "/../../escape", "x").build();
        fleet.store.put(Layout.remote("prod"), archive,
                new RemoteMetadata(1, Sha256.hex(archive), 2, null, null, null).toMap());
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.run("follow", "--once");
        fleet.desired("{\"remote\": \"prod" + HOSTILE.replace("\u001B", "\\u001b").replace("\u0007", "\\u0007")
                .replace("\u202E", "\\u202e").replace("\u009B", "\\u009b") + "\"}");
        fleet.run("follow", "--once");
        fleet.run("status");
        String all = fleet.out() + fleet.err();
        assertTrue(all.contains("climbs out") && all.contains("is not valid"), all);
        all.codePoints().forEach(c -> assertTrue(c == '\n' || !SafeText.unsafe(c),
                () -> String.format("raw U+%04X in:%n%s", c, all.replace("\u001B", "<ESC>"))));
    }
}
