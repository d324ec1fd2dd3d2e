package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.json.Json;
import dev.npc.process.ProcessRunner.ProcessResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** services.npc.allowedRemotes reaches the daemon as --allowed-remote flags, and nothing when empty. */
class AllowedRemotesModuleTest {
    @TempDir
    Path work;
    private Nix nix;

    @BeforeEach
    void setUp() {
        nix = new Nix(work);
    }

    @Test
    void eachAllowedRemoteBecomesAFlagAfterTheTrustedKeys() throws IOException {
        List<String> argv = execStart("services.npc = { enable = true; store = \"s3://b/p\";"
                + " trustedKeys = [ \"npc-ed25519-public:AAAA\" ]; allowedRemotes = [ \"prod-canary\" \"prod\" ]; };");
        int key = argv.indexOf("--trusted-key");
        int first = argv.indexOf("--allowed-remote");
        assertTrue(key > 0 && first > key, argv.toString());
        assertEquals(List.of("--allowed-remote", "prod-canary", "--allowed-remote", "prod"), argv.subList(first, first + 4));
    }

    @Test
    void noneByDefault() throws IOException {
        List<String> argv = execStart("services.npc = { enable = true; store = \"s3://b/p\"; };");
        assertFalse(argv.contains("--allowed-remote"), argv.toString());
    }

    private List<String> execStart(String settings) throws IOException {
        ProcessResult result = Tools.run(List.of("nix-instantiate", "--eval", "--strict", "--json",
                        Checkout.file("tests/src/test/resources/nix/eval-module.nix").toString(),
                        "--argstr", "module", Checkout.file("nixos/module.nix").toString(),
                        "--argstr", "hostName", "web-1",
                        "--arg", "settings", "{ " + settings + " }"),
                nix.environment(), work);
        if (!result.ok()) {
            throw new AssertionError("evaluation failed:\n" + result);
        }
        String[] lines = result.stdout().text().strip().split("\n");
        JsonNode service = Json.mapper().readTree(lines[lines.length - 1]).get("service");
        return new ArrayList<>(SystemdExecLine.split(service.get("serviceConfig").get("ExecStart").asText()));
    }
}
