package dev.npc.tests.infra;

import dev.npc.digest.Sha256;
import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.store.Layout;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.TestArchives;
import dev.npc.trust.V2Signatures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bootstrap/npc-bootstrap.sh in a sandbox with amazon-init's PATH (BootstrapSandbox): the real
 * bash, curl (SigV4 against S3Proxy, which checks every signature), sha256sum, zstd, tar and
 * openssl (Ed25519 over format 2 of the signed message, signed by npc's own Ed25519), with
 * stand-ins only for nix, systemctl, systemd-run, the swap commands and a npc-daemon that logs how
 * it was called. What the real npc-daemon does with `install` is BootstrapEndToEndTest's part.
 */
class BootstrapScriptTest {
    static final String SCRIPT = "terraform/modules/host/bootstrap/npc-bootstrap.sh";
    /** Logs its arguments and environment; exits with the code in install-exit, if any. */
    private static final String LOGGING_DAEMON = """
            #!/bin/sh
            printf '%s\\n' "$*" >> @LOGS@/daemon.log
            { echo --; env | sort; } >> @LOGS@/daemon.env
            exit "$(cat @ROOT@/install-exit 2>/dev/null || echo 0)"
            """;

    @TempDir
    Path work;
    private BootstrapFleet fleet;
    private BootstrapSandbox host;
    private BootstrapFleet.Key ci;

    @BeforeEach
    void setUp() throws Exception {
        fleet = new BootstrapFleet(work.resolve("fleet"));
        host = new BootstrapSandbox(work.resolve("host"), fleet.imds().endpoint(), LOGGING_DAEMON);
        fleet.configure(host);
        ci = fleet.key("ci");
        fleet.desired("web-1", "{\"remote\":\"prod\"}\n");
    }

    @AfterEach
    void tearDown() {
        host.close();
        fleet.close();
    }

    private void withKeys(BootstrapFleet.Key... keys) {
        host.env().put("NPC_REMOTE_KEYS", BootstrapFleet.keys(List.of(keys)));
        host.env().put("NPC_NIXPKGS", BootstrapFleet.NIXPKGS);
    }

    private String boot() {
        return host.path("var/lib/npc-bootstrap").toString();
    }

    @Test
    void aSignedRemoteIsCheckedBuiltAndHandedToATransientUnitWithAmazonInitsPathOnly() throws Exception {
        String sha256 = fleet.publishSigned("prod", ci, "prod", 1_760_000_000_000L);
        withKeys(fleet.key("other"), ci);

        ProcessResult result = host.run();

        assertTrue(result.ok(), result.toString());
        assertEquals(List.of(), host.log("not-found"), "every command came from amazon-init's PATH");
        assertEquals(List.of("PUT /latest/api/token",
                "GET /latest/meta-data/instance-id (token)",
                "GET /latest/meta-data/placement/region (token)",
                "GET /latest/meta-data/iam/security-credentials/ (token)",
                "GET /latest/meta-data/iam/security-credentials/" + ImdsStandIn.ROLE + " (token)"), fleet.imds().requests());
        assertEquals(List.of(
                "--extra-experimental-features nix-command flakes build --no-link --print-out-paths "
                        + BootstrapFleet.NIXPKGS + "#openssl.bin",
                "--extra-experimental-features nix-command flakes build --no-update-lock-file --out-link " + boot()
                        + "/npc path:" + boot() + "/flake#nixosConfigurations.\"web-1\".config.services.npc.package"),
                host.log("nix"));
        String install = "--store " + fleet.s3().storeUrl("fleet") + " --host web-1 --state-dir " + host.path("var/lib/npc")
                + " --region " + EmbeddedS3.REGION + " --endpoint-url " + fleet.s3().endpointUrl()
                + " --trusted-key " + host.env().get("NPC_REMOTE_KEYS").replace(" ", " --trusted-key ");
        assertEquals(List.of("--unit=npc-first-activation.service --description=npc first activation (npc-bootstrap)"
                + " --service-type=exec --no-block --collect"
                + " --property=StandardOutput=journal+console --property=StandardError=journal+console"
                + " --setenv=PATH=" + host.pathVariable() + " --setenv=HOME=" + host.path("root")
                + " --setenv=NPC_NIX_BIN=" + host.path("sw/bin/nix") + " --setenv=NPC_SYSTEMCTL_BIN=" + host.path("sw/bin/systemctl")
                + " --setenv=NPC_HOST=web-1 --setenv=NPC_INSTANCE_ID=" + ImdsStandIn.INSTANCE_ID
                + " --setenv=NPC_BOOTSTRAP_DIR=" + boot() + " --setenv=NPC_MARKER=" + boot() + "/done"
                + " --setenv=NPC_SWAP_MIB=1 --setenv=NPC_SWAP_BELOW_MIB=2048 --setenv=NPC_SWAP_FILE=" + boot() + "/swapfile"
                + " --setenv=NPC_MEMINFO=" + host.path("meminfo") + " --setenv=NPC_MKSWAP=" + host.path("sw/bin/mkswap")
                + " --setenv=NPC_SWAPON=" + host.path("sw/bin/swapon") + " --setenv=NPC_SWAPOFF=" + host.path("sw/bin/swapoff")
                + " -- " + Tools.require("bash") + " " + boot() + "/npc-bootstrap.sh activate " + install),
                host.log("systemd-run"));
        assertEquals(List.of("install " + install), host.log("daemon"), "the unit ran npc-daemon install");
        for (String standIn : List.of("nix", "systemctl", "systemd-run")) {
            for (Map<String, String> call : host.environments(standIn)) {
                assertEquals(host.pathVariable(), call.get("PATH"), standIn + " ran with amazon-init's PATH");
            }
        }
        assertEquals(host.pathVariable(), host.environments("daemon").get(0).get("PATH"), "the unit has the same PATH");
        assertFalse(host.environments("daemon").get(0).containsKey("NPC_REMOTE_KEYS"),
                "the unit's environment is the manager's plus --setenv, not amazon-init's");
        assertEquals(List.of("0"), host.log("unit-exit"));
        String marker = Files.readString(host.path("var/lib/npc-bootstrap/done"));
        assertTrue(marker.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ " + ImdsStandIn.INSTANCE_ID + " web-1\\n"), marker);
        assertEquals(Files.readString(Checkout.file(SCRIPT)), Files.readString(host.path("var/lib/npc-bootstrap/npc-bootstrap.sh")),
                "the unit runs the same script");
        assertEquals(List.of(), host.log("swap"), "8 GiB of memory needs no swap");
        assertEquals(List.of(), host.log("nixos-rebuild"));
        String console = String.join("\n", host.log("console"));
        assertTrue(console.contains("remote 'prod' version " + sha256.substring(0, 8) + " (sequence 1760000000000) is signed by trusted key "
                + ci.signing().keyId()), console);
        assertTrue(console.contains("handed the first activation to npc-first-activation.service"), console);
        assertTrue(console.contains("done: npc runs from the host's own configuration from now on"), console);
        assertFalse(Files.exists(host.path("var/lib/npc-bootstrap/work")), "credentials and downloads are removed");
    }

    private ProcessResult refused(String expected) throws IOException {
        ProcessResult result = host.run();
        assertEquals(1, result.exitCode(), result.toString());
        List<String> errors = result.stderr().text().lines().filter(l -> l.startsWith("npc-bootstrap: error:")).toList();
        assertEquals(1, errors.size(), result.toString());
        assertTrue(errors.get(0).contains(expected), errors.get(0));
        assertEquals(List.of(), host.log("systemd-run"), "nothing was handed over");
        assertEquals(List.of(), host.log("daemon"));
        assertTrue(host.log("nix").stream().noneMatch(l -> l.contains("services.npc.package")), "npc was not built");
        assertFalse(Files.exists(host.path("var/lib/npc-bootstrap/done")));
        assertEquals(List.of(), host.log("not-found"));
        return result;
    }

    private HostState reportedState() throws Exception {
        byte[] state = fleet.read(Layout.state("web-1")).orElseThrow(() -> new AssertionError("no state.json"));
        return Json.read(state, HostState.class, "state.json");
    }

    @Test
    void withKeysAnUnsignedRemoteIsRefusedAndStateJsonSaysWhy() throws Exception {
        String sha256 = fleet.publish("prod", fleet.archive(), Map.of());
        withKeys(ci);

        refused("remote 'prod' (version " + sha256.substring(0, 8) + ") is not signed, and this host trusts only remotes signed by key "
                + ci.signing().keyId() + "; publish it with npc push --sign-key");

        HostState state = reportedState();
        assertEquals("web-1", state.host());
        assertEquals(Result.FAILED, state.lastAttempt().result());
        assertEquals(sha256, state.lastAttempt().sha256());
        assertTrue(state.lastAttempt().error().startsWith("first boot refused: remote 'prod' (version "), state.lastAttempt().error());
        assertEquals("prod", state.desired().remote());
        assertEquals(List.of(), host.log("nix"), "not even openssl was needed");
    }

    @Test
    void tamperedBytesAreRefusedBeforeAnythingIsUnpacked() throws Exception {
        fleet.publishSigned("prod", ci, "prod", 5);
        byte[] tampered = fleet.archive();
        tampered[tampered.length / 2] ^= 1;
        Map<String, String> metadata = new HashMap<>(fleet.store().head(Layout.remote("prod")).orElseThrow().metadata());
        fleet.store().put(Layout.remote("prod"), tampered, metadata);
        withKeys(ci);

        refused("is corrupt or was tampered with");

        assertTrue(reportedState().lastAttempt().error().contains("tampered"));
        assertFalse(Files.exists(host.path("var/lib/npc-bootstrap/flake")), "nothing was unpacked");
    }

    @Test
    void aSignatureByAnUntrustedKeyOrForAnotherRemoteNameIsRefused() throws Exception {
        BootstrapFleet.Key stranger = fleet.key("stranger");
        fleet.publishSigned("prod", stranger, "prod", 5);
        withKeys(ci);
        refused("is signed by key " + stranger.signing().keyId() + ", which this host does not trust (trusted: " + ci.signing().keyId() + ")");

        // The stranger's signature, but a key id that names the trusted key: openssl refuses it.
        Map<String, String> metadata = new HashMap<>(fleet.store().head(Layout.remote("prod")).orElseThrow().metadata());
        metadata.put("npc-key-id", ci.signing().keyId());
        fleet.store().put(Layout.remote("prod"), fleet.archive(), metadata);
        refused("has a signature that does not match it for key " + ci.signing().keyId());

        // staging's signed remote copied over prod without re-signing: the name is signed too.
        fleet.publishSigned("prod", ci, "staging", 5);
        refused("has a signature that does not match it for key " + ci.signing().keyId()
                + ": it was changed after signing, or signed for another remote name");
    }

    @Test
    void aFormat1SignatureIsRefusedWithKeys() throws Exception {
        Map<String, String> v2 = new HashMap<>(V2Signatures.metadata(ci.signing(), "prod", 1,
                Sha256.hex(fleet.archive()), 9));
        v2.remove("npc-sequence");
        fleet.publish("prod", fleet.archive(), v2);
        withKeys(ci);

        refused("has a signature of format 1 (no npc-sequence), which this host refuses; re-publish it with this npc");
    }

    @Test
    void withoutKeysAnUnsignedRemoteIsAcceptedWithAWarningAndNoOpensslIsBuilt() throws Exception {
        fleet.publish("prod", fleet.archive(), Map.of());
        host.env().put("NPC_SUBSTITUTERS", "https://cache.example.org");
        host.env().put("NPC_SUBSTITUTER_KEYS", "cache.example.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=");

        ProcessResult result = host.run();

        assertTrue(result.ok(), result.toString());
        assertTrue(result.printed("warning: NPC_REMOTE_KEYS is empty: remote 'prod' is checked against its sha256 only"),
                result.toString());
        assertEquals(List.of("--extra-experimental-features nix-command flakes build"
                + " --option extra-substituters https://cache.example.org"
                + " --option extra-trusted-public-keys cache.example.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="
                + " --no-update-lock-file --out-link " + boot() + "/npc path:" + boot()
                + "/flake#nixosConfigurations.\"web-1\".config.services.npc.package"), host.log("nix"));
        String installLine = host.log("daemon").get(0);
        assertFalse(installLine.contains("--trusted-key"), installLine);
        assertTrue(installLine.endsWith(" --extra-substituter https://cache.example.org"), installLine);
    }

    @Test
    void desiredJsonNamesTheConfigurationAndAllowedRemotesArePassedAndEnforced() throws Exception {
        fleet.publishSigned("staging", ci, "staging", 7);
        fleet.desired("web-1", "{\n  \"remote\" : \"staging\",\n  \"configuration\" : \"web.blue\",\n  \"paused\" : false\n}\n");
        withKeys(ci);
        host.env().put("NPC_ALLOWED_REMOTES", "prod canary");

        refused("remote 'staging' is not one this host may follow (NPC_ALLOWED_REMOTES: prod canary)");
        assertTrue(reportedState().lastAttempt().error().contains("is not one this host may follow"));

        host.env().put("NPC_ALLOWED_REMOTES", "prod staging");
        ProcessResult result = host.run();

        assertTrue(result.ok(), result.toString());
        assertTrue(host.log("nix").get(1).endsWith("/flake#nixosConfigurations.\"web.blue\".config.services.npc.package"),
                host.log("nix").toString());
        assertTrue(host.log("daemon").get(0).endsWith(" --trusted-key " + ci.publicLine()
                + " --allowed-remote prod --allowed-remote staging"), host.log("daemon").get(0));
    }

    @Test
    void everyLaterBootChangesNothingAndARunningActivationOrDaemonIsLeftAlone() throws Exception {
        fleet.publishSigned("prod", ci, "prod", 5);
        withKeys(ci);
        assertTrue(host.run().ok());
        byte[] marker = Files.readAllBytes(host.path("var/lib/npc-bootstrap/done"));
        int imdsCalls = fleet.imds().requests().size();

        ProcessResult second = host.run();

        assertTrue(second.ok(), second.toString());
        assertTrue(second.printed("bootstrapped before"), second.toString());
        assertEquals(imdsCalls, fleet.imds().requests().size(), "no metadata reads");
        assertEquals(2, host.log("nix").size(), "no second build");
        assertEquals(1, host.log("systemd-run").size(), "no second hand-over");
        assertEquals(1, host.log("daemon").size(), "no second install");
        assertArrayEquals(marker, Files.readAllBytes(host.path("var/lib/npc-bootstrap/done")));

        Files.delete(host.path("var/lib/npc-bootstrap/done"));
        host.active(BootstrapSandbox.UNIT, true);
        ProcessResult whileActivating = host.run();
        assertTrue(whileActivating.ok());
        assertTrue(whileActivating.printed("the first activation is still running (npc-first-activation.service)"),
                whileActivating.toString());

        host.active(BootstrapSandbox.UNIT, false);
        host.active("npc.service", true);
        ProcessResult runningNpc = host.run();
        assertTrue(runningNpc.ok());
        assertTrue(runningNpc.printed("npc.service is active"), runningNpc.toString());
        assertEquals(imdsCalls, fleet.imds().requests().size());
        assertEquals(1, host.log("systemd-run").size());
    }

    @Test
    void aSmallInstanceGetsSwapForTheBuildAndTheActivationAndAFailedInstallIsTriedAgainAtTheNextBoot() throws Exception {
        fleet.publishSigned("prod", ci, "prod", 5);
        withKeys(ci);
        host.memory(512 * 1024);
        Files.writeString(host.path("install-exit"), "1");

        ProcessResult first = host.run();

        assertTrue(first.ok(), "phase 1 handed over: " + first);
        assertEquals(List.of("1"), host.log("unit-exit"));
        Path swapFile = host.path("var/lib/npc-bootstrap/swapfile");
        assertEquals(List.of("mkswap " + swapFile, "swapon " + swapFile, "swapoff " + swapFile,
                "mkswap " + swapFile, "swapon " + swapFile, "swapoff " + swapFile), host.log("swap"),
                "swap while building npc, and again while activating");
        assertFalse(Files.exists(swapFile), "the temporary swap file is removed");
        assertTrue(String.join("\n", host.log("console")).contains("npc-bootstrap: error: npc-daemon install exited 1;"),
                host.log("console").toString());
        assertFalse(Files.exists(host.path("var/lib/npc-bootstrap/done")), "a failed activation is not marked done");

        Files.writeString(host.path("install-exit"), "0");
        ProcessResult retried = host.run();

        assertTrue(retried.ok(), retried.toString());
        assertEquals(List.of("1", "0"), host.log("unit-exit"));
        assertTrue(Files.exists(host.path("var/lib/npc-bootstrap/done")));
    }

    @Test
    void aFailedBuildOfNpcHandsNothingOver() throws Exception {
        fleet.publishSigned("prod", ci, "prod", 5);
        withKeys(ci);
        host.npcBuildFails(true);

        ProcessResult result = host.run();

        assertEquals(1, result.exitCode());
        assertTrue(result.printed("could not build npc from remote 'prod' (nixosConfigurations.\"web-1\".config.services.npc.package)"),
                result.toString());
        assertEquals(List.of(), host.log("systemd-run"));
    }

    @Test
    void settingsAreCheckedBeforeAnythingIsReadAndEachBadOneGetsOneLine() throws Exception {
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("NPC_STORE=", "NPC_STORE is not set; set it to the store, e.g. s3://my-bucket/fleet");
        bad.put("NPC_STORE=file:///srv/npc", "NPC_STORE 'file:///srv/npc' is not an s3:// URL");
        bad.put("NPC_STORE=s3://bucket/a/../b", "has an invalid prefix");
        bad.put("NPC_HOST=", "NPC_HOST is not set; set it to this host's name in the store (Terraform's host name)");
        bad.put("NPC_HOST=../web-1", "NPC_HOST '../web-1' is not valid");
        bad.put("NPC_REMOTE_KEYS=npc-ed25519-public:short=", "NPC_REMOTE_KEYS has 'npc-ed25519-public:short='");
        bad.put("NPC_NIXPKGS=github:NixOS/nixpkgs/nixos-25.05", "NPC_NIXPKGS 'github:NixOS/nixpkgs/nixos-25.05' is not locked");
        bad.put("NPC_NIXPKGS=github:NixOS/nixpkgs/b2a3852bd078e68dd2b3dfa8c00c67af1f0a7d20", "is not locked");
        bad.put("NPC_ALLOWED_REMOTES=prod ../x", "NPC_ALLOWED_REMOTES has '../x'");
        bad.put("NPC_SWAP_MIB=lots", "'lots' is not a whole number");
        for (Map.Entry<String, String> entry : bad.entrySet()) {
            Map<String, String> saved = new HashMap<>(host.env());
            withKeys(ci);
            String[] setting = entry.getKey().split("=", 2);
            host.env().put(setting[0], setting[1]);

            ProcessResult result = host.run();

            assertEquals(1, result.exitCode(), entry.getKey() + ": " + result);
            assertEquals("", result.stdout().text(), entry.getKey() + ": " + result);
            assertEquals(1, result.stderr().text().lines().count(), entry.getKey() + ": " + result);
            assertTrue(result.stderr().text().startsWith("npc-bootstrap: error: ") && result.printed(entry.getValue()),
                    entry.getKey() + ": " + result);
            host.env().clear();
            host.env().putAll(saved);
        }
        withKeys(ci);
        host.env().remove("NPC_NIXPKGS");
        assertTrue(host.run().printed("NPC_REMOTE_KEYS is set but NPC_NIXPKGS is not"));
        assertEquals(List.of(), fleet.imds().requests(), "nothing was read");
    }

    @Test
    void withoutTheMetadataServiceOrTheRoleItFailsWithAMessageThatSaysWhy() throws Exception {
        host.env().put("NPC_IMDS_ENDPOINT", "http://127.0.0.1:9");
        ProcessResult noImds = host.run();
        assertEquals(1, noImds.exitCode());
        assertTrue(noImds.printed("no token from the instance metadata service at http://127.0.0.1:9"), noImds.toString());

        fleet.configure(host);
        fleet.imds().credentials(ImdsStandIn.credentialsDocument(EmbeddedS3.ACCESS_KEY, "not-the-secret-key")
                .replace("\"Code\" : \"Success\"", "\"Code\" : \"Success\", \"AccessKeyId\" : \"AKIAOTHER\""));
        ProcessResult twoKeys = host.run();
        assertEquals(1, twoKeys.exitCode());
        assertTrue(twoKeys.printed("credentials names \"AccessKeyId\" 2 times"), twoKeys.toString());

        fleet.imds().credentials(ImdsStandIn.credentialsDocument(EmbeddedS3.ACCESS_KEY, "not-the-secret-key"));
        ProcessResult wrongSecret = host.run();
        assertEquals(1, wrongSecret.exitCode());
        assertTrue(wrongSecret.printed("the store " + fleet.s3().storeUrl("fleet")
                + " refused hosts/web-1/desired.json (403)"), "S3Proxy checks the SigV4 signature: " + wrongSecret);
        assertEquals(List.of(), host.log("nix"));
    }

    @Test
    void whatTheBucketHoldsIsHostile() throws Exception {
        fleet.publishSigned("prod", ci, "prod", 5);
        withKeys(ci);
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"remote\":\"prod\u001b[2J\"}", "holds control characters or non-ASCII bytes");
        cases.put("{\"remote\":\"../prod\"}", "names remote '../prod', which is not a valid remote name");
        cases.put("{\"remote\":\"prod\",\"x\":{\"remote\":\"evil\"}}", "names \"remote\" 2 times");
        cases.put("{\"remote\":\"pr\\u006fd\"}", "has a \"remote\" that is not a plain string");
        cases.put("{\"remote\":\"prod\",\"configuration\":\"web 1\"}", "names configuration 'web 1', which is not a nixosConfigurations attribute name");
        cases.put("[\"remote\",\"prod\"]", "is not a JSON object");
        cases.put("{}", "names no remote");
        for (Map.Entry<String, String> entry : cases.entrySet()) {
            fleet.desired("web-1", entry.getKey());
            ProcessResult result = host.run();
            assertEquals(1, result.exitCode(), entry.getKey() + ": " + result);
            assertTrue(result.printed(entry.getValue()), entry.getKey() + ": " + result);
            assertFalse(result.printed("\u001b"), "no control character reaches the console");
        }

        fleet.desired("web-1", "{\"remote\":\"prod\"}");
        host.env().put("NPC_MAX_REMOTE_MIB", "1");
        fleet.publish("prod", new byte[2 * 1024 * 1024], Map.of());
        refused("remotes/prod.npc in " + fleet.s3().storeUrl("fleet") + " is larger than 1048576 bytes; refusing it");

        host.env().remove("NPC_MAX_REMOTE_MIB");
        Map<String, String> badSignature = new HashMap<>(V2Signatures.metadata(ci.signing(), "prod", 1,
                Sha256.hex(fleet.archive()), 9));
        badSignature.put("npc-signature", "<a href=http://evil>not base64</a>");
        fleet.publish("prod", fleet.archive(), badSignature);
        ProcessResult result = refused("carries a malformed x-amz-meta-npc-signature ('?a?href=http?//evil?not?base64?/a?')");
        assertFalse(result.printed("<a"), result.toString());
    }

    @Test
    void anArchiveWithADeviceFileOrAPathOutsideIsNotUnpacked() throws Exception {
        for (String bad : List.of("device", "parent")) {
            byte[] archive = hostileArchive(bad);
            fleet.publish("prod", archive, Map.of());
            ProcessResult result = host.run();
            assertEquals(1, result.exitCode(), result.toString());
            assertTrue(result.printed(bad.equals("device")
                    ? "holds entries that are not files, directories or symbolic links"
                    : "holds absolute names or '..'"), result.toString());
            assertFalse(Files.exists(host.path("var/lib/npc-bootstrap/flake")), "nothing was unpacked");
        }
    }

    /** A tar.zst with flake.nix and a character device, or a file named ../escaped. */
    private static byte[] hostileArchive(String kind) {
        TestArchives archive = TestArchives.builder().file("flake.nix", "{ }");
        archive = kind.equals("device") ? archive.special("dev/tty", (byte) '3') : archive.file("../escaped", "x");
        return archive.build();
    }

    @Test
    void theSandboxHasExactlyAmazonInitsPathSoAwkFailsThere() throws IOException {
        Path probe = work.resolve("probe.sh");
        Files.writeString(probe, """
                #!/run/current-system/sw/bin/bash
                set -euo pipefail
                for tool in awk jq openssl aws curl zstd bash; do
                  if command -v "$tool" > /dev/null; then echo "on PATH: $tool"; fi
                done
                echo "PATH=$PATH"
                mem=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
                echo "not reached: $mem"
                """);

        ProcessResult result = host.run(probe);

        assertEquals(127, result.exitCode(), result.toString());
        assertFalse(result.printed("on PATH:"), result.toString());
        assertTrue(result.printed("PATH=" + host.pathVariable() + "\n"), result.toString());
        assertEquals(List.of("awk"), host.log("not-found"));
        for (String tool : List.of("sed", "grep", "tar", "gzip", "xz", "git", "find", "xargs", "sha256sum", "base64", "tac",
                "nix", "systemctl", "systemd-run", "nixos-rebuild")) {
            assertTrue(Files.isExecutable(host.path("bin/" + tool)), tool + " is on amazon-init's PATH");
        }
    }

    @Test
    void shellcheckPassesAndTheUserDataFitsEc2sLimit() throws IOException {
        Path shellcheck = Tools.require("shellcheck");
        String script = Files.readString(Checkout.file(SCRIPT));
        assertFalse(script.contains("${"), "templatefile() would read ${ as an interpolation");
        assertFalse(script.contains("%{"), "templatefile() would read %{ as a directive");
        String plain = userDataPlain(realisticSettings());
        String userData = userData(plain);
        assertTrue(bytes(plain) > EC2_USER_DATA_LIMIT, "the bootstrap no longer fits as text: " + bytes(plain));
        assertTrue(userData.startsWith("#!/run/current-system/sw/bin/bash\n"),
                "amazon-init runs user-data as a script only when it starts with #!");
        assertTrue(bytes(userData) < EC2_USER_DATA_LIMIT - 1024,
                "compressed, with room for more keys: " + bytes(userData) + " of " + EC2_USER_DATA_LIMIT + " bytes");
        Path plainFile = Files.writeString(work.resolve("user-data-plain.sh"), plain);
        Path userDataFile = Files.writeString(work.resolve("user-data.sh"), userData);
        for (Path file : List.of(Checkout.file(SCRIPT), plainFile, userDataFile, Checkout.file("terraform/modules/remote/pack.sh"))) {
            Tools.runOk(List.of(shellcheck.toString(), file.toString()), Map.of(), work);
        }
    }

    /** The largest settings a host is likely to get: three keys, two remotes, two caches. */
    private Map<String, String> realisticSettings() throws IOException {
        Map<String, String> values = new HashMap<>(Map.of("store", "s3://my-company-npc-fleet-eu-west-1/production/fleet",
                "host", "web-frontend-eu-west-1a-01", "region", "eu-west-1", "endpoint_url", "",
                "remote_keys", BootstrapFleet.keys(List.of(ci, fleet.key("ci-2"), fleet.key("ops"))),
                "nixpkgs", BootstrapFleet.NIXPKGS, "allowed_remotes", "production production-canary",
                "substituters", "https://cache.nixos.org https://my-company-nix-cache.s3.eu-west-1.amazonaws.com",
                "substituter_keys", "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY= my-company-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=",
                "swap_mib", "2048"));
        values.put("swap_below_mib", "2048");
        return values;
    }

    /** Terraform's settings for a sandbox host; swap_mib as given. */
    private Map<String, String> settings(String swapMib) {
        Map<String, String> values = new HashMap<>(Map.of("store", fleet.s3().storeUrl("fleet"), "host", "web-1",
                "region", "", "endpoint_url", fleet.s3().endpointUrl(), "remote_keys", ci.publicLine(),
                "nixpkgs", BootstrapFleet.NIXPKGS, "allowed_remotes", "", "substituters", "", "substituter_keys", "",
                "swap_mib", swapMib));
        values.put("swap_below_mib", "");
        return values;
    }

    @Test
    void theCompressedUserDataUnpacksAndRunsTheBootstrapWithTerraformsSettings() throws Exception {
        fleet.publishSigned("prod", ci, "prod", 5);
        String plain = userDataPlain(settings("0"));
        Path userData = Files.writeString(work.resolve("user-data.sh"), userData(plain));
        for (String fromTerraform : List.of("NPC_STORE", "NPC_HOST", "NPC_ENDPOINT_URL", "NPC_SWAP_MIB")) {
            host.env().remove(fromTerraform);
        }

        ProcessResult result = host.run(userData);

        assertTrue(result.ok(), result.toString());
        assertEquals(List.of(), host.log("not-found"), "base64 and gzip are on amazon-init's PATH");
        assertEquals(plain, Files.readString(host.path("run/npc-bootstrap/user-data.sh")), "unpacked unchanged");
        assertEquals(plain, Files.readString(host.path("var/lib/npc-bootstrap/npc-bootstrap.sh")), "and handed to the unit");
        assertEquals(1, host.log("daemon").size());
        assertTrue(host.log("daemon").get(0).contains(" --trusted-key " + ci.publicLine()), host.log("daemon").toString());
        assertTrue(host.log("systemd-run").get(0).contains(" --setenv=NPC_SWAP_MIB=0 "), host.log("systemd-run").toString());
        assertTrue(Files.exists(host.path("var/lib/npc-bootstrap/done")));
    }

    @Test
    void theSameScriptRunsWithCloudInitsPathWhereBusyboxComesFirst() throws Exception {
        Tools.require("busybox");
        BootstrapSandbox cloudInit = new BootstrapSandbox(work.resolve("cloud-init-host"), fleet.imds().endpoint(), LOGGING_DAEMON,
                BootstrapSandbox.Runner.CLOUD_INIT);
        try (cloudInit) {
            fleet.configure(cloudInit);
            fleet.publishSigned("prod", ci, "prod", 5);
            // The module's cloud-config writes the plain user-data as a per-boot script.
            Path perBoot = Files.writeString(work.resolve("npc-bootstrap.sh"), userDataPlain(settings("1")));
            cloudInit.memory(512 * 1024);

            ProcessResult result = cloudInit.run(perBoot);

            assertTrue(result.ok(), result.toString());
            assertEquals(List.of(), cloudInit.log("not-found"));
            assertTrue(Files.isSymbolicLink(cloudInit.path("bin/tar"))
                    && Files.readSymbolicLink(cloudInit.path("bin/tar")).endsWith("busybox"), "busybox's tar is the one on PATH");
            assertFalse(Files.exists(cloudInit.path("bin/nix")), "cloud-init's PATH has no nix");
            assertEquals(List.of("0"), cloudInit.log("unit-exit"), String.join("\n", cloudInit.log("console")));
            assertTrue(cloudInit.log("daemon").get(0).startsWith("install --store " + fleet.s3().storeUrl("fleet") + " --host web-1 "),
                    cloudInit.log("daemon").toString());
            assertEquals(cloudInit.path("sw/bin/nix").toString(), cloudInit.environments("daemon").get(0).get("NPC_NIX_BIN"),
                    "npc-daemon finds nix without it being on PATH");
            assertEquals(6, cloudInit.log("swap").size(), "busybox's dd made the swap files");
            assertTrue(Files.exists(cloudInit.path("var/lib/npc-bootstrap/done")));
        }
    }

    static final int EC2_USER_DATA_LIMIT = 16384;

    /** bootstrap/user-data.sh.tftpl as terraform/modules/host renders it: the settings, then the script. */
    static String userDataPlain(Map<String, String> values) throws IOException {
        Map<String, String> all = new HashMap<>(values);
        all.put("script", Files.readString(Checkout.file(SCRIPT)));
        return TemplateFile.render(Files.readString(Checkout.file("terraform/modules/host/bootstrap/user-data.sh.tftpl")), all);
    }

    /** What the module gives EC2: the plain user-data, or, over EC2's limit, the gzip wrapper around it. */
    static String userData(String plain) throws IOException {
        if (bytes(plain) <= EC2_USER_DATA_LIMIT) {
            return plain;
        }
        return TemplateFile.render(Files.readString(Checkout.file("terraform/modules/host/bootstrap/user-data-gzip.sh.tftpl")),
                Map.of("payload", base64gzip(plain)));
    }

    static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Terraform's base64gzip(): gzip, then standard base64 on one line. */
    static String base64gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    @Test
    void aMissingDesiredJsonOrRemoteIsNamed() throws Exception {
        fleet.store().delete(Layout.desired("web-1"));
        ProcessResult noDesired = host.run();
        assertEquals(1, noDesired.exitCode());
        assertTrue(noDesired.printed("there is no hosts/web-1/desired.json in " + fleet.s3().storeUrl("fleet")),
                noDesired.toString());

        fleet.desired("web-1", "{\"remote\":\"prod\"}");
        ProcessResult noRemote = host.run();
        assertEquals(1, noRemote.exitCode());
        assertTrue(noRemote.printed("there is no remotes/prod.npc in " + fleet.s3().storeUrl("fleet")), noRemote.toString());
    }
}
