package dev.npc.tests.npcnix;

import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.HostileArchives;
import dev.npc.testing.TestCommands;
import dev.npc.testing.TestFlakes;
import dev.npc.tests.cli.CliRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code npc import-npcnix} against an npcnix-layout bucket in S3Proxy: remotes packed the way
 * npcnix packs them ({@link NpcnixArchives}) at {@code npcnix/remotes/<name>.npcnix}, as npcnix's
 * remote_s3 module names them, next to an npc store at {@code npc/}.
 */
class ImportNpcnixTest {
    static EmbeddedS3 s3;
    @TempDir
    Path tmp;
    String prefix;
    Store npcnix;
    Store npc;

    @BeforeAll
    static void startS3() {
        assumeTrue(TestCommands.available("tar") && TestCommands.available("zstd"), "GNU tar and zstd make the"
                + " npcnix archives; CI installs them: apt-get install -y tar zstd");
        s3 = EmbeddedS3.start();
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    @BeforeEach
    void setUp() {
        System.setProperty("aws.accessKeyId", EmbeddedS3.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", EmbeddedS3.SECRET_KEY);
        System.setProperty("aws.region", EmbeddedS3.REGION);
        prefix = "b-" + UUID.randomUUID();
        npcnix = s3.open(prefix + "/npcnix/remotes");
        npc = s3.open(prefix + "/npc");
    }

    @AfterEach
    void tearDown() {
        npcnix.close();
        npc.close();
    }

    private CliRun npc(String... args) {
        return CliRun.npcWith(List.of("--endpoint-url", s3.endpointUrl()), args);
    }

    private CliRun importNpcnix(String... more) {
        List<String> args = new ArrayList<>(List.of("import-npcnix", "--from", s3.storeUrl(prefix + "/npcnix/remotes"),
                "--to", s3.storeUrl(prefix + "/npc")));
        args.addAll(List.of(more));
        return npc(args.toArray(String[]::new));
    }

    /**
     * A fleet flake as an admin's checkout holds it: a git repository (npcnix packs its .git/ too),
     * a script with its exec bit, a symlink npcnix follows, a path longer than a tar header's 100
     * bytes, old mtimes. Its .git/config names an fsmonitor command: if anything ran git in the
     * unpacked tree, the marker would appear.
     */
    private Path fleet(String name, String hostName) throws IOException {
        Path dir = tmp.resolve(name);
        TestFlakes.write(dir, "hosts/web-1.nix", "{ ... }: { networking.hostName = \"" + hostName + "\"; }\n");
        TestFlakes.write(dir, "modules/common.nix", "{ ... }: { services.openssh.enable = true; }\n");
        TestFlakes.writeExecutable(dir, "scripts/deploy.sh", "#!/bin/sh\necho deploy\n");
        TestFlakes.write(dir, "modules/" + "very-long-directory-name-".repeat(4) + "/module-with-a-long-name.nix", "{ }\n");
        TestFlakes.symlink(dir, "modules/default.nix", "common.nix");
        TestFlakes.committedGitFlake(dir);
        Files.writeString(dir.resolve(".git/config"), "[core]\n\tfsmonitor = \"touch " + tmp.resolve("git-ran") + "\"\n",
                java.nio.file.StandardOpenOption.APPEND);
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, FileTime.from(Instant.parse("2023-04-01T12:00:00Z")));
                }
            }
        }
        return dir;
    }

    private ObjectInfo upload(String key, byte[] archive) throws IOException {
        return npcnix.put(key, archive, Map.of());
    }

    private Map<String, String> npcnixObjects() throws IOException {
        return NpcnixArchives.objects(npcnix);
    }

    /** What an npcnix host builds from, without .git (npc never packs it). */
    private Map<String, String> asNpcnixHostsSeeIt(byte[] archive) throws IOException {
        Map<String, String> tree = new TreeMap<>(NpcnixArchives.unpackedByGnuTar(archive, tmp));
        tree.keySet().removeIf(path -> path.equals(".git") || path.startsWith(".git/"));
        return tree;
    }

    private Map<String, String> pulled(String remote) {
        Path dst = tmp.resolve("pulled-" + remote + "-" + UUID.randomUUID());
        CliRun pull = npc("pull", "--remote", remote, "--dst", dst.toString(), "--store", s3.storeUrl(prefix + "/npc"));
        assertEquals(0, pull.exitCode(), pull::toString);
        return TestFlakes.describe(dst);
    }

    @Test
    void importsEveryRemoteAsItWasPackedAndLeavesTheNpcnixObjectsAlone() throws Exception {
        byte[] dev = NpcnixArchives.npcnixPack(fleet("dev", "web-dev"));
        byte[] prod = NpcnixArchives.npcnixPack(fleet("prod", "web-prod"));
        upload("dev.npcnix", dev);
        upload("prod.npcnix", prod);
        upload("README.txt", "not a remote".getBytes());
        upload("old/dev.npcnix", dev);
        Map<String, String> before = npcnixObjects();
        Path key = tmp.resolve("ci-signing.key");
        assertEquals(0, CliRun.npc("keys", "generate", "--private", key.toString(), "--public", tmp.resolve("ci-signing.pub")
                .toString()).exitCode());

        CliRun first = importNpcnix("--sign-key", key.toString());

        String maker = NpcnixArchives.maker();
        assertEquals(0, first.exitCode(), () -> maker + "\n" + first);
        List<String> lines = first.out().lines().toList();
        assertEquals(5, lines.size(), first::toString);
        for (int i : new int[] {0, 2}) {
            String remote = i == 0 ? "dev" : "prod";
            assertTrue(lines.get(i).startsWith("imported " + remote + ".npcnix ("), first::toString);
            assertTrue(lines.get(i).contains(" as remote " + remote + ": version "), first::toString);
            assertTrue(lines.get(i).contains(", sequence "), first::toString);
            assertTrue(lines.get(i).endsWith(")") && lines.get(i).contains("(signed by key "), first::toString);
            assertTrue(lines.get(i + 1).matches("  left out, as npc push leaves them out \\(\\.git/, \\.direnv/, result links,"
                    + " \\.npcignore\\): \\.git/ \\(\\d+ files\\)"), first::toString);
        }
        assertEquals("2 npcnix remotes: 2 published; the npcnix objects were only read", lines.get(4));
        assertEquals("", first.err(), first::toString);

        // What hosts will build is what npcnix hosts built, minus .git/ (npcnix's symlink became a file).
        assertEquals(asNpcnixHostsSeeIt(dev), pulled("dev"), maker);
        assertEquals(asNpcnixHostsSeeIt(prod), pulled("prod"), maker);
        assertTrue(pulled("dev").get("modules/default.nix").startsWith("file 644 "), "npcnix stored the symlink's file");
        assertTrue(pulled("dev").get("scripts/deploy.sh").startsWith("file 755 "), "the exec bit survives");
        assertFalse(Files.exists(tmp.resolve("git-ran")), "nothing ran git in the archive's .git/");
        CliRun verify = npc("verify", "--remote", "dev", "--trusted-key", tmp.resolve("ci-signing.pub").toString(),
                "--store", s3.storeUrl(prefix + "/npc"));
        assertEquals(0, verify.exitCode(), verify::toString);
        assertEquals(before, npcnixObjects(), "the npcnix objects are as they were");
        assertTrue(npc.list("").stream().map(ObjectInfo::key).noneMatch(k -> k.contains("README") || k.contains("old")),
                "only <name>.npcnix directly under the prefix is imported");

        // Deterministic: the same npcnix objects give the same versions, nothing is uploaded.
        ObjectInfo devBefore = npc.head(Layout.remote("dev")).orElseThrow();
        CliRun again = importNpcnix("--sign-key", key.toString());
        assertEquals(0, again.exitCode(), again::toString);
        assertTrue(again.out().lines().anyMatch(l -> l.startsWith("dev.npcnix (") && l.contains(
                ": remote dev unchanged: already at version " + devBefore.meta(RemoteMetadata.SHA256).substring(0, 8))),
                again::toString);
        assertTrue(again.out().contains("2 npcnix remotes: 2 unchanged;"), again::toString);
        assertEquals(devBefore.etag(), npc.head(Layout.remote("dev")).orElseThrow().etag());
        assertEquals(devBefore.meta(RemoteMetadata.SEQUENCE), npc.head(Layout.remote("dev")).orElseThrow()
                .meta(RemoteMetadata.SEQUENCE), "no new publish");
        assertEquals(before, npcnixObjects());
    }

    @Test
    void theVersionDependsOnTheFilesNotOnHowTheArchiveWasMade() throws Exception {
        Path flake = fleet("dev", "web-dev");
        Files.walk(flake.resolve(".git")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        Files.delete(flake.resolve("modules/default.nix"));
        TestFlakes.write(flake, "modules/default.nix", "{ ... }: { services.openssh.enable = true; }\n");
        upload("dev.npcnix", NpcnixArchives.npcnixPack(flake));
        upload("by-hand.npcnix", NpcnixArchives.gnuTar(flake, "."));
        assertTrue(dev.npc.testing.TestArchives.headers(NpcnixArchives.gnuTar(flake, ".")).stream()
                .allMatch(h -> h.getName().startsWith("./")), "tar -C dir -c . names every member ./...");
        Files.setLastModifiedTime(flake.resolve("flake.nix"), FileTime.from(Instant.now()));
        upload("touched.npcnix", NpcnixArchives.npcnixPack(flake));

        CliRun run = importNpcnix("--dry-run");

        assertEquals(0, run.exitCode(), run::toString);
        List<String> versions = run.out().lines().filter(l -> l.startsWith("would import"))
                .map(l -> l.replaceAll(".*: version ([0-9a-f]{8}).*", "$1")).distinct().toList();
        assertEquals(1, versions.size(), "three archives of the same files, one version: " + run);
        assertTrue(run.out().contains("3 npcnix remotes: 3 would publish (dry run)"), run::toString);
        assertTrue(npc.list("").isEmpty(), "a dry run publishes nothing");
    }

    @Test
    void aHostileArchiveIsRefusedWithoutPublishingAndTheOthersGoOn() throws Exception {
        Map<String, String> names = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, byte[]> hostile : HostileArchives.all().entrySet()) {
            String name = "hostile-" + (++i);
            names.put(name, hostile.getKey());
            upload(name + ".npcnix", hostile.getValue());
        }
        upload("empty.npcnix", dev.npc.testing.TestArchives.zstd(new byte[4096]));
        upload("garbage.npcnix", "not zstd at all".getBytes());
        Path good = tmp.resolve("good");
        TestFlakes.minimal(good);
        upload("good.npcnix", NpcnixArchives.npcnixPack(good));

        CliRun run = importNpcnix();

        assertEquals(1, run.exitCode(), run::toString);
        for (Map.Entry<String, String> hostile : names.entrySet()) {
            assertTrue(run.out().lines().anyMatch(l -> l.startsWith("refused " + hostile.getKey() + ".npcnix (")
                            && l.contains(": it is not an archive npc unpacks: ") && l.endsWith("; remote "
                            + hostile.getKey() + " not touched")),
                    hostile.getValue() + ": " + run);
        }
        assertTrue(run.out().contains("refused garbage.npcnix ("), run::toString);
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("refused empty.npcnix (") && l.contains("no flake.nix")),
                run::toString);
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("imported good.npcnix (")), run::toString);
        List<String> published = npc.list("remotes/").stream().map(ObjectInfo::key).toList();
        assertEquals(List.of("remotes/good.npc"), published, "only the good remote is published");
        assertFalse(Files.exists(Path.of("/tmp/npc-hostile-" + HostileArchives.ESCAPE_MARKER)));
        assertTrue(run.out().strip().endsWith("1 published, " + (names.size() + 2) + " refused;"
                + " the npcnix objects were only read"), run::toString);
    }

    @Test
    void aMissingFlakeLockIsExplainedWithTheCommandThatAddsOne() throws Exception {
        Path flake = tmp.resolve("unlocked");
        TestFlakes.write(flake, "flake.nix", TestFlakes.FLAKE_NIX);
        upload("unlocked.npcnix", NpcnixArchives.npcnixPack(flake));

        CliRun refused = importNpcnix();

        assertEquals(1, refused.exitCode(), refused::toString);
        assertTrue(refused.out().contains("refused unlocked.npcnix ("), refused::toString);
        assertTrue(refused.out().contains("it has no flake.lock, so each host would resolve the flake's inputs itself"),
                refused::toString);
        assertTrue(refused.out().contains("run `nix flake lock`"), refused::toString);
        assertTrue(refused.out().contains("or pass --allow-unlocked"), refused::toString);
        assertTrue(npc.list("").isEmpty(), "nothing published");

        CliRun allowed = importNpcnix("--allow-unlocked");
        assertEquals(0, allowed.exitCode(), allowed::toString);
        assertTrue(allowed.out().startsWith("imported unlocked.npcnix ("), allowed::toString);
    }

    @Test
    void anArchiveWithATopLevelDirectoryIsExplained() throws Exception {
        Path parent = tmp.resolve("checkout");
        TestFlakes.minimal(parent.resolve("fleet"));
        upload("nested.npcnix", NpcnixArchives.gnuTar(parent, "fleet"));

        CliRun run = importNpcnix();

        assertEquals(1, run.exitCode(), run::toString);
        assertTrue(run.out().contains("it has no flake.nix at its top (it is at 'fleet/flake.nix': the archive has a"
                + " top-level directory, so npcnix hosts, which build in the unpacked directory, could not build it"
                + " either)"), run::toString);
        assertTrue(npc.list("").isEmpty());
    }

    @Test
    void remotesCanBeChosenAndRenamed() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("f"));
        upload("dev.npcnix", NpcnixArchives.npcnixPack(flake));
        upload("prod.npcnix", NpcnixArchives.npcnixPack(flake));

        CliRun run = importNpcnix("--remote", "prod=prod-canary", "--json");

        assertEquals(0, run.exitCode(), run::toString);
        List<?> results = Json.mapper().readValue(run.out(), List.class);
        assertEquals(1, results.size(), run::toString);
        Map<?, ?> result = (Map<?, ?>) results.get(0);
        assertEquals("prod.npcnix", result.get("npcnixKey"));
        assertEquals("prod-canary", result.get("remote"));
        assertEquals("published", result.get("outcome"));
        assertEquals(npc.head(Layout.remote("prod-canary")).orElseThrow().meta(RemoteMetadata.SHA256), result.get("version"));
        assertTrue(npc.head(Layout.remote("dev")).isEmpty());

        CliRun unknown = importNpcnix("--remote", "staging");
        assertEquals(1, unknown.exitCode(), unknown::toString);
        assertEquals("npc: no npcnix remote 'staging' under " + s3.storeUrl(prefix + "/npcnix/remotes")
                + "; it has: dev, prod", unknown.err().strip());
        CliRun clash = importNpcnix("--remote", "dev=x", "--remote", "prod=x");
        assertEquals(2, clash.exitCode(), clash::toString);
        CliRun same = npc("import-npcnix", "--from", s3.storeUrl(prefix + "/npcnix/remotes"),
                "--to", s3.storeUrl(prefix + "/npcnix/remotes"));
        assertEquals(2, same.exitCode(), same::toString);
        assertTrue(same.err().contains("give npc a prefix of its own"), same::toString);
        CliRun twoTargets = npc("import-npcnix", "--from", s3.storeUrl(prefix + "/npcnix/remotes"),
                "--to", s3.storeUrl(prefix + "/elsewhere"), "--store", s3.storeUrl(prefix + "/npc"));
        assertEquals(2, twoTargets.exitCode(), twoTargets::toString);
        assertTrue(twoTargets.err().contains("name different stores; give one"), twoTargets::toString);
    }

    @Test
    void anEmptyPrefixSaysWhereNpcnixKeepsItsRemotes() {
        CliRun run = importNpcnix();
        assertEquals(1, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("npc: no npcnix remotes (<name>.npcnix) under "), run::toString);
        assertTrue(run.err().contains("e.g. s3://bucket/npcnix/remotes"), run::toString);
    }
}
