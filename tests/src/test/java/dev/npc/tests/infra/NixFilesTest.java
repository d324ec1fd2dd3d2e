package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.json.Json;
import dev.npc.process.ProcessRunner.ProcessResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every .nix file parses, and the two flakes (the repository's and the example fleet) pass
 * `nix flake metadata` and `nix flake check` offline, with nixpkgs replaced by the stand-in. A real
 * nixpkgs evaluation and build is out of reach here (no network); nixos/README.md says how to run it.
 */
class NixFilesTest {
    private static final String[] OFFLINE = {"--no-write-lock-file", "--offline"};

    @TempDir
    Path work;
    private Nix nix;

    @BeforeEach
    void setUp() {
        nix = new Nix(work);
    }

    @Test
    void everyNixFileParses() {
        List<Path> files = new ArrayList<>(Checkout.filesEndingWith("nixos", ".nix"));
        files.add(Checkout.file("flake.nix"));
        files.addAll(Checkout.filesEndingWith("tests/src/test/resources/nix", ".nix"));
        assertTrue(files.size() >= 8, "expected the module, both flakes and the example's modules: " + files);

        for (Path file : files) {
            nix.nixInstantiate("--parse", file.toString());
        }
    }

    @Test
    void aSyntaxErrorIsReported() throws IOException {
        Path broken = Files.writeString(work.resolve("broken.nix"), "{ services.npc = { enable = true; }\n");

        ProcessResult result = Tools.run(List.of("nix-instantiate", "--parse", broken.toString()), nix.environment(), work);

        assertNotEquals(0, result.exitCode());
        assertTrue(result.output().contains("syntax error"), result.output());
    }

    @Test
    void lockFilesPinNixpkgsToARevisionWithItsHash() throws IOException {
        for (String lockFile : List.of("flake.lock", "nixos/example/flake.lock")) {
            JsonNode lock = Json.mapper().readTree(Files.readString(Checkout.file(lockFile)));
            assertEquals(7, lock.get("version").asInt(), lockFile);
            JsonNode root = lock.get("nodes").get(lock.get("root").asText());
            String nixpkgsNode = root.get("inputs").get("nixpkgs").asText();
            JsonNode locked = lock.get("nodes").get(nixpkgsNode).get("locked");
            assertEquals("github", locked.get("type").asText(), lockFile);
            assertEquals("NixOS/nixpkgs", locked.get("owner").asText() + "/" + locked.get("repo").asText(), lockFile);
            assertTrue(locked.get("rev").asText().matches("[0-9a-f]{40}"), lockFile);
            String narHash = locked.get("narHash").asText();
            assertTrue(narHash.startsWith("sha256-"), lockFile);
            assertEquals(32, Base64.getDecoder().decode(narHash.substring("sha256-".length())).length, lockFile);
        }
    }

    @Test
    void exampleFleetHasItsInputsAndNoPathOutsideItself() throws IOException {
        // npc pack ships only the example's directory: a path input would be missing on the host.
        JsonNode nodes = Json.mapper().readTree(Files.readString(Checkout.file("nixos/example/flake.lock"))).get("nodes");
        nodes.properties().forEach(node -> assertTrue(!node.getValue().has("locked")
                || !"path".equals(node.getValue().get("locked").get("type").asText()), node.getKey() + " is a path input"));
        assertTrue(!Files.readString(Checkout.file("nixos/example/flake.nix")).matches("(?s).*url\\s*=\\s*\"path:.*"),
                "the example's flake.nix declares a path: input");

        String output = exampleNix("flake", "metadata", "path:" + nix.copyOf("nixos/example"));

        assertTrue(output.contains("nixpkgs"), output);
        assertTrue(output.contains("follows input 'nixpkgs'"), "npc must build with the fleet's nixpkgs:\n" + output);
    }

    @Test
    void exampleFleetPassesFlakeCheckAndEveryHostFollowsUnderItsOwnName() throws IOException {
        String example = "path:" + nix.copyOf("nixos/example");

        exampleNix("flake", "check", example);

        for (String host : List.of("canary-1", "web-1", "web-2")) {
            String execStart = lastLine(exampleNix("eval", "--json",
                    example + "#nixosConfigurations." + host + ".config.systemd.services.npc.serviceConfig.ExecStart"));
            List<String> argv = SystemdExecLine.split(Json.mapper().readTree(execStart).asText());
            // services.npc.host defaults to null: the daemon takes install's recorded name, else the
            // kernel's host name, which NixOS sets from networking.hostName.
            String hostName = Json.mapper().readTree(lastLine(exampleNix("eval", "--json",
                    example + "#nixosConfigurations." + host + ".config.networking.hostName"))).asText();
            assertEquals(host, argv.contains("--host") ? argv.get(argv.indexOf("--host") + 1) : hostName);
            assertEquals("s3://example-npc-fleet/fleet", argv.get(argv.indexOf("--store") + 1));
            assertTrue(argv.contains("http://127.0.0.1/healthz"), "every host checks its web page: " + argv);
        }
    }

    @Test
    void flakeCheckRefusesAnExampleWithABadSetting() throws IOException {
        Path example = nix.copyOf("nixos/example");
        Files.writeString(example.resolve("hosts/web-2.nix"), "{ ... }: { services.npc.action = \"reboot\"; }\n");

        ProcessResult result = nix.nix(withOverrides("flake", "check", "path:" + example));

        assertNotEquals(0, result.exitCode(), "flake check accepted action = reboot:\n" + result.output());
        assertTrue(result.output().contains("services.npc.action"), result.output());
    }

    @Test
    void repositoryFlakePassesFlakeCheckAndWrapsBothPrograms() {
        String npc = nix.npcFlake();
        String[] override = {"--override-input", "nixpkgs", nix.standInNixpkgs()};

        Tools.runOk(command("flake", "check", npc, override), nix.environment(), work);

        String wrapped = Tools.runOk(command("eval", "--raw",
                npc + "#packages.x86_64-linux.default.installPhase", override), nix.environment(), work);
        assertTrue(wrapped.contains("jre-headless/bin/java"), "the wrappers run a headless JRE:\n" + wrapped);
        assertTrue(wrapped.contains("npc-cli:npc npc-daemon:npc-daemon"), wrapped);
        String daemonApp = lastLine(Tools.runOk(command("eval", "--raw",
                npc + "#apps.x86_64-linux.npc-daemon.program", override), nix.environment(), work));
        assertTrue(daemonApp.matches("/nix/store/[a-z0-9]{32}-npc-0\\.1\\.0/bin/npc-daemon"), daemonApp);
    }

    private String exampleNix(String... args) {
        return Tools.runOk(command(withOverrides(args)), nix.environment(), work);
    }

    private String[] withOverrides(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--override-input", "nixpkgs", nix.standInNixpkgs(),
                "--override-input", "npc", nix.npcFlake()));
        all.addAll(List.of(OFFLINE));
        return all.toArray(String[]::new);
    }

    private static List<String> command(String[] args) {
        List<String> all = new ArrayList<>(List.of("nix", "--extra-experimental-features", "nix-command flakes"));
        all.addAll(List.of(args));
        return all;
    }

    /** e.g. ("flake", "check", ref, overrides) or ("eval", "--raw", ref#attr, overrides). */
    private static List<String> command(String verb, String option, String target, String[] extra) {
        List<String> all = new ArrayList<>(List.of("nix", "--extra-experimental-features", "nix-command flakes",
                verb, option, target));
        all.addAll(List.of(extra));
        all.addAll(List.of(OFFLINE));
        return all;
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1];
    }
}
