package dev.npc.daemon.reliability;

import dev.npc.daemon.Daemon;
import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.remote.RemoteMetadata;
import dev.npc.trust.KeyFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A daemon with trusted keys refuses what they did not sign, says why, and leaves the host alone. */
class TrustedKeysTest {
    @TempDir
    Path tmp;
    TestFleet fleet;
    Path ciKey;
    Path ciPub;
    Path otherKey;
    String initial;

    @BeforeEach
    void setUp() throws Exception {
        fleet = new TestFleet(tmp.resolve("fleet"));
        ciKey = tmp.resolve("ci.key");
        ciPub = tmp.resolve("ci.pub");
        otherKey = tmp.resolve("other.key");
        KeyFiles.generate(ciKey, ciPub);
        KeyFiles.generate(otherKey, tmp.resolve("other.pub"));
        fleet.desired("{\"remote\": \"prod\"}");
        initial = fleet.system.running();
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    @Test
    void withoutTrustedKeysItSaysSoAndBehavesAsBefore() {
        fleet.publishSystem("prod", "v1");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertTrue(fleet.err().contains("npc-daemon: no trusted keys: remotes are checked against their sha256 only"),
                fleet.err());
        assertTrue(fleet.err().contains("pre-built toplevel that desired.json names is realised and switched to unchecked"),
                fleet.err());
        assertTrue(fleet.system.running().endsWith("/v1"));
    }

    @Test
    void unsignedIsRefused() throws Exception {
        fleet.publishSystem("prod", "v1");
        assertRefused("is not signed");
    }

    @Test
    void signedByAnotherKeyIsRefused() throws Exception {
        fleet.publishSystem("prod", "v1");
        SignedFleet.sign(fleet, "prod", otherKey);
        assertRefused("which this host does not trust");
    }

    @Test
    void aSignatureMovedOntoOtherBytesIsRefused() throws Exception {
        fleet.publishSystem("prod", "v1");
        SignedFleet.sign(fleet, "prod", ciKey);
        Map<String, String> signed = SignedFleet.metadata(fleet, "prod");
        fleet.publishSystem("prod", "evil");
        SignedFleet.setMetadata(fleet, "prod", Map.of(RemoteMetadata.SIGNATURE, signed.get(RemoteMetadata.SIGNATURE),
                RemoteMetadata.KEY_ID, signed.get(RemoteMetadata.KEY_ID),
                RemoteMetadata.SEQUENCE, signed.get(RemoteMetadata.SEQUENCE)));
        assertRefused("signature does not cover remote 'prod'");
    }

    @Test
    void signedBytesSwappedUnderTheirMetadataAreRefused() throws Exception {
        fleet.publishSystem("prod", "evil");
        byte[] evil = SignedFleet.bytes(fleet, "prod");
        fleet.publishSystem("prod", "v1");
        SignedFleet.sign(fleet, "prod", ciKey);
        fleet.store.put(dev.npc.store.Layout.remote("prod"), evil, SignedFleet.metadata(fleet, "prod"));
        assertRefused("corrupt or was tampered with");
    }

    @Test
    void aTrustedSignatureActivatesAndTheKeyCanBeGivenAsItsLine() throws Exception {
        fleet.publishSystem("prod", "v1");
        SignedFleet.sign(fleet, "prod", ciKey);
        String line = Files.readAllLines(ciPub).stream().filter(l -> l.startsWith(KeyFiles.PUBLIC_PREFIX)).findFirst().orElseThrow();
        fleet.with("--trusted-key", line);
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertTrue(fleet.out().contains("accepting only remotes signed by trusted key"), fleet.out());
        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
        assertTrue(fleet.system.running().endsWith("/v1"));
    }

    @Test
    void aBadTrustedKeyStopsTheDaemonAtStartInOneLine() {
        fleet.with("--trusted-key", tmp.resolve("missing.pub").toString());
        assertNotEquals(0, fleet.run("follow", "--once"));
        assertTrue(fleet.err().contains("--trusted-key: trusted key file") && fleet.err().contains("does not exist"), fleet.err());
        assertEquals(1, fleet.err().strip().lines().count(), fleet.err());
        assertEquals(initial, fleet.system.running());
    }

    private void assertRefused(String reason) throws Exception {
        fleet.with("--trusted-key", ciPub.toString());
        try (Daemon daemon = fleet.daemon()) {
            daemon.follow(FollowLoop.Mode.ONCE);
        }
        HostState state = fleet.bucketState();
        // Refused on its metadata at the poll (reported as desired.json's problem, never attempted),
        // or, for bytes that do not match the signed sha256, when downloaded (a failed attempt).
        String error = state.desired() != null && state.desired().error() != null ? state.desired().error()
                : state.lastAttempt() != null && Result.FAILED.equals(state.lastAttempt().result())
                ? state.lastAttempt().error() : null;
        assertTrue(error != null && error.contains(reason), state.toString());
        assertTrue(error.contains("remote 'prod'"), error);
        assertEquals(initial, fleet.system.running(), "the running system is untouched");
        assertTrue(fleet.system.commands().stream().noneMatch(c -> c.startsWith("nix") || c.contains("switch-to")),
                fleet.system.commands().toString());
        try (var flakes = Files.list(fleet.stateDir.flakes())) {
            assertEquals(0, flakes.count(), "nothing unpacked, no download left");
        } catch (java.nio.file.NoSuchFileException e) {
            // nothing was ever created: fine
        }
    }
}
