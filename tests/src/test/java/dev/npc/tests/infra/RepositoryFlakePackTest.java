package dev.npc.tests.infra;

import dev.npc.pack.PackOptions;
import dev.npc.pack.PackResult;
import dev.npc.pack.Packer;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.process.SystemProcessRunner;
import dev.npc.testing.TestArchives;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository is the example fleet: `npc push --src .` from a checkout packs exactly the files
 * git tracks, and from a checkout outside git the same files, with build output, installed tools
 * and local state left out by the root .npcignore.
 */
class RepositoryFlakePackTest {
    private static final List<String> FLEET = List.of("flake.nix", "flake.lock", "nix/package.nix",
            "nix/maven-lock.json", "nixos/module.nix", "nixos/example/hosts/canary-1.nix", "bin/jvm.options",
            "bin/jvm-resident.options", "bin/keeps-running.sh");

    @TempDir
    Path work;

    @Test
    void aCheckoutInGitPacksTheFilesGitTracks() throws Exception {
        Tools.require("git");
        Path root = Checkout.root();
        ProcessResult tracked = Tools.run(List.of("git", "ls-files", "-z"), Map.of(), root);
        Assumptions.assumeTrue(tracked.ok() && Files.exists(root.resolve(".git")), "not a git checkout");
        Set<String> expected = Stream.of(tracked.stdout().text().split("\0")).filter(f -> !f.isEmpty())
                .filter(f -> Files.exists(root.resolve(f))).collect(Collectors.toCollection(TreeSet::new));

        Set<String> packed = files(pack(root));

        assertEquals(expected, packed);
        assertTrue(packed.containsAll(FLEET), packed.toString());
    }

    @Test
    void aCheckoutOutsideGitLeavesOutBuildOutputToolsAndLocalState() throws Exception {
        Path copy = Checkout.copyTo(work.resolve("checkout"));
        Set<String> sources;
        try (Stream<Path> walk = Files.walk(copy)) {
            sources = walk.filter(Files::isRegularFile).map(f -> copy.relativize(f).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        for (String junk : List.of("npc-core/target/npc-core-0.1.0.jar", "tools/node_modules/@cdktf/hcl2json/index.js",
                "terraform/examples/fleet/.terraform/providers/aws", "terraform/examples/fleet/terraform.tfstate",
                "terraform/examples/fleet/terraform.tfstate.backup", "terraform/examples/fleet/.npc/prod-canary.npc",
                ".idea/workspace.xml", "npc.iml", "npc-cli/Stray.class")) {
            Path file = copy.resolve(junk);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "not a source\n");
        }
        Files.createSymbolicLink(copy.resolve("result"), Path.of("/nix/store/0123456789abcdfghijklmnpqrsvwxyz-npc-0.1.0"));

        Set<String> packed = files(pack(copy));

        assertEquals(sources, packed);
        assertTrue(packed.containsAll(FLEET), packed.toString());
    }

    private byte[] pack(Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PackResult result = new Packer(new SystemProcessRunner()).pack(dir, PackOptions.DEFAULT, out);
        assertEquals(out.size(), result.bytes());
        return out.toByteArray();
    }

    private static Set<String> files(byte[] archive) {
        return TestArchives.headers(archive).stream().filter(e -> !e.isDirectory()).map(TarArchiveEntry::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
