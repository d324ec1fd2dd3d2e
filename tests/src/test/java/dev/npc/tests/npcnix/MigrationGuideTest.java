package dev.npc.tests.npcnix;

import dev.npc.host.Desired;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.TestCommands;
import dev.npc.testing.TestFlakes;
import dev.npc.tests.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docs/migrating-from-npcnix.md as a user follows it: every {@code sh} block marked as run by
 * this test is run, command by command, in the page's order, against an npcnix-layout bucket in
 * S3Proxy; every other {@code sh} block must say why it is not. The page's names are swapped for
 * the test's: {@code s3://my-fleet/} for this bucket and prefix, key files and {@code /tmp/}
 * paths for a temporary directory, {@code --src .} for a flake, and {@code --endpoint-url} added.
 */
class MigrationGuideTest {
    static final String PAGE = "docs/migrating-from-npcnix.md";
    static final String RUN = "<!-- MigrationGuideTest runs this block against S3Proxy -->";
    static final String NOT_RUN = "<!-- not run by the tests: ";

    @TempDir
    Path tmp;

    record Block(int line, boolean run, List<String> commands) { }

    static List<Block> blocks(List<String> page) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < page.size(); i++) {
            if (!page.get(i).equals("```sh")) {
                continue;
            }
            String marker = i > 0 ? page.get(i - 1) : "";
            assertTrue(marker.equals(RUN) || marker.startsWith(NOT_RUN) && marker.endsWith(" -->"),
                    PAGE + ":" + (i + 1) + ": an sh block says whether the tests run it: " + RUN + " or " + NOT_RUN
                            + "REASON -->");
            List<String> commands = new ArrayList<>();
            for (int j = i + 1; !page.get(j).equals("```"); j++) {
                String command = page.get(j).replaceFirst("\\s+#.*", "").strip();
                if (!command.isEmpty()) {
                    commands.add(command);
                }
            }
            blocks.add(new Block(i + 1, marker.equals(RUN), commands));
        }
        return blocks;
    }

    @Test
    void thePagesCommandsRunAsWritten() throws Exception {
        assumeTrue(TestCommands.available("tar") && TestCommands.available("zstd"), "GNU tar and zstd make the"
                + " npcnix archives; CI installs them: apt-get install -y tar zstd");
        Path root = Path.of(System.getProperty("npc.repo.root", "..")).toAbsolutePath().normalize();
        List<Block> blocks = blocks(Files.readAllLines(root.resolve(PAGE)));
        assertTrue(blocks.stream().filter(Block::run).count() >= 4, "the import, hosts, cut-over and rollback blocks");

        System.setProperty("aws.accessKeyId", EmbeddedS3.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", EmbeddedS3.SECRET_KEY);
        System.setProperty("aws.region", EmbeddedS3.REGION);
        String prefix = "guide-" + UUID.randomUUID();
        Path flake = TestFlakes.minimal(tmp.resolve("fleet"));
        TestFlakes.write(flake, "hosts/web-1.nix", "{ ... }: { networking.hostName = \"web-1\"; }\n");
        TestFlakes.symlink(flake, "hosts/default.nix", "web-1.nix");
        try (EmbeddedS3 s3 = EmbeddedS3.start(); Store npcnix = s3.open(prefix + "/npcnix/remotes");
             Store npc = s3.open(prefix + "/npc")) {
            byte[] prod = NpcnixArchives.npcnixPack(flake);
            npcnix.put("prod.npcnix", prod, Map.of());
            TestFlakes.write(flake, "hosts/dev.nix", "{ }\n");
            npcnix.put("dev.npcnix", NpcnixArchives.npcnixPack(flake), Map.of());
            Map<String, String> npcnixBefore = NpcnixArchives.objects(npcnix);

            String imported = null;
            for (Block block : blocks) {
                if (!block.run()) {
                    continue;
                }
                for (String command : block.commands()) {
                    CliRun run = CliRun.npc(arguments(command, s3, prefix, flake).toArray(String[]::new));
                    assertEquals(0, run.exitCode(), () -> PAGE + ":" + block.line() + ": " + command + "\n" + run);
                    if (command.startsWith("npc import-npcnix") && !command.contains("--dry-run")) {
                        imported = npc.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256);
                    }
                    if (command.startsWith("npc pull")) {
                        // What the page's diff -r compares: npcnix's view of the remote (tar here, npcnix pull there).
                        assertEquals(NpcnixArchives.unpackedByGnuTar(prod, tmp), TestFlakes.describe(tmp.resolve("tmp/prod-npc")), command);
                    }
                }
            }

            assertEquals(npcnixBefore, NpcnixArchives.objects(npcnix), "the npcnix objects were only read");
            assertEquals(imported, npc.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256),
                    "the rollback put back the imported version");
            Desired desired = Json.read(read(npc, Layout.desired("web-1")), Desired.class, "desired.json");
            assertEquals("prod", desired.remote());
            assertEquals(Boolean.TRUE, desired.paused(), "handed back to npcnix: paused in npc");
            assertTrue(npc.head(Layout.remote("dev")).isPresent());
            assertFalse(Files.exists(root.resolve("tests/ci-signing.key")), "no file written outside the test's directory");
        }
    }

    @Test
    void everyShBlockSaysWhetherItIsRun() throws IOException {
        Path root = Path.of(System.getProperty("npc.repo.root", "..")).toAbsolutePath().normalize();
        List<Block> blocks = blocks(Files.readAllLines(root.resolve(PAGE)));
        assertTrue(blocks.stream().anyMatch(b -> !b.run()), "the page says which commands the tests do not run");
    }

    /** The page's command with the test's bucket, files and endpoint. */
    private List<String> arguments(String command, EmbeddedS3 s3, String prefix, Path flake) {
        List<String> words = new ArrayList<>(List.of(command.split("\\s+")));
        assertEquals("npc", words.remove(0), command);
        List<String> args = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (word.startsWith("s3://my-fleet/")) {
                word = s3.storeUrl(prefix + "/" + word.substring("s3://my-fleet/".length()));
            } else if (word.startsWith("ci-signing.")) {
                word = tmp.resolve(word).toString();
            } else if (word.startsWith("/tmp/")) {
                word = tmp.resolve(word.substring(1)).toString();
            } else if (word.equals(".") && i > 0 && words.get(i - 1).equals("--src")) {
                word = flake.toString();
            }
            args.add(word);
        }
        if (!(args.get(0).equals("keys"))) {
            args.addAll(List.of("--endpoint-url", s3.endpointUrl()));
        }
        return args;
    }

    private static byte[] read(Store store, String key) throws IOException {
        try (GetResult got = store.get(key, null)) {
            return ((GetResult.Found) got).body().readAllBytes();
        }
    }
}
