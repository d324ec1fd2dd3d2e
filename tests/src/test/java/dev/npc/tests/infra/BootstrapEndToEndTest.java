package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.digest.Sha256;
import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.remote.RemoteException;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.testing.TestArchives;
import dev.npc.trust.KeyFiles;
import dev.npc.trust.RemoteVerifier;
import dev.npc.trust.V2Signatures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A first boot with the real npc-daemon: the bootstrap (amazon-init's PATH, curl with SigV4 and
 * openssl against S3Proxy) builds npc through a stand-in `nix build` that links this checkout's
 * npc-daemon, and hands over to the transient unit; the systemd-run stand-in starts the unit's
 * command as PID 1 would, so the real `npc-daemon install` runs with the unit's environment only,
 * takes the instance role's credentials from the metadata service (AWS SDK), fetches desired.json
 * and the remote, builds and switches with stand-ins, and writes state.json to the bucket.
 */
class BootstrapEndToEndTest {
    private static final String HOST = "web-1";

    @TempDir
    Path work;
    private BootstrapFleet fleet;
    private BootstrapSandbox host;

    @BeforeEach
    void setUp() throws Exception {
        Path daemonJar = Checkout.file("npc-daemon/target/npc-daemon.jar");
        Assumptions.assumeTrue(Files.isRegularFile(daemonJar), "npc-daemon is not built; run ./mvnw -q -DskipTests package");
        fleet = new BootstrapFleet(work.resolve("fleet"));
        // As the Nix package's wrapper does: java by absolute path, whatever PATH the unit has.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        host = new BootstrapSandbox(work.resolve("host"), fleet.imds().endpoint(),
                "#!/bin/sh\nexec " + java + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -jar " + daemonJar + " \"$@\"\n");
        fleet.configure(host);
        // The instance's metadata service, where the AWS SDK in npc-daemon finds the role's credentials.
        host.machine().put("AWS_EC2_METADATA_SERVICE_ENDPOINT", fleet.imds().endpoint());
        fleet.desired(HOST, "{\"remote\":\"prod\"}\n");
    }

    @AfterEach
    void tearDown() {
        if (host != null) {
            host.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    private HostState state() throws Exception {
        byte[] bytes = fleet.read(Layout.state(HOST)).orElseThrow(() -> new AssertionError("no state.json in the store"));
        return Json.read(bytes, HostState.class, "state.json");
    }

    private void assertActivatedOnce(String sha256) throws Exception {
        assertEquals(List.of("0"), host.log("unit-exit"), String.join("\n", host.log("console")));
        assertEquals(List.of("switch"), host.log("switch"), "switch-to-configuration switch ran once");
        List<String> builds = host.log("nix").stream().filter(l -> l.contains("config.system.build.toplevel")).toList();
        assertEquals(List.of("--extra-experimental-features nix-command flakes build --no-update-lock-file --out-link "
                + host.path("var/lib/npc/result") + " --print-out-paths path:" + host.path("var/lib/npc/flakes/" + sha256) + "#nixosConfigurations.\"web-1\".config.system.build.toplevel"), builds);
        assertTrue(host.log("systemctl").contains("is-system-running --wait"), host.log("systemctl").toString());
        for (Map<String, String> call : host.environments("systemctl")) {
            assertEquals(host.pathVariable(), call.get("PATH"), "npc-daemon ran with the unit's PATH, amazon-init's");
        }
        HostState state = state();
        assertEquals(HOST, state.host());
        assertEquals(Result.SUCCESS, state.lastAttempt().result(), String.join("\n", host.log("console")));
        assertEquals(sha256, state.current().sha256());
        JsonNode config = Json.read(Files.readAllBytes(host.path("var/lib/npc/config.json")), JsonNode.class, "config.json");
        assertEquals(HOST, config.get("host").asText(), "install recorded the host name Terraform gave");
        assertEquals(fleet.s3().storeUrl(BootstrapFleet.PREFIX), config.get("store").asText());
        assertTrue(Files.exists(host.path("var/lib/npc-bootstrap/done")));
        assertEquals(List.of(), host.log("not-found"));
        long credentialReads = fleet.imds().requests().stream()
                .filter(r -> r.equals("GET /latest/meta-data/iam/security-credentials/" + ImdsStandIn.ROLE + " (token)")).count();
        assertEquals(2, credentialReads, "the bootstrap and npc-daemon (AWS SDK) each took the role's credentials from IMDS: "
                + fleet.imds().requests());
    }

    private void assertSecondBootChangesNothing() throws Exception {
        byte[] stateAfterFirstBoot = fleet.read(Layout.state(HOST)).orElseThrow();
        List<String> nixCalls = host.log("nix");
        List<String> transientUnits = host.log("systemd-run");
        int metadataReads = fleet.imds().requests().size();

        ProcessResult second = host.run();

        assertTrue(second.ok(), second.toString());
        assertTrue(second.printed("bootstrapped before"), second.toString());
        assertArrayEquals(stateAfterFirstBoot, fleet.read(Layout.state(HOST)).orElseThrow());
        assertEquals(nixCalls, host.log("nix"));
        assertEquals(transientUnits, host.log("systemd-run"), "no new transient unit: neither a first activation nor a switch");
        assertEquals(1, transientUnits.stream().filter(l -> l.contains("--unit=npc-first-activation")).count(), transientUnits.toString());
        assertEquals(metadataReads, fleet.imds().requests().size());
    }

    @Test
    void withoutKeysTheRealInstallActivatesThroughTheTransientUnitAndASecondBootChangesNothing() throws Exception {
        String sha256 = fleet.publish("prod", fleet.archive(), Map.of());

        ProcessResult first = host.run();

        assertTrue(first.ok(), first.toString());
        assertActivatedOnce(sha256);
        assertTrue(String.join("\n", host.log("console")).contains("no trusted keys"), host.log("console").toString());
        assertSecondBootChangesNothing();
    }

    @Test
    void aSignedRemoteIsAcceptedByTheBootstrapAndByInstall() throws Exception {
        BootstrapFleet.Key ci = fleet.key("ci");
        String sha256 = fleet.publishSigned("prod", ci, "prod", 1_760_000_000_000L);
        assumeTheDaemonChecksFormat2(ci);
        host.env().put("NPC_REMOTE_KEYS", ci.publicLine());
        host.env().put("NPC_NIXPKGS", BootstrapFleet.NIXPKGS);

        ProcessResult first = host.run();

        assertTrue(first.ok(), first.toString());
        assertActivatedOnce(sha256);
        assertTrue(String.join("\n", host.log("console")).contains("accepting only remotes signed by trusted key " + ci.signing().keyId()),
                host.log("console").toString());
        assertSecondBootChangesNothing();
    }

    /**
     * The bootstrap checks format 2 in shell; install checks it again in Java. Until the daemon's
     * verifier speaks format 2 (docs/format.md), a remote signed that way cannot be installed.
     */
    private void assumeTheDaemonChecksFormat2(BootstrapFleet.Key key) throws Exception {
        ObjectInfo info = fleet.store().head(Layout.remote("prod")).orElseThrow();
        try {
            new RemoteVerifier(List.of(KeyFiles.readTrustedKey(key.publicLine()))).verify("prod", RemoteMetadata.of(info));
        } catch (RemoteException e) {
            Assumptions.abort("this build's npc-daemon does not yet accept format 2 of the signed message: " + e.getMessage());
        }
    }

    @Test
    void withKeysAnUnsignedOrTamperedRemoteIsRefusedAndStateJsonSaysWhy() throws Exception {
        BootstrapFleet.Key ci = fleet.key("ci");
        host.env().put("NPC_REMOTE_KEYS", ci.publicLine());
        host.env().put("NPC_NIXPKGS", BootstrapFleet.NIXPKGS);
        fleet.publish("prod", fleet.archive(), Map.of());

        ProcessResult unsigned = host.run();

        assertEquals(1, unsigned.exitCode(), unsigned.toString());
        assertTrue(unsigned.printed("is not signed, and this host trusts only remotes signed by key " + ci.signing().keyId()),
                unsigned.toString());
        assertEquals(Result.FAILED, state().lastAttempt().result());
        assertTrue(state().lastAttempt().error().contains("is not signed"), state().lastAttempt().error());

        fleet.publishSigned("prod", ci, "prod", 2);
        byte[] tampered = fleet.archive();
        tampered[100] ^= 0x20;
        Map<String, String> metadata = new HashMap<>(fleet.store().head(Layout.remote("prod")).orElseThrow().metadata());
        fleet.store().put(Layout.remote("prod"), tampered, metadata);

        ProcessResult changed = host.run();

        assertEquals(1, changed.exitCode(), changed.toString());
        assertTrue(state().lastAttempt().error().contains("is corrupt or was tampered with"), state().lastAttempt().error());
        assertEquals(List.of(), host.log("systemd-run"), "nothing was handed over");
        assertEquals(List.of(), host.log("switch"));
        assertFalse(Files.exists(host.path("var/lib/npc-bootstrap/done")));
    }

    @Test
    void installRefusesAnUnsignedOrUntrustedRemoteThatReplacedTheCheckedOneAndSaysWhy() throws Exception {
        BootstrapFleet.Key ci = fleet.key("ci");
        fleet.publishSigned("prod", ci, "prod", 3);
        host.env().put("NPC_REMOTE_KEYS", ci.publicLine());
        host.env().put("NPC_NIXPKGS", BootstrapFleet.NIXPKGS);
        host.deferUnit(true);

        ProcessResult handedOver = host.run();
        assertTrue(handedOver.ok(), handedOver.toString());

        // Between the bootstrap's check and the unit's start, a bucket writer replaces prod: unsigned,
        String unsignedSha256 = fleet.publish("prod", fleet.archive(), Map.of("npc-source-rev", "replaced"));
        Process unit = host.startUnit();
        try {
            String state = awaitState(unit, "is not signed");
            assertTrue(state.contains("(version " + unsignedSha256.substring(0, 8) + ")"), state);
            assertTrue(state.contains("\"daemonVersion\" : \"0.1.0\""), "npc-daemon wrote it, not the bootstrap: " + state);
            assertNothingActivated(unit);

            // then signed by a key this host does not trust (another version: the refused one is
            // not tried again until the remote changes).
            BootstrapFleet.Key stranger = fleet.key("stranger");
            byte[] other = TestArchives.builder().file("flake.nix", "{ outputs = _: { }; }").build();
            fleet.publish("prod", other, V2Signatures.metadata(stranger.signing(), "prod", 1,
                    Sha256.hex(other), 4));
            BootstrapSandbox.stopUnit(unit);
            unit = host.startUnit();
            awaitState(unit, "is signed by key " + stranger.signing().keyId() + ", which this host does not trust");
            assertNothingActivated(unit);
        } finally {
            BootstrapSandbox.stopUnit(unit);
        }
    }

    /**
     * A refused version is never activated, and install never succeeds on it: it exits 1, or,
     * where the daemon waits for the remote to change after a refusal, keeps waiting.
     */
    private void assertNothingActivated(Process unit) throws Exception {
        assertEquals(List.of(), host.log("switch"), "nothing was activated");
        assertFalse(Files.exists(host.path("var/lib/npc-bootstrap/done")), "the next boot tries again");
        if (!unit.isAlive()) {
            assertEquals(1, host.lastUnitExit(), "install exits 1 when it ends on a refused version");
            assertTrue(String.join("\n", host.log("console")).contains("npc-bootstrap: error: npc-daemon install exited 1;"),
                    host.log("console").toString());
        }
    }

    /** state.json once it mentions {@code text}; fails when the unit ends or two minutes pass first. */
    private String awaitState(Process unit, String text) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            String state = fleet.read(Layout.state(HOST)).map(String::new).orElse("");
            if (state.contains(text)) {
                return state;
            }
            if (!unit.isAlive() && !host.log("unit-exit").isEmpty()) {
                String last = fleet.read(Layout.state(HOST)).map(String::new).orElse("");
                if (!last.contains(text)) {
                    throw new AssertionError("the unit ended without reporting '" + text + "': " + last
                            + "\n" + String.join("\n", host.log("console")));
                }
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("state.json never said '" + text + "'\n" + String.join("\n", host.log("console")));
    }
}
