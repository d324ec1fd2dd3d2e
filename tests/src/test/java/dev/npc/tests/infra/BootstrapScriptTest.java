package dev.npc.tests.infra;

import dev.npc.process.ProcessRunner.ProcessResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bootstrap/npc-bootstrap.sh passes shellcheck (as written and as Terraform renders it) and runs
 * in a sandbox: a stand-in metadata service on loopback, stand-in nix/systemctl/swap commands and
 * a stand-in npc-daemon that logs how it was called. What the real daemon does with `install` is
 * covered by BootstrapEndToEndTest.
 */
class BootstrapScriptTest {
    /** Logs its arguments and AWS_REGION; exits with the code in the file install-exit, if any. */
    private static final String LOGGING_DAEMON = """
            #!/bin/sh
            logs=$(dirname "$(dirname "$NPC_NIX")")/logs
            printf '%s AWS_REGION=%s\\n' "$*" "$AWS_REGION" >> "$logs/daemon.log"
            code=$(cat "$logs/../install-exit" 2>/dev/null || echo 0)
            exit "$code"
            """;

    @TempDir
    Path work;
    private ImdsStandIn imds;
    private BootstrapSandbox host;

    @BeforeEach
    void setUp() throws IOException {
        Tools.require("bash");
        imds = new ImdsStandIn();
        host = new BootstrapSandbox(work, imds.endpoint(), LOGGING_DAEMON);
    }

    @AfterEach
    void tearDown() {
        imds.close();
    }

    @Test
    void shellcheckPassesOnTheScriptsAsWrittenAndAsTerraformRendersThem() throws IOException {
        Path shellcheck = Tools.require("shellcheck");
        Path rendered = work.resolve("user-data.sh");
        Files.writeString(rendered, renderUserData(settings("s3://fleet-bucket/fleet", "web-1", "https://cache.nixos.org",
                "cache.nixos.org-1:AAAA=", "2048")));

        for (Path script : List.of(Checkout.file("terraform/modules/host/bootstrap/npc-bootstrap.sh"), rendered,
                Checkout.file("terraform/modules/remote/pack.sh"))) {
            Tools.runOk(List.of(shellcheck.toString(), script.toString()), Map.of(), work);
        }
        assertTrue(Files.readString(rendered).startsWith("#!/run/current-system/sw/bin/bash\n"),
                "amazon-init runs user-data as a script only when it starts with #!");
        assertTrue(Files.size(rendered) < 16 * 1024, "EC2 refuses user-data over 16 KiB: " + Files.size(rendered));
    }

    @Test
    void renderedUserDataRunsTheScriptWithTerraformsSettings() throws IOException {
        Path rendered = work.resolve("user-data.sh");
        Files.writeString(rendered, renderUserData(settings("s3://fleet-bucket/fleet", "canary-1", "https://cache.example.org",
                "cache-1:AAAA=", "0")));
        Map<String, String> env = new HashMap<>(host.env());
        for (String fromTerraform : List.of("NPC_STORE", "NPC_HOST", "NPC_SUBSTITUTERS", "NPC_SWAP_MIB")) {
            env.remove(fromTerraform);
        }

        ProcessResult result = Tools.run(List.of("bash", rendered.toString()), env, work);

        assertTrue(result.ok(), result.output());
        assertEquals(List.of("install --store s3://fleet-bucket/fleet --host canary-1 --state-dir "
                + host.path("var/lib/npc") + " AWS_REGION=" + ImdsStandIn.REGION), host.log("daemon"));
        assertTrue(host.log("nix").get(0).contains("github:npc-dev/npc/v0.1.0"));
    }

    @Test
    void firstBootBuildsTheDaemonThroughNixAndInstallsOnceWithIMDSv2() throws IOException {
        ProcessResult result = host.run();

        assertTrue(result.ok(), result.output());
        assertEquals(List.of("PUT /latest/api/token",
                "GET /latest/meta-data/instance-id (token)",
                "GET /latest/meta-data/placement/region (token)"), imds.requests());
        List<String> nix = host.log("nix");
        assertEquals(1, nix.size());
        assertEquals("--extra-experimental-features nix-command flakes build"
                + " --option substituters https://cache.example.org"
                + " --option trusted-public-keys cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="
                + " --out-link " + host.path("var/lib/npc-bootstrap/npc") + " github:npc-dev/npc/v0.1.0", nix.get(0));
        assertEquals(List.of("install --store s3://fleet-bucket/fleet --host web-1 --state-dir "
                + host.path("var/lib/npc") + " AWS_REGION=" + ImdsStandIn.REGION), host.log("daemon"));
        String marker = Files.readString(host.path("var/lib/npc-bootstrap/done"));
        assertTrue(marker.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ " + ImdsStandIn.INSTANCE_ID + " web-1\\n"), marker);
        assertEquals(List.of(), host.log("swap"), "8 GiB of memory needs no swap");
    }

    @Test
    void aSecondBootChangesNothing() throws IOException {
        assertTrue(host.run().ok());
        byte[] marker = Files.readAllBytes(host.path("var/lib/npc-bootstrap/done"));
        int imdsCalls = imds.requests().size();

        ProcessResult second = host.run();

        assertTrue(second.ok(), second.output());
        assertTrue(second.output().contains("nothing to do"), second.output());
        assertEquals(imdsCalls, imds.requests().size(), "no metadata reads");
        assertEquals(1, host.log("nix").size(), "no second build");
        assertEquals(1, host.log("daemon").size(), "no second install");
        assertEquals(new String(marker), Files.readString(host.path("var/lib/npc-bootstrap/done")));
    }

    @Test
    void aHostWhoseConfigurationAlreadyRunsNpcIsLeftAlone() {
        host.npcServiceActive(true);

        ProcessResult result = host.run();

        assertTrue(result.ok(), result.output());
        assertEquals(List.of("is-active --quiet npc.service"), host.log("systemctl"));
        assertEquals(List.of(), imds.requests());
        assertEquals(List.of(), host.log("nix"));
        assertFalse(Files.exists(host.path("var/lib/npc-bootstrap/done")));
    }

    @Test
    void aSmallInstanceGetsSwapThatIsRemovedEvenWhenInstallFailsAndTheNextBootRetries() throws IOException {
        host.memory(512 * 1024);
        Files.writeString(work.resolve("install-exit"), "1");

        ProcessResult failed = host.run();

        assertNotEquals(0, failed.exitCode());
        assertTrue(failed.output().contains("npc-daemon install failed"), failed.output());
        Path swapFile = host.path("var/lib/npc-bootstrap/swapfile");
        assertEquals(List.of("mkswap " + swapFile, "swapon " + swapFile, "swapoff " + swapFile), host.log("swap"));
        assertFalse(Files.exists(swapFile), "the temporary swap file is removed");
        assertFalse(Files.exists(host.path("var/lib/npc-bootstrap/done")), "a failed bootstrap is not marked done");

        Files.writeString(work.resolve("install-exit"), "0");
        ProcessResult retried = host.run();

        assertTrue(retried.ok(), retried.output());
        assertEquals(2, host.log("daemon").size());
        assertTrue(Files.exists(host.path("var/lib/npc-bootstrap/done")));
    }

    @Test
    void withoutAHostNameTheInstanceIdIsUsed() {
        host.env().remove("NPC_HOST");

        assertTrue(host.run().ok());

        assertTrue(host.log("daemon").get(0).contains("--host " + ImdsStandIn.INSTANCE_ID + " "), host.log("daemon").toString());
    }

    @Test
    void missingSettingsAndAMissingMetadataServiceFailWithAMessageThatSaysWhy() {
        host.env().remove("NPC_STORE");
        ProcessResult noStore = host.run();
        assertNotEquals(0, noStore.exitCode());
        assertTrue(noStore.output().contains("NPC_STORE is not set"), noStore.output());

        host.env().put("NPC_STORE", "s3://fleet-bucket/fleet");
        host.env().put("NPC_IMDS_ENDPOINT", "http://127.0.0.1:9");
        ProcessResult noImds = host.run();
        assertNotEquals(0, noImds.exitCode());
        assertTrue(noImds.output().contains("no token from the instance metadata service"), noImds.output());
        assertEquals(List.of(), host.log("nix"));
        assertFalse(Files.exists(host.path("var/lib/npc-bootstrap/done")));
    }

    /** The template's values (HostModuleTest checks what Terraform itself renders). */
    private static Map<String, String> settings(String store, String host, String substituters, String substituterKeys,
                                                String swapMib) {
        Map<String, String> values = new HashMap<>();
        values.putAll(Map.of("store", store, "host", host, "region", "", "endpoint_url", "", "remote_keys", "", "nixpkgs", "",
                "allowed_remotes", "prod", "substituters", substituters, "substituter_keys", substituterKeys, "swap_mib", swapMib));
        values.put("swap_below_mib", "2048");
        return values;
    }

    /** What Terraform's templatefile() makes of bootstrap/user-data.sh.tftpl (its only syntax there: ${name}, ${script~}). */
    static String renderUserData(Map<String, String> values) throws IOException {
        String template = Files.readString(Checkout.file("terraform/modules/host/bootstrap/user-data.sh.tftpl"));
        String rendered = template.replace("${script~}\n", "\u0000SCRIPT\u0000").replace("${script}", "\u0000SCRIPT\u0000");
        for (Map.Entry<String, String> value : values.entrySet()) {
            rendered = rendered.replace("${" + value.getKey() + "}", value.getValue());
        }
        if (rendered.contains("${")) {
            throw new AssertionError("template has a placeholder the test does not fill: " + rendered);
        }
        return rendered.replace("\u0000SCRIPT\u0000", Files.readString(Checkout.file("terraform/modules/host/bootstrap/npc-bootstrap.sh")));
    }
}
