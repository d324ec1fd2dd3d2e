package dev.npc.tests.cli;

import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** push, pull, remotes, promote and rollback as a user runs them, against a real file store. */
class RemoteCommandsTest {
    @TempDir
    Path tmp;
    Path flake;
    String storeUrl;
    Store store;

    @BeforeEach
    void setUp() throws Exception {
        flake = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(flake, "hosts/web-1.nix", "{ ... }: { networking.hostName = \"web-1\"; }\n");
        storeUrl = tmp.resolve("store").toUri().toString();
        store = Stores.open(storeUrl, StoreOptions.DEFAULT);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private CliRun npc(String... args) {
        return CliRun.npcWith(java.util.List.of("--store", storeUrl), args);
    }


    @Test
    void pushThenPushAgainUploadsNothingAndKeepsTheEtag() throws Exception {
        CliRun first = npc("push", "--src", flake.toString(), "--remote", "staging");
        assertEquals(0, first.exitCode(), first::toString);
        assertTrue(first.out().startsWith("pushed staging: version "), first::toString);
        ObjectInfo before = store.head(Layout.remote("staging")).orElseThrow();

        CliRun second = npc("push", "--src", flake.toString(), "--remote", "staging");
        assertEquals(0, second.exitCode(), second::toString);
        assertTrue(second.out().contains("staging unchanged"), second::toString);
        ObjectInfo after = store.head(Layout.remote("staging")).orElseThrow();
        assertEquals(before.etag(), after.etag());
        assertEquals(before.lastModified(), after.lastModified());
    }

    @Test
    void pushRecordsTheContractMetadata() throws Exception {
        CliRun push = npc("push", "--src", flake.toString(), "--remote", "staging", "--json");
        assertEquals(0, push.exitCode(), push::toString);
        Map<?, ?> printed = Json.mapper().readValue(push.out(), Map.class);
        ObjectInfo object = store.head(Layout.remote("staging")).orElseThrow();
        assertEquals("1", object.meta(RemoteMetadata.FORMAT));
        assertEquals(printed.get("version"), object.meta(RemoteMetadata.SHA256));
        assertEquals("3", object.meta(RemoteMetadata.FILES));
        assertEquals(dev.npc.digest.Sha256.hex(readAll(Layout.remote("staging"))), object.meta(RemoteMetadata.SHA256));
    }

    @Test
    void pullRecreatesThePackedTree() throws Exception {
        npc("push", "--src", flake.toString(), "--remote", "staging");
        Path dst = tmp.resolve("pulled");
        CliRun pull = npc("pull", "--remote", "staging", "--dst", dst.toString());
        assertEquals(0, pull.exitCode(), pull::toString);
        assertEquals(TestFlakes.describe(flake), TestFlakes.describe(dst));
    }

    @Test
    void pullRefusesAnExistingDirectoryAndLeavesItAlone() throws Exception {
        npc("push", "--src", flake.toString(), "--remote", "staging");
        Path dst = Files.createDirectories(tmp.resolve("existing"));
        Files.writeString(dst.resolve("mine.txt"), "keep me");
        CliRun pull = npc("pull", "--remote", "staging", "--dst", dst.toString());
        assertEquals(2, pull.exitCode(), pull::toString);
        assertTrue(pull.err().contains("already exists"), pull::toString);
        assertEquals(List.of("mine.txt"), List.of(dst.toFile().list()));
    }

    @Test
    void pullOfATamperedRemoteFailsAndCreatesNothing() throws Exception {
        npc("push", "--src", flake.toString(), "--remote", "staging");
        ObjectInfo original = store.head(Layout.remote("staging")).orElseThrow();
        byte[] bytes = readAll(Layout.remote("staging"));
        bytes[bytes.length / 2] ^= 0x40;
        store.put(Layout.remote("staging"), new java.io.ByteArrayInputStream(bytes), bytes.length,
                original.metadata(), dev.npc.store.Precondition.NONE);
        Path dst = tmp.resolve("pulled");
        CliRun pull = npc("pull", "--remote", "staging", "--dst", dst.toString());
        assertEquals(1, pull.exitCode(), pull::toString);
        assertTrue(pull.err().contains("corrupt or was tampered with"), pull::toString);
        assertEquals(1, pull.err().strip().lines().count(), pull::toString);
        assertFalse(Files.exists(dst));
        try (var left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".download-")));
        }
    }

    @Test
    void promoteIsGuardedByTheTestedVersion() throws Exception {
        npc("push", "--src", flake.toString(), "--remote", "staging");
        String version = store.head(Layout.remote("staging")).orElseThrow().meta(RemoteMetadata.SHA256);

        CliRun stale = npc("promote", "staging", "prod", "--if-version", "0123abcd");
        assertEquals(1, stale.exitCode(), stale::toString);
        assertTrue(stale.err().contains("nothing promoted"), stale::toString);
        assertTrue(store.head(Layout.remote("prod")).isEmpty());

        CliRun ok = npc("promote", "staging", "prod", "--if-version", version.substring(0, 12));
        assertEquals(0, ok.exitCode(), ok::toString);
        ObjectInfo prod = store.head(Layout.remote("prod")).orElseThrow();
        assertEquals(version, prod.meta(RemoteMetadata.SHA256));
        assertEquals(store.head(Layout.remote("staging")).orElseThrow().meta(RemoteMetadata.SOURCE_REV),
                prod.meta(RemoteMetadata.SOURCE_REV));
    }

    @Test
    void rollbackPutsBackThePreviousVersion() throws Exception {
        npc("push", "--src", flake.toString(), "--remote", "prod");
        String v1 = store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256);
        TestFlakes.write(flake, "hosts/web-1.nix", "{ ... }: { networking.hostName = \"web-one\"; }\n");
        npc("push", "--src", flake.toString(), "--remote", "prod");
        String v2 = store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256);
        assertNotEquals(v1, v2);

        CliRun rollback = npc("rollback", "prod");
        assertEquals(0, rollback.exitCode(), rollback::toString);
        assertEquals(v1, store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256));
        assertTrue(rollback.out().contains(v2.substring(0, 8) + " -> " + v1.substring(0, 8)), rollback::toString);
    }

    @Test
    void rollbackWithoutHistorySaysSo() {
        npc("push", "--src", flake.toString(), "--remote", "prod");
        CliRun rollback = npc("rollback", "prod");
        assertEquals(1, rollback.exitCode(), rollback::toString);
        assertTrue(rollback.err().contains("no earlier version"), rollback::toString);
    }

    @Test
    void remotesListsVersionsAsJson() throws Exception {
        npc("push", "--src", flake.toString(), "--remote", "b-remote");
        npc("push", "--src", flake.toString(), "--remote", "a-remote");
        CliRun remotes = npc("remotes", "--json");
        assertEquals(0, remotes.exitCode(), remotes::toString);
        List<?> list = Json.mapper().readValue(remotes.out(), List.class);
        assertEquals(2, list.size());
        assertEquals("a-remote", ((Map<?, ?>) list.get(0)).get("name"));
        assertEquals(((Map<?, ?>) list.get(0)).get("sha256"), ((Map<?, ?>) list.get(1)).get("sha256"));
    }

    @Test
    void badInputsGetOneLineAndTheRightExitCode() throws Exception {
        Path noFlake = TestFlakes.write(tmp, "empty/README", "x").getParent();
        CliRun missingFlake = npc("push", "--src", noFlake.toString(), "--remote", "staging");
        assertEquals(1, missingFlake.exitCode(), missingFlake::toString);
        assertTrue(missingFlake.err().contains("flake.nix"), missingFlake::toString);
        assertEquals(1, missingFlake.err().strip().lines().count(), missingFlake::toString);
        assertTrue(store.list(Layout.REMOTES).isEmpty(), "a failed push must upload nothing");

        CliRun badName = npc("push", "--src", flake.toString(), "--remote", "../etc");
        assertEquals(2, badName.exitCode(), badName::toString);
        assertTrue(badName.err().contains("remote name '../etc' is not valid"), badName::toString);

        CliRun noStore = CliRun.npc("remotes");
        if (System.getenv("NPC_STORE") == null) {
            assertEquals(2, noStore.exitCode(), noStore::toString);
            assertTrue(noStore.err().contains("NPC_STORE"), noStore::toString);
        }

        CliRun typo = CliRun.npc("remotes", "--store", tmp.resolve("no-such-store").toUri().toString());
        assertEquals(2, typo.exitCode(), typo::toString);
        assertTrue(typo.err().contains("does not exist; check --store"), typo::toString);

        CliRun badUrl = CliRun.npc("remotes", "--store", "ftp://x/y");
        assertEquals(2, badUrl.exitCode(), badUrl::toString);
        assertTrue(badUrl.err().contains("ftp://x/y"), badUrl::toString);
    }

    private byte[] readAll(String key) throws Exception {
        try (var result = store.get(key, null)) {
            return ((dev.npc.store.GetResult.Found) result).body().readAllBytes();
        }
    }
}
