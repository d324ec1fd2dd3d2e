package dev.npc.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link Store} must have, whatever is behind it. Each concrete subclass
 * runs it against one real backend (a directory, S3Proxy on loopback, LocalStack).
 */
abstract class StoreContract {
    protected Store store;

    /** A fresh, empty store; each call may return a different location. */
    protected abstract Store newStore() throws Exception;

    /** Two stores that share a backend (bucket, parent directory) but not a prefix. */
    protected abstract Store sibling(String name) throws Exception;

    /** A store whose backend cannot be reached at all, to prove a check ran before any I/O. */
    protected abstract Store storeWithoutBackend() throws Exception;

    /** Whether the backend enforces If-Match / If-None-Match on PUT (see the subclass for why not). */
    protected boolean enforcesConditionalPut() {
        return true;
    }

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    /** Whether {@link Store#probe} can tell (S3 stores probe; a directory cannot tell). */
    protected boolean probesEtags() {
        return store instanceof S3Store;
    }

    @Test
    void theProbeTellsUnchangedOrChangedOnlyOfAnExistingObject() throws Exception {
        EtagProbe unchanged = probesEtags() ? EtagProbe.UNCHANGED : EtagProbe.CANNOT_TELL;
        EtagProbe changed = probesEtags() ? EtagProbe.CHANGED : EtagProbe.CANNOT_TELL;
        ObjectInfo first = store.put("hosts/h/desired.json", bytes("{\"v\":1}"), Map.of());
        assertEquals(unchanged, store.probe("hosts/h/desired.json", first.etag()));
        assertEquals(changed, store.probe("hosts/h/desired.json", "\"0123456789abcdef0123456789abcdef\""));
        assertEquals(EtagProbe.CANNOT_TELL, store.probe("hosts/h/other.json", first.etag()),
                "a missing object: the client tells a missing key from a missing bucket");

        ObjectInfo second = store.put("hosts/h/desired.json", bytes("{\"v\":2}"), Map.of());
        assertEquals(changed, store.probe("hosts/h/desired.json", first.etag()), "a replaced object changed");
        assertEquals(unchanged, store.probe("hosts/h/desired.json", second.etag()));
    }

    @Test
    void putThenGetAndHeadReturnBytesEtagAndMetadata() throws Exception {
        byte[] body = bytes("hello npc\n");
        ObjectInfo put = store.put("remotes/prod.npc", body, Map.of("npc-format", "1", "NPC-Sha256", "abc"));

        assertEquals("remotes/prod.npc", put.key());
        assertEquals(md5Etag(body), put.etag());
        assertEquals(body.length, put.size());

        try (GetResult result = store.get("remotes/prod.npc", null)) {
            GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
            assertArrayEquals(body, found.body().readAllBytes());
            assertEquals(put.etag(), found.info().etag());
            assertEquals(body.length, found.info().size());
            assertEquals(Map.of("npc-format", "1", "npc-sha256", "abc"), found.info().metadata());
            assertNotNull(found.info().lastModified());
        }
        ObjectInfo head = store.head("remotes/prod.npc").orElseThrow();
        assertEquals(put.etag(), head.etag());
        assertEquals(body.length, head.size());
        assertEquals("abc", head.meta("npc-sha256"));
        assertNotNull(head.lastModified());
    }

    @Test
    void emptyObjectsAreObjects() throws Exception {
        store.put("hosts/a/empty", new byte[0], Map.of());
        try (GetResult result = store.get("hosts/a/empty", null)) {
            GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
            assertEquals(0, found.body().readAllBytes().length);
            assertEquals(md5Etag(new byte[0]), found.info().etag());
        }
    }

    @Test
    void unchangedEtagGivesNotModifiedWithoutBody() throws Exception {
        ObjectInfo put = store.put("hosts/web-1/desired.json", bytes("{\"remote\":\"prod\"}"), Map.of());
        try (GetResult result = store.get("hosts/web-1/desired.json", put.etag())) {
            GetResult.NotModified notModified = assertInstanceOf(GetResult.NotModified.class, result);
            assertTrue(Etags.same(put.etag(), notModified.etag()));
        }
    }

    @Test
    void changedObjectGetsNewEtagAndIsReadAgain() throws Exception {
        ObjectInfo first = store.put("hosts/web-1/desired.json", bytes("{\"remote\":\"prod\"}"), Map.of());
        ObjectInfo second = store.put("hosts/web-1/desired.json", bytes("{\"remote\":\"staging\"}"), Map.of());
        assertNotEquals(first.etag(), second.etag());

        try (GetResult result = store.get("hosts/web-1/desired.json", first.etag())) {
            GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
            assertEquals("{\"remote\":\"staging\"}", new String(found.body().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(second.etag(), found.info().etag());
        }
    }

    @Test
    void samebytesPutAgainKeepTheEtag() throws Exception {
        ObjectInfo first = store.put("remotes/prod.npc", bytes("same"), Map.of("npc-format", "1"));
        ObjectInfo again = store.put("remotes/prod.npc", bytes("same"), Map.of("npc-format", "1"));
        assertEquals(first.etag(), again.etag());
        try (GetResult result = store.get("remotes/prod.npc", first.etag())) {
            assertInstanceOf(GetResult.NotModified.class, result);
        }
    }

    @Test
    void missingObjectIsMissingEverywhere() throws Exception {
        try (GetResult result = store.get("hosts/nobody/state.json", null)) {
            assertEquals(new GetResult.Missing("hosts/nobody/state.json"), result);
        }
        try (GetResult result = store.get("hosts/nobody/state.json", "\"0123\"")) {
            assertInstanceOf(GetResult.Missing.class, result);
        }
        assertTrue(store.head("hosts/nobody/state.json").isEmpty());
        assertEquals(List.of(), store.list("hosts/nobody/"));
    }

    @Test
    void mustNotExistWritesOnlyTheFirstTime() throws Exception {
        ObjectInfo created = store.put("hosts/h/desired.json", stream("first"), 5, Map.of("k", "1"),
                Precondition.mustNotExist());
        assertEquals(md5Etag(bytes("first")), created.etag());
        if (!enforcesConditionalPut()) {
            return;
        }
        assertThrows(PreconditionFailedException.class, () -> store.put("hosts/h/desired.json",
                stream("second"), 6, Map.of("k", "2"), Precondition.mustNotExist()));
        assertContent("hosts/h/desired.json", "first", Map.of("k", "1"));
    }

    @Test
    void mustMatchWritesOnlyOverTheExpectedVersion() throws Exception {
        ObjectInfo first = store.put("hosts/h/state.json", bytes("one"), Map.of());
        ObjectInfo second = store.put("hosts/h/state.json", stream("two"), 3, Map.of(),
                Precondition.mustMatch(first.etag()));
        assertEquals(md5Etag(bytes("two")), second.etag());
        if (!enforcesConditionalPut()) {
            return;
        }
        PreconditionFailedException stale = assertThrows(PreconditionFailedException.class, () -> store.put(
                "hosts/h/state.json", stream("three"), 5, Map.of(), Precondition.mustMatch(first.etag())));
        assertOneLine(stale);
        assertContent("hosts/h/state.json", "two", Map.of());

        assertThrows(PreconditionFailedException.class, () -> store.put("hosts/h/absent.json",
                stream("x"), 1, Map.of(), Precondition.mustMatch(first.etag())));
        assertTrue(store.head("hosts/h/absent.json").isEmpty());
    }

    /** Whether the backend checks a conditional PUT and writes in one atomic step, as S3 does. */
    protected boolean conditionalPutIsAtomic() {
        return enforcesConditionalPut();
    }

    @Test
    void onlyOneOfManyConcurrentCreatorsWins() throws Exception {
        if (!conditionalPutIsAtomic()) {
            return;
        }
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String body = "writer-" + i;
                Callable<Boolean> attempt = () -> {
                    start.await();
                    try {
                        store.put("locks/leader", stream(body), body.length(), Map.of(), Precondition.mustNotExist());
                        return true;
                    } catch (PreconditionFailedException e) {
                        return false;
                    }
                };
                results.add(pool.submit(attempt));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> result : results) {
                winners += result.get() ? 1 : 0;
            }
            assertEquals(1, winners);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void listIsSortedFilteredByPrefixAndComplete() throws Exception {
        List<String> keys = List.of("hosts/web-2/state.json", "hosts/web-1/state.json", "remotes/b.npc",
                "hosts/web-1/history/20261122T100000.000Z-success.json", "remotes/a.npc", "hosts/web-10/state.json",
                "hosts/web-1/desired.json");
        for (String key : keys) {
            store.put(key, bytes(key), Map.of("who", "test"));
        }

        assertEquals(keys.stream().sorted().toList(), keysOf(store.list("")));
        assertEquals(List.of("hosts/web-1/desired.json", "hosts/web-1/history/20261122T100000.000Z-success.json",
                "hosts/web-1/state.json"), keysOf(store.list("hosts/web-1/")));
        assertEquals(List.of("hosts/web-1/desired.json", "hosts/web-1/history/20261122T100000.000Z-success.json",
                "hosts/web-1/state.json", "hosts/web-10/state.json"), keysOf(store.list("hosts/web-1")));
        assertEquals(List.of("remotes/a.npc", "remotes/b.npc"), keysOf(store.list(Layout.REMOTES)));

        ObjectInfo listed = store.list("remotes/a.npc").get(0);
        assertEquals(md5Etag(bytes("remotes/a.npc")), listed.etag());
        assertEquals("remotes/a.npc".length(), listed.size());
        assertNotNull(listed.lastModified());
        assertEquals(Map.of(), listed.metadata(), "listings carry no metadata, as on S3");
    }

    @Test
    void aListingCanBeSplitIntoRangesThatCoverEveryKeyOnce() throws Exception {
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) {
            keys.add("hosts/web-" + i + "/desired.json");
            keys.add("hosts/web-" + i + "/state.json");
        }
        keys.add("remotes/a.npc");
        for (String key : keys) {
            store.put(key, bytes(key), Map.of());
        }
        List<String> hosts = keys.stream().filter(k -> k.startsWith("hosts/")).sorted().toList();
        assertEquals(hosts.subList(0, 5), keysOf(store.list("hosts/", null, "hosts/web-2/desired.json")));
        assertEquals(hosts.subList(5, 12), keysOf(store.list("hosts/", "hosts/web-2/desired.json", "hosts/web-5/state.json")));
        assertEquals(hosts.subList(12, 18), keysOf(store.list("hosts/", "hosts/web-5/state.json", null)));
        // Bounds need not be keys: a range is every key after one and up to the other.
        assertEquals(List.of("hosts/web-3/desired.json", "hosts/web-3/state.json"),
                keysOf(store.list("hosts/", "hosts/web-2/x", "hosts/web-3/z")));
        assertEquals(hosts, keysOf(store.list("hosts/", null, null)));
        assertEquals(List.of(), keysOf(store.list("hosts/", "hosts/web-8/state.json", null)));
        ObjectInfo listed = store.list("hosts/", null, "hosts/web-0/desired.json").get(0);
        assertEquals(md5Etag(bytes("hosts/web-0/desired.json")), listed.etag(), "ranges carry ETags as listings do");
    }

    @Test
    void childrenAreTheNamesOneLevelDown() throws Exception {
        for (String key : List.of("hosts/web-2/state.json", "hosts/web-1/desired.json", "hosts/web-1/history/a.json",
                "hosts/web-1/history/b.json", "hosts/db/state.json", "hosts/stray.json", "remotes/prod.npc")) {
            store.put(key, bytes(key), Map.of());
        }
        assertEquals(List.of("db", "web-1", "web-2"), store.listChildren("hosts/"));
        assertEquals(List.of("hosts", "remotes"), store.listChildren(""));
        assertEquals(List.of("history"), store.listChildren("hosts/web-1/"));
        assertEquals(List.of(), store.listChildren("hosts/db/"));
        assertEquals(List.of(), store.listChildren("nothing/"));
        store.delete("hosts/db/state.json");
        assertEquals(List.of("web-1", "web-2"), store.listChildren("hosts/"));
    }

    @Test
    void copyKeepsBytesAndMetadata() throws Exception {
        ObjectInfo source = store.put("remotes/staging.npc", bytes("packed"), Map.of("npc-sha256", "feed", "npc-files", "3"));
        ObjectInfo copied = store.copy("remotes/staging.npc", "remotes/prod.npc", null);

        assertEquals("remotes/prod.npc", copied.key());
        assertTrue(Etags.same(source.etag(), copied.etag()));
        assertContent("remotes/prod.npc", "packed", Map.of("npc-sha256", "feed", "npc-files", "3"));
        assertContent("remotes/staging.npc", "packed", Map.of("npc-sha256", "feed", "npc-files", "3"));
    }

    @Test
    void copyWithMetadataReplacesTheSourcesMetadataOnTheCopyOnly() throws Exception {
        ObjectInfo source = store.put("remotes/staging.npc", bytes("packed"),
                Map.of("npc-sha256", "feed", "npc-sequence", "1", "npc-signature", "for-staging"));
        ObjectInfo copied = store.copy("remotes/staging.npc", "remotes/prod.npc", source.etag(),
                Map.of("npc-sha256", "feed", "npc-sequence", "2"));

        assertEquals(Map.of("npc-sha256", "feed", "npc-sequence", "2"), copied.metadata());
        assertContent("remotes/prod.npc", "packed", Map.of("npc-sha256", "feed", "npc-sequence", "2"));
        assertContent("remotes/staging.npc", "packed",
                Map.of("npc-sha256", "feed", "npc-sequence", "1", "npc-signature", "for-staging"));
        store.put("remotes/staging.npc", bytes("changed"), Map.of());
        assertThrows(PreconditionFailedException.class, () -> store.copy("remotes/staging.npc", "remotes/prod.npc",
                source.etag(), Map.of("npc-sequence", "3")));
        assertContent("remotes/prod.npc", "packed", Map.of("npc-sha256", "feed", "npc-sequence", "2"));
    }

    @Test
    void copyIsGuardedByTheSourceEtag() throws Exception {
        ObjectInfo inspected = store.put("remotes/staging.npc", bytes("v1"), Map.of("v", "1"));
        store.put("remotes/staging.npc", bytes("v2"), Map.of("v", "2"));

        PreconditionFailedException changed = assertThrows(PreconditionFailedException.class,
                () -> store.copy("remotes/staging.npc", "remotes/prod.npc", inspected.etag()));
        assertOneLine(changed);
        assertTrue(store.head("remotes/prod.npc").isEmpty());

        ObjectInfo current = store.head("remotes/staging.npc").orElseThrow();
        store.copy("remotes/staging.npc", "remotes/prod.npc", current.etag());
        assertContent("remotes/prod.npc", "v2", Map.of("v", "2"));
    }

    @Test
    void copyOfAMissingSourceSaysSo() {
        NoSuchKeyException missing = assertThrows(NoSuchKeyException.class,
                () -> store.copy("remotes/none.npc", "remotes/prod.npc", null));
        assertOneLine(missing);
        assertTrue(missing.getMessage().contains("remotes/none.npc"), missing.getMessage());
    }

    @Test
    void deleteRemovesAndToleratesMissing() throws Exception {
        store.put("hosts/h/state.json", bytes("x"), Map.of());
        store.delete("hosts/h/state.json");
        assertTrue(store.head("hosts/h/state.json").isEmpty());
        assertEquals(List.of(), store.list(""));
        store.delete("hosts/h/state.json");
        store.delete("never/there");
    }

    @Test
    void largeBodiesStreamBothWays() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(body);
        ObjectInfo put = store.put("remotes/big.npc", new ByteArrayInputStream(body), body.length, Map.of(),
                Precondition.NONE);
        assertEquals(md5Etag(body), put.etag());
        try (GetResult result = store.get("remotes/big.npc", null)) {
            GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
            assertArrayEquals(body, found.body().readAllBytes());
        }
    }

    @Test
    void reopenableBodiesAreUploadedWithTheirMetadataAndConditions() throws Exception {
        byte[] body = new byte[400_000];
        new Random(3).nextBytes(body);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("npc-store-contract", ".npc");
        try {
            java.nio.file.Files.write(file, body);
            ObjectInfo put = store.put("remotes/file.npc", Store.Body.of(file), body.length, Map.of("npc-format", "1"),
                    Precondition.mustNotExist());
            assertEquals(md5Etag(body), put.etag());
            assertEquals(body.length, put.size());
            try (GetResult result = store.get("remotes/file.npc", null)) {
                GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
                assertArrayEquals(body, found.body().readAllBytes());
                assertEquals(Map.of("npc-format", "1"), found.info().metadata());
            }
            if (enforcesConditionalPut()) {
                assertThrows(PreconditionFailedException.class, () -> store.put("remotes/file.npc", Store.Body.of(file),
                        body.length, Map.of(), Precondition.mustNotExist()));
            }
            ObjectInfo again = store.put("remotes/file.npc", Store.Body.of(file), body.length, Map.of(),
                    Precondition.mustMatch(put.etag()));
            assertEquals(put.etag(), again.etag());
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void badKeysAreRefusedBeforeAnyIo() throws Exception {
        try (Store offline = storeWithoutBackend()) {
            for (String bad : List.of("../escape", "/absolute", "a//b", "a/./b", "a/../../b", "", "with space",
                    "hosts/h/..")) {
                assertThrows(IllegalArgumentException.class, () -> offline.get(bad, null), bad);
                assertThrows(IllegalArgumentException.class, () -> offline.head(bad), bad);
                assertThrows(IllegalArgumentException.class, () -> offline.put(bad, bytes("x"), Map.of()), bad);
                assertThrows(IllegalArgumentException.class, () -> offline.copy("ok", bad, null), bad);
                assertThrows(IllegalArgumentException.class, () -> offline.copy(bad, "ok", null), bad);
                assertThrows(IllegalArgumentException.class, () -> offline.delete(bad), bad);
            }
            assertThrows(IllegalArgumentException.class, () -> offline.list("../"));
            assertThrows(IllegalArgumentException.class, () -> offline.list("a//"));
            assertThrows(IllegalArgumentException.class, () -> offline.put("ok", bytes("x"), Map.of("bad name", "v")));
        }
    }

    @Test
    void storesWithDifferentPrefixesDoNotSeeEachOther() throws Exception {
        try (Store left = sibling("left"); Store right = sibling("right")) {
            left.put("hosts/h/state.json", bytes("left"), Map.of());
            right.put("hosts/h/state.json", bytes("right"), Map.of());
            right.put("hosts/only-right/state.json", bytes("r"), Map.of());

            assertEquals(List.of("hosts/h/state.json"), keysOf(left.list("")));
            try (GetResult result = left.get("hosts/h/state.json", null)) {
                GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
                assertEquals("left", new String(found.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            right.delete("hosts/h/state.json");
            assertTrue(left.head("hosts/h/state.json").isPresent());
            assertNotEquals(left.url(), right.url());
        }
    }

    @Test
    void shortBodyWritesNothing() throws Exception {
        IOException failure = assertThrows(IOException.class, () -> store.put("remotes/short.npc",
                stream("abc"), 10, Map.of(), Precondition.NONE));
        assertNotNull(failure.getMessage());
        assertTrue(store.head("remotes/short.npc").isEmpty());
    }

    protected void assertContent(String key, String body, Map<String, String> metadata) throws IOException {
        try (GetResult result = store.get(key, null)) {
            GetResult.Found found = assertInstanceOf(GetResult.Found.class, result, key);
            assertEquals(body, new String(found.body().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(metadata, found.info().metadata());
        }
    }

    protected static void assertOneLine(Exception e) {
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    protected static List<String> keysOf(List<ObjectInfo> infos) {
        return infos.stream().map(ObjectInfo::key).toList();
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static InputStream stream(String text) {
        return new ByteArrayInputStream(bytes(text));
    }

    protected static String md5Etag(byte[] body) throws Exception {
        return '"' + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body)) + '"';
    }
}
