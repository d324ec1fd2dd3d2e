package dev.npc.daemon.reliability;

import dev.npc.daemon.Daemon;
import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.digest.Sha256;
import dev.npc.host.HostState;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.Result;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.testing.HostileArchives;
import dev.npc.testing.TestArchives;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile desired.json documents and remotes, one after another, against one running daemon:
 * each gets a clear one-line error in state.json, nothing is built or switched, nothing is left
 * on disk, and the daemon goes on to activate the next good version. (The unpacker's own
 * refusals are unit-tested in npc-core's UnpackerTest; this proves the daemon side.)
 */
class HostileInputTest {
    @TempDir
    Path tmp;
    TestFleet fleet;
    String initial;

    @BeforeEach
    void setUp() {
        fleet = new TestFleet(tmp);
        initial = fleet.system.running();
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    @Test
    void hostileDesiredDocumentsAreReportedOneByOneAndTheDaemonCarriesOn() throws Exception {
        fleet.publishSystem("prod", "v1");
        String storePath = "/nix/store/" + "a".repeat(32);
        Map<String, String> documents = new LinkedHashMap<>();
        documents.put("{\"remote\": \"prod\", \"x\": \"" + "y".repeat(1 << 20) + "\"}", "over the limit of 1048576");
        documents.put("{\"remote\": \"prod\", \"x\": " + "[".repeat(100) + "]".repeat(100) + "}", "is not valid");
        documents.put("[\"prod\"]", "is not valid");
        documents.put("null", "is empty or null");
        documents.put("", "is not valid");
        documents.put("{\"remote\": \"prod\", \"paused\": \"maybe\"}", "is not valid");
        documents.put("{\"remote\": \"prod/../../hosts/web-2\"}", "remote name 'prod/../../hosts/web-2' is not valid");
        documents.put("{\"remote\": \"a/b\"}", "remote name 'a/b' is not valid");
        documents.put("{\"remote\": \"..\"}", "remote name '..' is not valid");
        documents.put("{\"remote\": \"prod\", \"configuration\": \"web-1\\\".config --impure #\"}", "configuration");
        documents.put("{\"remote\": \"prod\", \"prebuilt\": \"" + storePath + "-x/../../../etc\"}", "is not a /nix/store path");
        documents.put("{\"remote\": \"prod\", \"action\": \"dry-activate\"}", "action 'dry-activate' is not one of");
        try (Daemon daemon = fleet.daemon()) {
            documents.forEach((document, expected) -> {
                fleet.desired(document);
                try {
                    assertEquals(1, daemon.follow(FollowLoop.Mode.ONCE));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                HostState state = fleet.bucketState();
                String label = document.length() > 80 ? document.substring(0, 80) + "..." : document;
                assertNotNull(state.desired(), label);
                String error = state.desired().error();
                assertNotNull(error, label);
                assertTrue(error.contains(expected), label + " -> " + error);
                assertTrue(error.startsWith("hosts/web-1/desired.json"), error);
                assertFalse(error.contains("\n"), error);
                assertTrue(error.length() < 400, "the error does not echo the document: " + error.length());
            });
            assertEquals(List.of(), fleet.system.commands());
            assertEquals(initial, fleet.system.running());

            fleet.desired("{\"remote\": \"prod\", \"owner\": \"team-a\", \"rollout\": {\"wave\": 2}}");
            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), "unknown fields are ignored: " + fleet.err());
        }
        assertTrue(fleet.system.running().endsWith("/v1"));
    }

    @Test
    void hostileRemotesFailTheirAttemptLeaveNothingAndTheNextGoodVersionActivates() throws Exception {
        Map<String, byte[]> remotes = new LinkedHashMap<>(HostileArchives.all());
        byte[] good = TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX).file("x", "x").build();
        remotes.put("truncated archive", java.util.Arrays.copyOf(good, good.length / 2));
        remotes.put("not an archive", "<html>403 Forbidden</html>".getBytes());
        remotes.put("name too long for the file system",
                TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX).file("n".repeat(300), "x").build());
        remotes.put("nested directories longer than a path can be",
                TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX).file(("d".repeat(200) + "/").repeat(25) + "f", "x").build());
        fleet.desired("{\"remote\": \"prod\"}");
        List<String> accepted = new ArrayList<>();
        try (Daemon daemon = fleet.daemon()) {
            for (Map.Entry<String, byte[]> remote : remotes.entrySet()) {
                byte[] bytes = remote.getValue();
                fleet.store.put(Layout.remote("prod"), bytes,
                        new RemoteMetadata(1, Sha256.hex(bytes), 1, null, null, null).toMap());
                daemon.follow(FollowLoop.Mode.ONCE);
                HostState.Attempt attempt = fleet.bucketState().lastAttempt();
                if (attempt == null || !Result.FAILED.equals(attempt.result())
                        || !Sha256.hex(bytes).equals(attempt.sha256())) {
                    accepted.add(remote.getKey());
                    continue;
                }
                assertTrue(attempt.error().startsWith("remote 'prod' cannot be unpacked: "), remote.getKey() + ": " + attempt.error());
                assertFalse(attempt.error().contains("\n"), attempt.error());
                assertEquals(List.of(), Leftovers.in(fleet.stateDir.root()), remote.getKey());
                try (var flakes = Files.list(fleet.stateDir.flakes())) {
                    assertEquals(0, flakes.count(), remote.getKey() + ": no tree, whole or partial");
                }
            }
            assertEquals(List.of(), accepted, "every hostile remote is refused");
            assertEquals(List.of(), fleet.system.commands(), "nothing was built");
            assertEquals(initial, fleet.system.running());
            assertFalse(Files.exists(tmp.getParent().resolve(HostileArchives.ESCAPE_MARKER)));

            fleet.publishSystem("prod", "v1");
            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
        }
        assertTrue(fleet.system.running().endsWith("/v1"));
    }
}
