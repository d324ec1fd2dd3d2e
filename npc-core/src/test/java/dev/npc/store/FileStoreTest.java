package dev.npc.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileStoreTest extends StoreContract {
    @TempDir
    Path temp;

    private int opened;

    @Override
    protected Store newStore() {
        return new FileStore(temp.resolve("store-" + ++opened));
    }

    @Override
    protected Store sibling(String name) {
        return Stores.open("file://" + temp.resolve("shared").resolve(name), StoreOptions.DEFAULT);
    }

    @Override
    protected Store storeWithoutBackend() {
        return new FileStore(temp.resolve("never-created"));
    }

    private Path dir() {
        return ((FileStore) store).directory();
    }

    @Test
    void objectsArePlainFilesAndSidecarsStayOutOfListings() throws Exception {
        store.put("remotes/prod.npc", bytes("packed"), Map.of("npc-format", "1"));
        assertEquals("packed", Files.readString(dir().resolve("remotes/prod.npc")));
        assertTrue(Files.exists(dir().resolve(".npc~/meta/remotes/prod.npc.json")));
        assertEquals(List.of("remotes/prod.npc"), keysOf(store.list("")));
    }

    @Test
    void objectsGetTheUsersDefaultPermissionsNotATempFilesOwnerOnlyMode() throws Exception {
        Path probe = Files.createDirectories(temp.resolve("probe")).resolve("plain");
        Files.writeString(probe, "x");
        store.put("remotes/prod.npc", bytes("packed"), Map.of());
        assertEquals(Files.getPosixFilePermissions(probe),
                Files.getPosixFilePermissions(dir().resolve("remotes/prod.npc")));
    }

    @Test
    void noDirectoryIsCreatedByReads() throws Exception {
        try (GetResult result = store.get("a", null)) {
            assertInstanceOf(GetResult.Missing.class, result);
        }
        store.list("");
        store.delete("a");
        assertFalse(Files.exists(dir()));
    }

    @Test
    void filesPlacedByHandAreObjectsWithoutMetadata() throws Exception {
        Files.createDirectories(dir().resolve("hosts/h"));
        Files.writeString(dir().resolve("hosts/h/desired.json"), "{}");
        ObjectInfo info = store.head("hosts/h/desired.json").orElseThrow();
        assertEquals(md5Etag(bytes("{}")), info.etag());
        assertEquals(Map.of(), info.metadata());
        assertEquals(List.of("hosts/h/desired.json"), keysOf(store.list("hosts/")));
    }

    @Test
    void aFileEditedBehindTheStoresBackGetsANewEtagAndLosesItsMetadata() throws Exception {
        ObjectInfo put = store.put("remotes/prod.npc", bytes("v1"), Map.of("npc-sha256", "of-v1"));
        Files.writeString(dir().resolve("remotes/prod.npc"), "edited by hand");

        try (GetResult result = store.get("remotes/prod.npc", put.etag())) {
            GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
            assertEquals(md5Etag(bytes("edited by hand")), found.info().etag());
            assertEquals(Map.of(), found.info().metadata());
        }
    }

    @Test
    void aCopiedDirectoryKeepsMetadataWhenTheBytesStillMatch() throws Exception {
        store.put("remotes/prod.npc", bytes("v1"), Map.of("npc-sha256", "of-v1"));
        Path data = dir().resolve("remotes/prod.npc");
        Files.setLastModifiedTime(data, java.nio.file.attribute.FileTime.fromMillis(0));
        assertEquals("of-v1", store.head("remotes/prod.npc").orElseThrow().meta("npc-sha256"));
    }

    @Test
    void temporaryAndForeignFilesAreNotObjects() throws Exception {
        store.put("hosts/h/state.json", bytes("s"), Map.of());
        Files.writeString(dir().resolve("hosts/h/state.json~"), "editor backup");
        Files.writeString(dir().resolve("hosts/h/with space"), "x");
        Files.createSymbolicLink(dir().resolve("hosts/h/link"), dir().resolve("hosts/h/state.json"));
        assertEquals(List.of("hosts/h/state.json"), keysOf(store.list("")));
        assertTrue(store.head("hosts/h/link").isEmpty());
    }

    @Test
    void aKeyCannotBeBothAnObjectAndADirectory() throws Exception {
        store.put("hosts/h", bytes("object"), Map.of());
        StoreException clash = assertThrows(StoreException.class, () -> store.put("hosts/h/state.json", bytes("x"), Map.of()));
        assertOneLine(clash);
        assertTrue(clash.getMessage().contains("hosts/h"), clash.getMessage());
        assertTrue(store.head("hosts/h/state.json").isEmpty());

        store.delete("hosts/h");
        store.put("hosts/h/state.json", bytes("x"), Map.of());
        assertThrows(StoreException.class, () -> store.put("hosts/h", bytes("object"), Map.of()));
        store.delete("hosts/h/state.json");
        store.put("hosts/h", bytes("object again"), Map.of());
        assertEquals(List.of("hosts/h"), keysOf(store.list("")));
    }

    @Test
    void aDamagedSidecarDoesNotHideTheObject() throws Exception {
        store.put("hosts/h/state.json", bytes("s"), Map.of("a", "b"));
        Files.writeString(dir().resolve(".npc~/meta/hosts/h/state.json.json"), "{not json", StandardCharsets.UTF_8);
        ObjectInfo info = store.head("hosts/h/state.json").orElseThrow();
        assertEquals(md5Etag(bytes("s")), info.etag());
        assertEquals(Map.of(), info.metadata());
    }

    @Test
    void twoSpellingsOfOneDirectoryShareTheLock() throws Exception {
        Files.createDirectories(dir());
        Path link = temp.resolve("link");
        Files.createSymbolicLink(link, dir());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Store viaLink = new FileStore(link)) {
            List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (Store writer : List.of(store, viaLink)) {
                results.add(pool.submit(() -> {
                    int wins = 0;
                    for (int i = 0; i < 200; i++) {
                        try {
                            writer.put("locks/" + i, stream("x"), 1, Map.of(), Precondition.mustNotExist());
                            wins++;
                        } catch (PreconditionFailedException e) {
                            // the other spelling won this one
                        }
                    }
                    return wins;
                }));
            }
            assertEquals(200, results.get(0).get() + results.get(1).get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void urlNamesTheDirectory() {
        assertEquals("file://" + dir(), store.url());
        assertNotEquals(0, store.url().length());
    }
}
