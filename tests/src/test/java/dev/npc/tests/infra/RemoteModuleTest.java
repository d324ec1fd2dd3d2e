package dev.npc.tests.infra;

import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.remote.RemoteHistory;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.TestFlakes;
import dev.npc.tests.cli.CliRun;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * terraform/modules/remote's publish step (publish.sh, which its terraform_data runs at apply)
 * with the real npc, into a file store: what it publishes is exactly what `npc push` publishes,
 * so a remote published from Terraform and one pushed by CI carry the same metadata and history,
 * and publishing refuses to pass off other content as the planned version. When Terraform runs
 * publish.sh at all (only when the packed content changed) is TerraformFilesTest's concern.
 */
class RemoteModuleTest {
    @TempDir
    Path work;
    private Path flake;
    private String storeUrl;
    private Store store;

    @BeforeEach
    void setUp() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(Checkout.file("npc-cli/target/npc-cli.jar")),
                "npc is not built; run ./mvnw -q -DskipTests package");
        flake = TestFlakes.minimal(work.resolve("fleet"));
        Files.createDirectories(work.resolve(".npc"));
        storeUrl = work.resolve("store").toUri().toString();
        store = Stores.open(storeUrl, StoreOptions.DEFAULT);
    }

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
    }

    /**
     * The version `npc pack --json` gives the flake now: what the module's plan sees (run in-process;
     * pack.sh with the real program is TerraformFilesTest's).
     */
    private String planned() {
        CliRun pack = CliRun.npc("pack", "--json", "--src", flake.toString(), "--output", work.resolve(".npc/prod.npc").toString());
        assertEquals(0, pack.exitCode(), pack::toString);
        String sha256 = pack.out().replaceAll("(?s).*\"sha256\" *: *\"([0-9a-f]{64})\".*", "$1");
        assertTrue(sha256.matches("[0-9a-f]{64}"), pack::toString);
        return sha256;
    }

    private ProcessResult publish(String sha256, String signKey) {
        Map<String, String> env = new HashMap<>();
        env.put("NPC_COMMAND", Checkout.file("bin/npc").toString());
        env.put("NPC_PUBLISH_SRC", "fleet");
        env.put("NPC_PUBLISH_REMOTE", "prod");
        env.put("NPC_PUBLISH_STORE", storeUrl);
        env.put("NPC_PUBLISH_SHA256", sha256);
        env.put("NPC_PUBLISH_SIGN", signKey == null ? "" : signKey);
        env.put("NPC_PUBLISH_INCLUDE", "");
        env.put("NPC_PUBLISH_UNLOCK", "false");
        env.put("NPC_PUBLISH_ENDPOINT", "");
        // local-exec runs the command through the shell, from the root module's directory.
        return Tools.run(List.of("sh", "-c", Checkout.file("terraform/modules/remote/publish.sh").toString()), env, work);
    }

    @Test
    void terraformPublishesWhatNpcPushPublishesSoACiPushAfterwardsIsAnOrdinaryPush() throws Exception {
        String first = planned();
        ProcessResult published = publish(first, null);
        assertTrue(published.ok(), published.toString());
        ObjectInfo fromTerraform = store.head(Layout.remote("prod")).orElseThrow();
        assertEquals(first, fromTerraform.meta(RemoteMetadata.SHA256));
        assertEquals("1", fromTerraform.meta(RemoteMetadata.FORMAT));
        assertEquals(Integer.toString(Files.list(flake).toList().size()), fromTerraform.meta(RemoteMetadata.FILES));
        assertEquals(null, fromTerraform.meta(RemoteMetadata.SIGNATURE), "unsigned unless a key is given");

        // What CI's npc push of the same content writes: the same metadata, nothing uploaded.
        CliRun same = CliRun.npc("push", "--src", flake.toString(), "--remote", "prod", "--store", storeUrl);
        assertEquals(0, same.exitCode(), same::toString);
        assertTrue(same.out().contains("prod unchanged"), same::toString);

        // CI pushes new content: the version Terraform published is archived for npc rollback.
        TestFlakes.write(flake, "hosts/web-1.nix", "{ ... }: { }\n");
        CliRun ci = CliRun.npc("push", "--src", flake.toString(), "--remote", "prod", "--store", storeUrl);
        assertEquals(0, ci.exitCode(), ci::toString);
        List<ObjectInfo> history = store.list(RemoteHistory.prefix("prod"));
        assertEquals(1, history.size());
        assertTrue(history.get(0).key().endsWith("-" + first.substring(0, 8) + ".npc"), history.toString());

        // And a Terraform publish of newer content archives CI's version the same way.
        String third = planned();
        String ciVersion = store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256);
        assertEquals(ciVersion, third, "the plan sees CI's content");
        TestFlakes.write(flake, "hosts/web-2.nix", "{ ... }: { }\n");
        String fourth = planned();
        assertTrue(publish(fourth, null).ok());
        assertEquals(fourth, store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256));
        assertEquals(2, store.list(RemoteHistory.prefix("prod")).size());
    }

    @Test
    void contentThatChangedBetweenPlanAndApplyIsNotPassedOffAsThePlannedVersion() throws Exception {
        String planned = planned();
        TestFlakes.write(flake, "hosts/web-1.nix", "{ ... }: { }\n");

        ProcessResult published = publish(planned, null);

        assertNotEquals(0, published.exitCode());
        assertTrue(published.printed("prod now holds a version other than the planned " + planned
                + ": the files in fleet changed between plan and apply; run terraform apply again"), published.toString());
    }

    @Test
    void withASigningKeyTheRemoteIsSignedLikeAnySignedPush() throws Exception {
        Path key = work.resolve("keys/ci.key");
        Files.createDirectories(key.getParent());
        CliRun generated = CliRun.npc("keys", "generate", "--private", key.toString(), "--public", work.resolve("keys/ci.pub").toString());
        assertEquals(0, generated.exitCode(), generated::toString);

        ProcessResult signed = publish(planned(), "keys/ci.key");

        assertTrue(signed.ok(), signed.toString());
        ObjectInfo remote = store.head(Layout.remote("prod")).orElseThrow();
        assertNotNull(remote.meta(RemoteMetadata.SIGNATURE));
        CliRun verify = CliRun.npc("verify", "--remote", "prod", "--store", storeUrl, "--trusted-key", work.resolve("keys/ci.pub").toString());
        assertEquals(0, verify.exitCode(), verify::toString);
        assertFalse(signed.printed("npc-ed25519-private"), "the key never appears in what Terraform logs");
    }
}
