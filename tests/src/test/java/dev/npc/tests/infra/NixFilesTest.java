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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository's flake, evaluated by Debian's nix offline with nixpkgs replaced by the stand-in
 * (tests/src/test/resources/nix/stand-in-nixpkgs, whose fetchurl, linkFarm and mkDerivation keep
 * nixpkgs' interfaces): the package fetches exactly the lock's files and builds offline with the
 * one argument file, its wrappers and the module run the one JVM-flags file, the overlay provides
 * pkgs.npc, and the example fleet's three hosts pass `nix flake check`. A real build needs real
 * nixpkgs and the network; the README's "Nix" section says how to run it.
 */
class NixFilesTest {
    private static final String[] OFFLINE = {"--no-write-lock-file", "--offline"};
    private static final List<String> HOSTS = List.of("canary-1", "web-1", "web-2");
    private static final String SYSTEM = "x86_64-linux";
    private static final String NPC = "packages." + SYSTEM + ".npc";

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
        files.addAll(Checkout.filesEndingWith("nix", ".nix"));
        files.addAll(Checkout.filesEndingWith("tests/src/test/resources/nix", ".nix"));
        assertTrue(files.size() >= 10, "expected the module, the flake, the package and the example's modules: " + files);

        for (Path file : files) {
            nix.nixInstantiate("--parse", file.toString());
        }
    }

    @Test
    void aSyntaxErrorIsReported() throws IOException {
        Path broken = Files.writeString(work.resolve("broken.nix"), "{ services.npc = { enable = true; }\n");

        ProcessResult result = Tools.run(List.of("nix-instantiate", "--parse", broken.toString()), nix.environment(), work);

        assertNotEquals(0, result.exitCode());
        assertTrue(result.printed("syntax error"), result.toString());
    }

    @Test
    void theLockFilePinsNixpkgsToARevisionWithItsHashAndHasNoPathInput() throws IOException {
        JsonNode lock = Json.mapper().readTree(Files.readString(Checkout.file("flake.lock")));
        assertEquals(7, lock.get("version").asInt());
        JsonNode root = lock.get("nodes").get(lock.get("root").asText());
        JsonNode locked = lock.get("nodes").get(root.get("inputs").get("nixpkgs").asText()).get("locked");
        assertEquals("github", locked.get("type").asText());
        assertEquals("NixOS/nixpkgs", locked.get("owner").asText() + "/" + locked.get("repo").asText());
        assertTrue(locked.get("rev").asText().matches("[0-9a-f]{40}"), locked.toString());
        String narHash = locked.get("narHash").asText();
        assertTrue(narHash.startsWith("sha256-"), narHash);
        assertEquals(32, Base64.getDecoder().decode(narHash.substring("sha256-".length())).length, narHash);
        // npc push packs the flake's directory: a path input would be missing on the host.
        lock.get("nodes").properties().forEach(node -> assertFalse(node.getValue().has("locked")
                && "path".equals(node.getValue().get("locked").get("type").asText()), node.getKey() + " is a path input"));
    }

    @Test
    void theExampleFleetIsTheRepositoryFlakeItself() {
        assertFalse(Files.exists(Checkout.file("nixos/example/flake.nix")), "the example fleet is the root flake");
        assertFalse(Files.exists(Checkout.file("nixos/example/flake.lock")), "the example fleet is the root flake");
        for (String host : HOSTS) {
            assertTrue(Files.isRegularFile(Checkout.file("nixos/example/hosts/" + host + ".nix")), host);
        }
    }

    @Test
    void theFlakePassesFlakeCheckAndEveryHostRunsThisFlakesNpcUnderItsOwnName() throws IOException {
        String flake = nix.npcFlake();

        nixOk("flake", "check", flake);

        String npcDrv = evalRaw(flake, NPC + ".drvPath");
        for (String host : HOSTS) {
            String config = "nixosConfigurations." + host;
            List<String> argv = SystemdExecLine.split(evalRaw(flake, config + ".config.systemd.services.npc.serviceConfig.ExecStart"));
            // services.npc.host defaults to null: the daemon takes install's recorded name, else the
            // kernel's host name, which NixOS sets from networking.hostName.
            assertFalse(argv.contains("--host"), "no --host unless services.npc.host is set: " + argv);
            assertEquals(host, evalRaw(flake, config + ".config.networking.hostName"));
            assertFalse(argv.contains("--store"), "the example names no bucket: the store comes from the first boot: " + argv);
            assertTrue(argv.contains("http://127.0.0.1/healthz"), "every host checks its web page: " + argv);
            // nixosModules.default adds the overlay, and the module's package is the overlay's npc,
            // built with the host's nixpkgs: the same derivation as packages.<system>.npc.
            assertEquals("1", evalRaw(flake, config + ".config.nixpkgs.overlays", "--apply", "o: toString (builtins.length o)"));
            assertEquals("npc-0.1.0", evalRaw(flake, config + ".pkgs.npc.name"), "pkgs.npc comes from the overlay");
            assertEquals(npcDrv, evalRaw(flake, config + ".config.services.npc.package.drvPath"));
            assertEquals(npcDrv, evalRaw(flake, config + ".pkgs.npc.drvPath"));
        }
        assertEquals(npcDrv, evalRaw(flake, "packages." + SYSTEM + ".default.drvPath"));
        assertTrue(evalRaw(flake, "apps." + SYSTEM + ".npc-daemon.program")
                .matches("/nix/store/[a-z0-9]{32}-npc-0\\.1\\.0/bin/npc-daemon"));
        assertTrue(evalRaw(flake, "apps." + SYSTEM + ".default.program")
                .matches("/nix/store/[a-z0-9]{32}-npc-0\\.1\\.0/bin/npc"));
    }

    @Test
    void flakeCheckRefusesAnExampleHostWithABadSetting() throws IOException {
        Path flake = nix.npcFlakeDir();
        Files.writeString(flake.resolve("nixos/example/hosts/web-2.nix"), "{ ... }: { services.npc.action = \"reboot\"; }\n");

        ProcessResult result = nix.nix(withOverrides("flake", "check", "path:" + flake));

        assertNotEquals(0, result.exitCode(), "flake check accepted action = reboot:\n" + result);
        assertTrue(result.printed("services.npc.action"), result.toString());
    }

    @Test
    void everyLockedFileIsOneFixedOutputFetchOfItsUrlAndHash() throws IOException {
        String flake = nix.npcFlake();
        MavenLockFile lock = MavenLockFile.ofCheckout();

        JsonNode fetches = Json.mapper().readTree(evalJson(flake, NPC + ".mavenRepository.entries", "--apply",
                "e: map (n: { path = n; inherit (e.${n}) urls outputHash outputHashMode outputHashAlgo; }) (builtins.attrNames e)"));

        Map<String, MavenLockFile.Artifact> locked = new TreeMap<>();
        lock.artifacts().forEach(a -> locked.put(a.path(), a));
        assertEquals(locked.size(), fetches.size(), "one fetch per lock entry");
        for (JsonNode fetch : fetches) {
            MavenLockFile.Artifact artifact = locked.get(fetch.get("path").asText());
            assertTrue(artifact != null, "fetched but not locked: " + fetch);
            assertEquals(List.of(artifact.url()), List.of(fetch.get("urls").get(0).asText()), artifact.path());
            assertEquals(1, fetch.get("urls").size(), artifact.path());
            assertEquals(artifact.hash(), fetch.get("outputHash").asText(), artifact.path());
            assertEquals("flat", fetch.get("outputHashMode").asText(), artifact.path());
        }
        // Instantiating the repository makes Nix itself parse every hash of the lock.
        assertTrue(evalRaw(flake, NPC + ".mavenRepository.drvPath").endsWith("-npc-maven-repository.drv"));
    }

    @Test
    void theBuildRunsMavenOfflineOnTheLockedRepositoryWithTheArgumentFile() {
        String flake = nix.npcFlake();
        List<String> args = ArgumentFile.read(Checkout.file("nix/maven-build.args"));

        String build = evalRaw(flake, NPC + ".jars.buildPhase");
        String repository = evalRaw(flake, NPC + ".mavenRepository.outPath");

        assertTrue(build.contains("cp -dR --no-preserve=mode " + repository + " \"$TMPDIR/m2\""), build);
        String quoted = args.stream().map(a -> "'" + a + "'").collect(Collectors.joining(" "));
        assertTrue(build.contains("mvn --offline -Dmaven.repo.local=\"$TMPDIR/m2\" " + quoted + "\n"), build);
        assertEquals(args, MavenLockFile.ofCheckout().mavenArgs(), "the lock was written for these arguments");
        assertTrue(evalRaw(flake, NPC + ".jars.nativeBuildInputs", "--apply", "l: toString (map (d: d.name) l)").contains("maven"));
    }

    @Test
    void aLockWrittenForOtherMavenArgumentsIsRefusedAtEvaluation() throws IOException {
        Path flake = nix.npcFlakeDir();
        Files.writeString(flake.resolve("nix/maven-build.args"), "--update-snapshots\n",
                java.nio.file.StandardOpenOption.APPEND);

        ProcessResult result = nix.nix(withOverrides("eval", "--raw", "path:" + flake + "#" + NPC + ".drvPath"));

        assertNotEquals(0, result.exitCode(), result.toString());
        assertTrue(result.printed("run nix/maven-lock.sh"), result.toString());
    }

    @Test
    void theMavenBuildSeesThePomsAndTheMainSourcesOnly() throws IOException {
        Path source = nix.realPath(evalRaw(nix.npcFlake(), NPC + ".jars.src"));

        Set<String> expected = new TreeSet<>(List.of("pom.xml", "npc-core/pom.xml", "npc-cli/pom.xml",
                "npc-daemon/pom.xml", "npc-demo/pom.xml", "tests/pom.xml"));
        for (String module : List.of("npc-core", "npc-cli", "npc-daemon")) {
            expected.addAll(filesUnder(Checkout.root(), module + "/src/main"));
        }
        assertEquals(expected, filesUnder(source, ""));
    }

    @Test
    void editsOutsideTheBuildInputsLeaveTheMavenBuildAloneAndTheFlagsFileReachesWrappersAndModule() throws IOException {
        Path flake = nix.npcFlakeDir();
        String ref = "path:" + flake;
        String jars = evalRaw(ref, NPC + ".jars.drvPath");
        String npc = evalRaw(ref, NPC + ".drvPath");

        append(flake.resolve("README.md"), "\nAn edit of the README.\n");
        append(flake.resolve("npc-core/src/test/java/dev/npc/testing/TestFlakes.java"), "\n// an edit of a test\n");
        append(flake.resolve("docs/reliability.md"), "\nAn edit of the docs.\n");
        assertEquals(jars, evalRaw(ref, NPC + ".jars.drvPath"), "README, tests and docs are not build inputs");
        assertEquals(npc, evalRaw(ref, NPC + ".drvPath"), "README, tests and docs are not in the package");

        append(flake.resolve("nixos/README.md"), "\nAn edit of the module's docs.\n");
        assertEquals(jars, evalRaw(ref, NPC + ".jars.drvPath"), "the module's docs do not rebuild the jars");
        assertNotEquals(npc, evalRaw(ref, NPC + ".drvPath"), "the package installs the module's docs");

        append(flake.resolve("bin/jvm.options"), "-XX:+ExitOnOutOfMemoryError # added by a test\n");
        List<String> flags = new ArrayList<>(ArgumentFile.read(Checkout.file("bin/jvm.options")));
        flags.add("-XX:+ExitOnOutOfMemoryError");
        assertEquals(jars, evalRaw(ref, NPC + ".jars.drvPath"), "the JVM flags do not rebuild the jars");
        String install = evalRaw(ref, NPC + ".installPhase");
        assertTrue(install.contains("--add-flags \"\\${NPC_JAVA_OPTS:-" + String.join(" ", flags)
                + "${resident:+ \\$npc_resident}}\""), install);
        // npc-daemon's wrapper, alone, runs the scan that adds bin/jvm-resident.options to `follow`
        // without --once (the shell a wrapper runs it in is bash).
        assertTrue(install.matches("(?s).*if \\[ \"\\$name\" = npc-daemon ]; then\\s+resident=\\(--run .*"), install);
        assertTrue(install.contains("\"$out/bin/$name\" \"${resident[@]}\""), install);
        String scan = evalRaw(ref, NPC + ".residentScan");
        List<String> resident = ArgumentFile.read(Checkout.file("bin/jvm-resident.options"));
        Map<List<String>, String> added = Map.of(
                List.of("follow", "--store", "s3://b/p", "--interval", "60s"), String.join(" ", resident),
                List.of("follow"), String.join(" ", resident),
                List.of("follow", "--store", "s3://b/p", "--once"), "",
                List.of("follow", "--once=activate"), "",
                List.of("trigger"), "",
                List.of(), "");
        added.forEach((arguments, expected) -> {
            List<String> command = new ArrayList<>(List.of("bash", "-c", scan + "printf %s \"$npc_resident\"", "npc-daemon"));
            command.addAll(arguments);
            Command.Run run = Command.run(command, Map.of(), work);
            assertEquals(0, run.exit(), run.describe());
            assertEquals(expected, run.stdout(), "npc-daemon " + arguments);
        });
        assertTrue(install.matches("(?s).*makeWrapper /nix/store/[a-z0-9]{32}-jre-headless/bin/java.*"), "a headless JRE:\n" + install);
        assertTrue(install.contains("npc-cli:npc npc-daemon:npc-daemon"), install);
        assertTrue(install.contains("-XX:SharedArchiveFile=$out/share/npc-archives/$module.jsa"), install);
        assertTrue(install.matches("(?s).*/nix/store/[a-z0-9]{32}-cds-archive /nix/store/[a-z0-9]{32}-jre-headless/bin/java"
                + " /nix/store/[a-z0-9]{32}-jvm.options .*"), "the archives come from a training run at build time:\n" + install);
        assertTrue(install.contains("share/doc/npc/nixos-module.md"), install);
        flags.addAll(resident);
        for (String host : HOSTS) {
            assertEquals(String.join(" ", flags), evalRaw(ref,
                    "nixosConfigurations." + host + ".config.systemd.services.npc.environment.NPC_JAVA_OPTS"),
                    "the module's default for a daemon that keeps running: the same flags, the heap bound included, and the resident ones");
        }

        append(flake.resolve("npc-core/src/main/java/dev/npc/json/Json.java"), "\n// an edit of a main source\n");
        assertNotEquals(jars, evalRaw(ref, NPC + ".jars.drvPath"), "a main source is a build input");
    }

    /** A string attribute (through --json: nix prints warnings on the same stream, and a string may span lines). */
    private String evalRaw(String flake, String attribute, String... extra) {
        try {
            JsonNode value = Json.mapper().readTree(evalJson(flake, attribute, extra));
            assertTrue(value.isTextual(), attribute + " is not a string: " + value);
            return value.asText();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private String evalJson(String flake, String attribute, String... extra) {
        List<String> args = new ArrayList<>(List.of("eval", "--json", flake + "#" + attribute));
        args.addAll(List.of(extra));
        return lastLine(nixOk(args.toArray(String[]::new)));
    }

    private String nixOk(String... args) {
        ProcessResult result = nix.nix(withOverrides(args));
        if (!result.ok()) {
            throw new AssertionError("nix " + String.join(" ", args) + " exited " + result.exitCode() + ":\n" + result);
        }
        return result.stdout().text();
    }

    private String[] withOverrides(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--override-input", "nixpkgs", nix.standInNixpkgs()));
        all.addAll(List.of(OFFLINE));
        return all.toArray(String[]::new);
    }

    private static void append(Path file, String text) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " is not in the flake");
        Files.writeString(file, text, java.nio.file.StandardOpenOption.APPEND);
    }

    private static Set<String> filesUnder(Path root, String dir) throws IOException {
        try (Stream<Path> walk = Files.walk(root.resolve(dir))) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1];
    }
}
