package dev.npc.daemon.reliability;

import dev.npc.daemon.Daemon;
import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.Result;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.trust.KeyFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a bucket writer without the signing key could do with signed remotes before the signature
 * covered the remote's name and a sequence: put an older signed version back (from
 * remotes-history/ or S3 versions), or copy another environment's signed remote over this one.
 * A host with trusted keys now refuses both, says why, and keeps running what it runs.
 */
class SignatureCoverageTest {
    static final String SIGNED = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixos-system-web-1";
    static final String EVIL = "/nix/store/zyxwvsrqpnmlkjihgfdcba9876543210-nixos-system-evil";

    @TempDir
    Path tmp;
    TestFleet fleet;
    Path ciKey;
    Path ciPub;

    @BeforeEach
    void setUp() throws Exception {
        fleet = new TestFleet(tmp.resolve("fleet"));
        ciKey = tmp.resolve("ci.key");
        ciPub = tmp.resolve("ci.pub");
        KeyFiles.generate(ciKey, ciPub);
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.with("--trusted-key", ciPub.toString());
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    @Test
    void aSignedRemoteCopiedOverAnotherIsRefused() throws Exception {
        fleet.publishSystem("prod", "v1");
        SignedFleet.sign(fleet, "prod", ciKey);
        followOnce();
        assertTrue(fleet.system.running().endsWith("/v1"), fleet.err());

        // staging is signed by the same CI key; a bucket writer copies it over prod.
        fleet.publishSystem("staging", "untested");
        SignedFleet.sign(fleet, "staging", ciKey);
        fleet.store.copy(Layout.remote("staging"), Layout.remote("prod"), null);
        followOnce();

        assertTrue(fleet.system.running().endsWith("/v1"), "the copy is not activated: " + fleet.system.commands());
        assertRefusal("signature does not cover remote 'prod'");
    }

    @Test
    void anOlderSignedVersionPutBackIsRefusedAsAReplay() throws Exception {
        fleet.publishSystem("prod", "v1");
        SignedFleet.sign(fleet, "prod", ciKey);
        byte[] v1 = SignedFleet.bytes(fleet, "prod");
        Map<String, String> v1Metadata = SignedFleet.metadata(fleet, "prod");
        followOnce();
        fleet.publishSystem("prod", "v2");
        SignedFleet.sign(fleet, "prod", ciKey);
        followOnce();
        assertTrue(fleet.system.running().endsWith("/v2"), fleet.err());
        String v2Sequence = SignedFleet.metadata(fleet, "prod").get(RemoteMetadata.SEQUENCE);

        // What an older object version or remotes-history/ holds, put back by a bucket writer.
        fleet.store.put(Layout.remote("prod"), v1, v1Metadata);
        int before = fleet.history().size();
        // A new daemon (a restart): what it has seen is kept on disk, not in memory.
        followOnce();
        followOnce();
        followOnce();

        assertTrue(fleet.system.running().endsWith("/v2"), "the old version is not activated: " + fleet.system.commands());
        assertRefusal("replayed: sequence " + v1Metadata.get(RemoteMetadata.SEQUENCE)
                + ", host has seen " + v2Sequence);
        assertEquals(before, fleet.history().size(), "a refusal is not an attempt, retried and recorded at every poll");
    }

    @Test
    void aPrebuiltSystemInDesiredJsonIsNotSwitchedToWithoutASignatureThatNamesIt() throws Exception {
        fleet.publishSystem("prod", "v1");
        SignedFleet.sign(fleet, "prod", ciKey);
        String prebuilt = EVIL;
        fleet.desired("{\"remote\": \"prod\", \"prebuilt\": \"" + prebuilt + "\"}");
        String initial = fleet.system.running();
        followOnce();

        List<String> commands = fleet.system.commands();
        assertTrue(commands.stream().noneMatch(c -> c.contains("switch-to-configuration") || c.startsWith("nix-store")),
                "nothing unsigned is realised or switched to: " + commands);
        assertEquals(initial, fleet.system.running());
        HostState state = fleet.bucketState();
        String error = state.lastAttempt() == null ? null : state.lastAttempt().error();
        assertNotNull(error, state.toString());
        assertTrue(error.contains(prebuilt) && error.contains("not signed"), error);
    }

    @Test
    void evenAnUnsignedRemoteLetDesiredJsonNameAPrebuiltSystemAndItIsNowRefused() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\", \"prebuilt\": \"" + EVIL + "\"}");
        String initial = fleet.system.running();
        followOnce();
        assertEquals(List.of(), fleet.system.commands(), "nothing realised, nothing switched");
        assertEquals(initial, fleet.system.running());
        assertRefusal("is not signed");
    }

    @Test
    void aPrebuiltSystemOtherThanTheSignedOneIsRefused() throws Exception {
        fleet.publish("prod", Map.of("system-name", "v1\n"), Map.of("web-1", SIGNED));
        SignedFleet.sign(fleet, "prod", ciKey);
        fleet.desired("{\"remote\": \"prod\", \"prebuilt\": \"" + EVIL + "\"}");
        followOnce();
        assertTrue(fleet.system.commands().stream().noneMatch(c -> c.startsWith("nix-store") || c.contains("switch-to")),
                fleet.system.commands().toString());
        assertRefusal("is not signed for configuration 'web-1'");
        assertTrue(fleet.bucketState().lastAttempt().error().contains("names " + SIGNED), fleet.bucketState().toString());
        // A refusal is reported once: the next polls do not try it again.
        int records = fleet.history().size();
        followOnce();
        followOnce();
        assertEquals(records, fleet.history().size(), fleet.history().toString());
        assertTrue(fleet.bucketState().message().contains("was refused"), fleet.bucketState().toString());
    }

    @Test
    void theSignedPrebuiltSystemIsRealisedAndActivatedExactly() throws Exception {
        fleet.publish("prod", Map.of("system-name", "v1\n"), Map.of("web-1", SIGNED, "web-2", EVIL));
        SignedFleet.sign(fleet, "prod", ciKey);
        fleet.system.realiseVerbatim();
        followOnce();
        List<String> commands = fleet.system.commands();
        String root = " --add-root " + fleet.stateDir.root().resolve("result");
        assertEquals("nix-store --realise " + SIGNED + root, commands.get(0), "realised, not built: " + commands);
        assertEquals("nix-env -p " + fleet.system.systemProfile + " --set " + SIGNED,
                commands.stream().filter(c -> c.startsWith("nix-env")).findFirst().orElseThrow(), commands.toString());
        assertTrue(commands.stream().noneMatch(c -> c.startsWith("nix ") || c.contains(EVIL)), commands.toString());
        // There is no /nix/store here: the real path's switch-to-configuration cannot start, so the
        // host rolls back; what matters is that the signed path, and only it, was activated.
        Attempt attempt = fleet.bucketState().lastAttempt();
        assertEquals(Result.ROLLED_BACK, attempt.result(), attempt.toString());
        assertTrue(attempt.error().contains("switch-to-configuration switch"), attempt.error());
    }

    @Test
    void aRealisedOutputOtherThanTheSignedPathIsNotActivated() throws Exception {
        fleet.publish("prod", Map.of("system-name", "v1\n"), Map.of("web-1", SIGNED));
        SignedFleet.sign(fleet, "prod", ciKey);
        String initial = fleet.system.running();
        followOnce(); // the stand-in nix-store prints a path in its own fake store, as a misbehaving one would
        assertEquals(List.of("nix-store --realise " + SIGNED + " --add-root " + fleet.stateDir.root().resolve("result")),
                fleet.system.commands());
        assertEquals(initial, fleet.system.running());
        assertTrue(fleet.bucketState().lastAttempt().error().contains("not the signed toplevel itself"),
                fleet.bucketState().toString());
    }

    @Test
    void aVersionOneSignatureIsRefusedWithTheFix() throws Exception {
        fleet.publishSystem("prod", "v1");
        Map<String, String> metadata = SignedFleet.metadata(fleet, "prod");
        java.security.Signature ed25519 = java.security.Signature.getInstance("Ed25519");
        ed25519.initSign(KeyFiles.readSigningKey(ciKey).key());
        ed25519.update(("npc-remote\nformat=1\nsha256=" + metadata.get(RemoteMetadata.SHA256) + "\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        SignedFleet.setMetadata(fleet, "prod", Map.of(RemoteMetadata.SIGNATURE,
                java.util.Base64.getEncoder().encodeToString(ed25519.sign()),
                RemoteMetadata.KEY_ID, KeyFiles.readSigningKey(ciKey).keyId()));
        followOnce();
        assertRefusal("version-1 signature");
        assertRefusal("re-publish it with this npc");
        assertEquals(List.of(), fleet.system.commands());
    }

    @Test
    void aRemoteOutsideTheAllowedOnesIsRefusedWithoutBeingRead() throws Exception {
        fleet.publishSystem("prod", "v1");
        SignedFleet.sign(fleet, "prod", ciKey);
        fleet.publishSystem("staging", "untested");
        SignedFleet.sign(fleet, "staging", ciKey);
        fleet.with("--allowed-remote", "prod", "--allowed-remote", "prod-canary");
        fleet.desired("{\"remote\": \"staging\"}");
        fleet.store.clearReads();
        followOnce();
        assertRefusal("remote 'staging' is not one this host may follow (allowed: prod, prod-canary)");
        assertTrue(fleet.store.reads().stream().noneMatch(r -> r.startsWith(Layout.remote("staging"))),
                fleet.store.reads().toString());
        assertEquals(List.of(), fleet.system.commands());
        fleet.desired("{\"remote\": \"prod\"}");
        followOnce();
        assertTrue(fleet.system.running().endsWith("/v1"), fleet.err());
    }

    @Test
    void anUnreadableMemoryOfSequencesStopsTheDaemonRatherThanBeForgotten() throws Exception {
        fleet.publishSystem("prod", "v1");
        SignedFleet.sign(fleet, "prod", ciKey);
        java.nio.file.Files.createDirectories(fleet.stateDir.root());
        java.nio.file.Files.writeString(fleet.stateDir.sequences(), "{\"prod\": -1");
        org.junit.jupiter.api.Assertions.assertNotEquals(0, fleet.run("follow", "--once"));
        assertTrue(fleet.err().contains("sequences.json cannot be read") && fleet.err().contains("delete it to start afresh"),
                fleet.err());
        assertEquals(1, fleet.err().strip().lines().count(), fleet.err());
        assertEquals(List.of(), fleet.system.commands());
    }

    private void followOnce() throws Exception {
        try (Daemon daemon = fleet.daemon()) {
            daemon.follow(FollowLoop.Mode.ONCE);
        }
    }

    private void assertRefusal(String reason) {
        HostState state = fleet.bucketState();
        String desiredError = state.desired() == null ? null : state.desired().error();
        String attemptError = state.lastAttempt() == null || Result.SUCCESS.equals(state.lastAttempt().result()) ? null
                : state.lastAttempt().error();
        String error = desiredError != null && desiredError.contains(reason) ? desiredError : attemptError;
        assertNotNull(error, "the refusal is reported: " + state);
        assertTrue(error.contains(reason), state.toString());
        assertTrue(error.contains("remote '"), error);
    }
}
